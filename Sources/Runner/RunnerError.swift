import Diagnostics
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
        }
    }

    package var fix: String? {
        switch self {
        case .unreachable: return "check the URL (a local path, file://, https:// or ssh://) and that this machine can reach it"
        case .unknownRef: return "check --ref (a branch, a tag, refs/…, or a commit id of 4 to 40 hex digits)"
        case .missingWorkspace: return "pass --workspace-path with the folder that holds it (relative to the repository root)"
        case .cache: return "check the folder's permissions and free space, or pass --cache DIR"
        case .unusableRef, .badWorkspace, .rollback, .checkout: return nil
        }
    }
}
