import FoundationEssentials
import Workspace

/// What a runner is asked to do, from the command line.
package struct RunnerRequest: Sendable {
    package var repo: String
    package var ref: String
    /// The workspace's folder inside the repository, relative to its root ("." for the root).
    package var workspacePath: String
    package var cacheRoot: String
    package var allowRollback: Bool

    package init(repo: String, ref: String, workspacePath: String = ".", cacheRoot: String, allowRollback: Bool = false) {
        self.repo = repo
        self.ref = ref
        self.workspacePath = workspacePath
        self.cacheRoot = cacheRoot
        self.allowRollback = allowRollback
    }
}

/// A commit checked out into a fresh work folder, with its workspace open, ready for the
/// journey to be resolved and run. Lives only for the duration of `Runner.run`.
package struct PreparedRun {
    package let checkout: CheckedOutCommit
    /// The run's work folder: the repository's tree at the commit, nothing else.
    package let folder: String
    package let workspace: Workspace
    /// The workspace's folder inside the repository, as given.
    package let workspacePath: String
    /// The rollback guard for this workspace: check versions before opening, record after.
    package let rollbackGuard: RollbackGuard
}

/// The rollback ledger bound to one workspace and the run's `--allow-rollback` choice.
package struct RollbackGuard: Sendable {
    package let ledger: RollbackLedger
    package let workspaceID: String
    package let allowRollback: Bool

    /// Refuses a sealed version below the highest this cache has opened (before decrypting).
    package func check(_ versions: [String: Int]) throws(RunnerError) {
        try ledger.check(workspaceID: workspaceID, versions: versions, allowRollback: allowRollback)
    }

    /// Remembers versions that opened with the runner's key.
    package func record(_ versions: [String: Int]) throws(RunnerError) {
        try ledger.record(workspaceID: workspaceID, versions: versions, allowRollback: allowRollback)
    }
}

/// The runner: fetches (or clones) the repository into the cache, checks the ref's commit out
/// into a fresh work folder, opens the workspace there, hands it to `execute`, and removes the
/// work folder whatever happens.
package struct Runner {
    package let request: RunnerRequest

    package init(request: RunnerRequest) { self.request = request }

    package func run<Outcome>(_ execute: (PreparedRun) throws -> Outcome) throws -> Outcome {
        let cache = try RunnerCache(root: request.cacheRoot)
        let work = try WorkFolder(in: cache)
        defer { try? work.remove() }
        let checkout = try MirrorSync(cache: cache, repo: request.repo).checkOut(ref: request.ref, into: work.path)
        let workspace = try openWorkspace(in: work.path, commit: checkout.resolved.commit)
        let prepared = PreparedRun(
            checkout: checkout, folder: work.path, workspace: workspace, workspacePath: request.workspacePath,
            rollbackGuard: RollbackGuard(ledger: RollbackLedger(cache: cache), workspaceID: workspace.config.id, allowRollback: request.allowRollback))
        let outcome = try execute(prepared)
        try work.remove()
        return outcome
    }

    /// The workspace at `--workspace-path` inside the checkout; refuses a path that leaves it.
    private func openWorkspace(in folder: String, commit: String) throws(RunnerError) -> Workspace {
        let relative = request.workspacePath.isEmpty ? "." : request.workspacePath
        let root = URL(fileURLWithPath: folder + "/" + relative).standardizedFileURL.path
        guard !relative.hasPrefix("/"), root == folder || root.hasPrefix(folder + "/") else {
            throw .missingWorkspace(path: relative, commit: commit)
        }
        guard FileManager.default.fileExists(atPath: root + "/" + Workspace.configFileName) else {
            throw .missingWorkspace(path: relative, commit: commit)
        }
        do {
            return try Workspace(root: root)
        } catch {
            throw .badWorkspace(commit: commit, reason: error.description.replacingOccurrences(of: folder + "/", with: ""))
        }
    }
}
