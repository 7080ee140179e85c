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
