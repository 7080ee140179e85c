import Diagnostics
import Foundation
import GitStore

/// Why a runner stopped before or around running a journey. Every message names the repo,
/// ref, path or secret involved and the fix; none carries a secret value. All are bad input
/// or an unusable environment, so the command exits 2 for each.
package enum RunnerError: UserFacingError {
    case unreachable(repo: String, reason: String)
    case unknownRef(ref: String, repo: String)
    case unusableRef(ref: String, repo: String, reason: String)
    case missingWorkspace(path: String, commit: ObjectID)
    case badWorkspace(commit: ObjectID, reason: String)
    case rollback(secret: String, workspace: String, version: Int, highestSeen: Int, ledger: String)
    case cache(path: String, reason: String)
    case checkout(commit: ObjectID, reason: String)
    /// The tree was refused (a limit, a link out of the checkout); `fix` says what to do.
    case checkoutRefused(commit: ObjectID, reason: String, fix: String)
    /// The remote said nothing for `seconds`.
    case networkTimeout(repo: String, seconds: Int)
    /// `--ref` is outside the `--allow-ref` policy.
    case refNotAllowed(ref: String, patterns: [String])
    /// The checkout's workspace id is not one of `--workspace-id`.
    case workspaceNotServed(id: String, path: String, served: [String])
    /// The local repository belongs to another user (git's `safe.directory` check).
    case repositoryOwnedByAnotherUser(repo: String, owner: UInt32)
    /// A file of the checkout does not parse. Only where is said, never what: the file comes
    /// from the repository, and a message quoting it could show anything it holds.
    case unparsable(what: String, at: [String], commit: ObjectID)
    /// The cache's file system filled up during a clone or fetch.
    case diskFull(path: String, repo: String)

    package var message: String {
        switch self {
        case .unreachable(let repo, let reason):
            return "cannot reach repository \(repo): \(reason)"
        case .unknownRef(let ref, let repo):
            return "no branch, tag or commit '\(ref)' in \(repo)"
        case .unusableRef(let ref, let repo, let reason):
            return "cannot use ref '\(ref)' of \(repo): \(reason)"
        case .missingWorkspace(let path, let commit):
            return "no workspace.yaml at '\(path)' in commit \(commit)"
        case .badWorkspace(let commit, let reason):
            return "the workspace in commit \(commit) cannot be used: \(reason)"
        case .rollback(let secret, let workspace, let version, let highestSeen, let ledger):
            return
                "refusing secret '\(secret)' at version \(version): this runner has already used version \(highestSeen) of it (workspace \(workspace)); an older sealed value may be a rolled-back or compromised one. Run a ref that has version \(highestSeen) or later, or pass --allow-rollback if the rollback is intended (ledger: \(ledger))"
        case .cache(let path, let reason):
            return "runner cache \(path): \(reason)"
        case .checkout(let commit, let reason):
            return "cannot check out commit \(commit): \(reason)"
        case .checkoutRefused(let commit, let reason, _):
            return "refusing to check out commit \(commit): \(reason)"
        case .networkTimeout(let repo, let seconds):
            return "cannot reach repository \(repo): no answer within \(seconds) s"
        case .refNotAllowed(let ref, let patterns):
            return "refusing ref '\(ref)': it is outside this runner's --allow-ref policy (\(patterns.joined(separator: ", "))); nothing was run"
        case .workspaceNotServed(let id, let path, let served):
            return
                "refusing workspace \(id) (\(path)/workspace.yaml): this runner serves only --workspace-id \(served.joined(separator: ", ")); no secret was opened"
        case .unparsable(let what, let locations, _):
            return
                "\(locations.joined(separator: ", ")): not \(what) journey can read (the runner shows only where: a checked-out file is not quoted)"
        case .diskFull(let path, let repo):
            return
                "cannot store repository \(repo) in the runner cache \(path): the disk is full (\(String(cString: strerror(ENOSPC))))"
        case .repositoryOwnedByAnotherUser(let repo, let owner):
            return
                "cannot read repository \(repo): it is owned by another user (uid \(owner)), and git refuses repositories of other users"
        }
    }

    package var fix: String? {
        switch self {
        case .unreachable: return "check the URL (a local path, file://, https:// or ssh://) and that this machine can reach it"
        case .unknownRef: return "check --ref (a branch, a tag, refs/…, or a commit id of 4 to 40 hex digits)"
        case .missingWorkspace: return "pass --workspace-path with the folder that holds it (relative to the repository root)"
        case .cache: return "check the folder's permissions and free space, or pass --cache DIR"
        case .checkoutRefused(_, _, let fix): return fix
        case .networkTimeout: return "check that the server is up, or pass a longer --network-timeout"
        case .refNotAllowed: return "run a trusted ref, or add a pattern with --allow-ref (or JOURNEY_ALLOW_REFS)"
        case .workspaceNotServed: return "if the repository is yours, add its id with --workspace-id (or JOURNEY_WORKSPACE_IDS)"
        case .unparsable(_, _, let commit): return "run 'journey check' in a clone at commit \(commit) to see what is wrong"
        case .diskFull: return "free space there, or pass --cache DIR on a larger volume"
        case .repositoryOwnedByAnotherUser(let repo, _):
            return "run the runner as that user, or mark the folder safe with 'git config --global --add safe.directory \(repo)'"
        case .unusableRef, .badWorkspace, .rollback, .checkout: return nil
        }
    }
}
