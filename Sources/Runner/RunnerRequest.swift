import GitStore
import Workspace

/// What a runner is asked to do, from the command line.
package struct RunnerRequest: Sendable {
    package var repo: String
    package var ref: String
    /// The workspace's folder inside the repository, relative to its root ("." for the root).
    package var workspacePath: String
    package var cacheRoot: String
    package var allowRollback: Bool
    /// The workspace ids this runner serves; empty serves any (`--workspace-id`).
    package var workspaceIDs: [String]
    /// The refs trusted to run and to raise the rollback marks (`--allow-ref`).
    package var refPolicy: RefPolicy
    /// Bounds on what the checkout may write.
    package var limits: CheckoutLimits
    /// The longest wait for an answer from the remote.
    package var networkTimeout: Duration

    package static let defaultNetworkTimeout = Duration.seconds(60)

    /// The environment whose store is opened (`--env`, `JOURNEY_ENV`): the runner's own
    /// configuration, never the checkout's.
    package var environment: EnvironmentName?

    package init(
        repo: String, ref: String, workspacePath: String = ".", cacheRoot: String, allowRollback: Bool = false,
        workspaceIDs: [String] = [], refPolicy: RefPolicy = RefPolicy(patterns: []), limits: CheckoutLimits = .defaults,
        networkTimeout: Duration = defaultNetworkTimeout, environment: EnvironmentName? = nil
    ) {
        self.environment = environment
        self.repo = repo
        self.ref = ref
        self.workspacePath = workspacePath
        self.cacheRoot = cacheRoot
        self.allowRollback = allowRollback
        self.workspaceIDs = workspaceIDs
        self.refPolicy = refPolicy
        self.limits = limits
        self.networkTimeout = networkTimeout
    }
}
