internal import Clibgit2

/// An error from libgit2, read from `git_error_last` right after the failing call (libgit2 keeps
/// its error state per thread, so it must be read on the same thread, before the next call).
package struct GitError: Error, Equatable, CustomStringConvertible {
    package let code: Int32
    package let operation: String
    package let message: String
    /// Whether libgit2 reported it (a repository that does not read, a network failure), as
    /// opposed to a refusal of this module's own (an unsafe tree entry, an ambiguous name).
    package let fromLibgit2: Bool

    init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        fromLibgit2 = true
        if let last = git_error_last(), let text = last.pointee.message {
            message = String(cString: text)
        } else {
            message = "libgit2 error \(code)"
        }
    }

    package init(operation: String, message: String) {
        self.code = -1
        self.operation = operation
        self.message = message
        fromLibgit2 = false
    }

    /// libgit2 returned `GIT_ENOTFOUND`.
    package var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    package var description: String { "\(operation): \(message)" }
}

/// Runs a libgit2 call and turns a negative result into a `GitError`.
@discardableResult
func check(_ operation: String, _ result: Int32) throws(GitError) -> Int32 {
    guard result >= 0 else { throw GitError(code: result, operation: operation) }
    return result
}

/// Balances `git_libgit2_init` for the life of the process; every entry point touches it first.
enum LibGit2 {
    static let initialised: Bool = git_libgit2_init() > 0
    static func ensureReady() { precondition(initialised, "libgit2 failed to initialise") }
}
