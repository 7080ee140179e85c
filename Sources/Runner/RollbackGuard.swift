import Workspace

/// The rollback ledger bound to one workspace and the run's `--allow-rollback` choice.
package struct RollbackGuard: Sendable {
    package let ledger: RollbackLedger
    package let workspaceID: String
    /// Versions are counted per environment: production's version 3 says nothing of staging's.
    package let environment: EnvironmentName?
    package let allowRollback: Bool

    package init(ledger: RollbackLedger, workspaceID: String, environment: EnvironmentName? = nil, allowRollback: Bool) {
        self.ledger = ledger
        self.workspaceID = workspaceID
        self.environment = environment
        self.allowRollback = allowRollback
    }

    /// The ledger's key: the workspace id, and `@ENV` in a workspace with environments (the
    /// flat layout keeps the key earlier ledgers hold).
    var ledgerKey: String { workspaceID + (environment.map { "@" + $0.rawValue } ?? "") }

    /// Refuses a sealed version below the highest this cache has opened (before decrypting).
    package func check(_ versions: [String: Int]) throws(RunnerError) {
        try ledger.check(workspaceID: ledgerKey, versions: versions, allowRollback: allowRollback)
    }

    /// Remembers versions that opened with the runner's key.
    package func record(_ versions: [String: Int]) throws(RunnerError) {
        try ledger.record(workspaceID: ledgerKey, versions: versions, allowRollback: allowRollback)
    }
}
