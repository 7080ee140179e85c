import Workspace

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
