import Diagnostics

/// What can go wrong in `journey ui`. API errors become JSON `{error, fix}` with the status
/// here; none of them carries a value (values are never put into an error).
package enum AdminUIError: UserFacingError {
    case server(String)
    /// A request the API refuses, with the HTTP status and the fix.
    case request(status: Int, message: String, fix: String)
    /// A journey edit that cannot be written without touching other text.
    case edit(String)

    package var message: String {
        switch self {
        case .server(let message), .request(_, let message, _), .edit(let message): return message
        }
    }

    package var fix: String? {
        if case .request(_, _, let fix) = self, !fix.isEmpty { return fix }
        return nil
    }

    static func badRequest(_ message: String, fix: String = "") -> AdminUIError { .request(status: 400, message: message, fix: fix) }
    static func notFound(_ message: String, fix: String = "") -> AdminUIError { .request(status: 404, message: message, fix: fix) }
    static func conflict(_ message: String, fix: String = "") -> AdminUIError { .request(status: 409, message: message, fix: fix) }
}
