internal import Clibgit2
import Diagnostics
import FileIO
import Foundation

/// Why a git operation failed, with a case per kind a caller can match. A libgit2 failure is
/// read from `git_error_last` right after the failing call (libgit2 keeps its error state per
/// thread, so it must be read on the same thread, before the next call).
package enum GitError: UserFacingError, Equatable {
    /// A libgit2 call failed: `code` is what it returned (`GIT_ENOTFOUND`, …), `reason` is
    /// libgit2's message.
    case library(operation: String, code: Int32, reason: String)
    /// A system call failed while writing a checkout; `code` is its errno.
    case system(operation: String, code: Int32)
    /// The tree holds an entry git itself refuses to check out (`.git`, `..`, a `/` in a name).
    case unsafeTreeEntry(path: String, name: String)
    case unknownTreeEntryMode(path: String)
    case notBare(path: String)
    case noOrigin(path: String)
    /// A name that is both a tag and a branch.
    case ambiguousRef(String)
    /// A commit id prefix shared by several objects.
    case ambiguousIDPrefix(String)
    /// An id prefix naming an object that is not a commit; `type` is its type's name.
    case notACommit(prefix: String, type: String)
    /// The tree was refused for what it holds: a limit passed, or a link out of the checkout.
    case checkoutRefused(CheckoutRefusal)

    /// A libgit2 failure, with the message libgit2 left for this thread.
    init(code: Int32, operation: String) {
        let reason: String
        if let last = git_error_last(), let text = last.pointee.message {
            reason = String(cString: text)
        } else {
            reason = "libgit2 error \(code)"
        }
        self = .library(operation: operation, code: code, reason: reason)
    }

    /// A system call failure, with the current errno.
    static func system(_ operation: String) -> GitError { .system(operation: operation, code: errno) }

    /// A system call failure reported by a worker thread.
    static func system(_ failure: SystemCallFailure) -> GitError { .system(operation: failure.operation, code: failure.code) }

    /// What was being done.
    package var operation: String {
        switch self {
        case .library(let operation, _, _), .system(let operation, _): return operation
        case .unsafeTreeEntry(let path, _), .unknownTreeEntryMode(let path): return "check out \(path)"
        case .notBare(let path), .noOrigin(let path): return "open mirror at \(path)"
        case .ambiguousRef(let ref), .ambiguousIDPrefix(let ref), .notACommit(let ref, _): return "resolve '\(ref)'"
        case .checkoutRefused: return "check out the tree"
        }
    }

    /// Why it failed, without the operation.
    package var reason: String {
        switch self {
        case .library(_, _, let reason): return reason
        case .system(_, let code): return String(cString: strerror(code))
        case .unsafeTreeEntry(_, let name): return "the tree holds an entry named '\(name)', which git refuses to check out"
        case .unknownTreeEntryMode: return "unknown tree entry mode"
        case .notBare: return "not a bare repository"
        case .noOrigin: return "no 'origin' remote"
        case .ambiguousRef(let ref): return "it names both a tag and a branch; pass refs/tags/\(ref) or refs/heads/\(ref)"
        case .ambiguousIDPrefix: return "several objects have ids starting with it; give more digits"
        case .notACommit(_, let type): return "it is the id of a \(type), not of a commit"
        case .checkoutRefused(let refusal): return refusal.description
        }
    }

    /// Whether libgit2 reported it (a repository that does not read, a network failure), as
    /// opposed to a refusal of this module's own (an unsafe tree entry, an ambiguous name, a
    /// checkout limit) or a failed system call.
    package var isLibraryFailure: Bool {
        if case .library = self { return true }
        return false
    }

    /// libgit2 returned `GIT_ENOTFOUND`.
    package var isNotFound: Bool {
        if case .library(_, let code, _) = self { return code == GIT_ENOTFOUND.rawValue }
        return false
    }

    package var message: String { "\(operation): \(reason)" }
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
