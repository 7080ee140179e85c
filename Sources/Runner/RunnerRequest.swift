import Workspace

/// What a runner is asked to do, from the command line.
package struct RunnerRequest: Sendable {
    package var repo: String
    package var ref: String
    /// The workspace's folder inside the repository, relative to its root ("." for the root).
    package var workspacePath: String
    package var cacheRoot: String
    package var allowRollback: Bool
    /// The environment whose store is opened (`--env`, `JOURNEY_ENV`): the runner's own
    /// configuration, never the checkout's.
    package var environment: EnvironmentName?

    package init(
        repo: String, ref: String, workspacePath: String = ".", cacheRoot: String, allowRollback: Bool = false, environment: EnvironmentName? = nil
    ) {
        self.environment = environment
        self.repo = repo
        self.ref = ref
        self.workspacePath = workspacePath
        self.cacheRoot = cacheRoot
        self.allowRollback = allowRollback
    }
}
