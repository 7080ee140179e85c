import Diagnostics
import Foundation

/// Why a whole-file read, an atomic write or a lock failed. Every case names the file and the
/// system's reason (`strerror`); none carries the file's content.
package enum FileIOError: UserFacingError, Equatable {
    /// `open` failed; `code` is its errno (`ENOENT` when the file does not exist).
    case cannotOpen(path: String, code: Int32)
    case cannotRead(path: String, code: Int32)
    case cannotCreateTemp(path: String, code: Int32)
    case cannotWrite(path: String, code: Int32)
    case cannotSync(path: String, code: Int32)
    case cannotRename(path: String, code: Int32)
    /// The caller's `beforeRename` threw; the old file is whole.
    case interrupted(path: String, reason: String)
    case cannotLock(path: String, code: Int32)

    /// The file the error is about.
    package var path: String {
        switch self {
        case .cannotOpen(let path, _), .cannotRead(let path, _), .cannotCreateTemp(let path, _), .cannotWrite(let path, _),
            .cannotSync(let path, _), .cannotRename(let path, _), .interrupted(let path, _), .cannotLock(let path, _):
            return path
        }
    }

    /// What went wrong, without the path.
    package var reason: String {
        switch self {
        case .cannotOpen(_, let code): return Self.text(code)
        case .cannotRead(_, let code): return "read failed: \(Self.text(code))"
        case .cannotCreateTemp(_, let code): return "cannot create a temp file beside it: \(Self.text(code))"
        case .cannotWrite(_, let code): return "write failed: \(Self.text(code))"
        case .cannotSync(_, let code): return "fsync failed: \(Self.text(code))"
        case .cannotRename(_, let code): return "rename failed: \(Self.text(code))"
        case .interrupted(_, let reason): return "write interrupted: \(reason)"
        case .cannotLock(_, let code): return "cannot lock: \(Self.text(code))"
        }
    }

    package var message: String { "\(path): \(reason)" }

    static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}
