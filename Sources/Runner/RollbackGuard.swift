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
