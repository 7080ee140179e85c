/// The rollback guard for one run: the ledger, the run's key in it, the marks as they stood
/// when the run fetched, whether this run may raise them, and its `--allow-rollback` choice.
package struct RollbackGuard: Sendable {
    package let ledger: RollbackLedger
    package let key: LedgerKey
    /// The marks as of the fetch: a run that fetched the then-current tip is judged against
    /// them, not against a newer version another run recorded in the meantime.
    package let marksAsOfFetch: RollbackLedger.Marks
    /// Whether the run's ref is trusted (`--allow-ref`) to raise the marks.
    package let raisesMarks: Bool
    package let allowRollback: Bool

    /// Refuses a sealed version below the marks as of the fetch (before decrypting).
    package func check(_ versions: [String: Int]) throws(RunnerError) {
        try RollbackLedger.check(key, versions: versions, against: marksAsOfFetch, allowRollback: allowRollback, ledger: ledger.path)
    }

    /// Remembers versions that opened with the runner's key, when the ref is trusted.
    package func record(_ versions: [String: Int]) throws(RunnerError) {
        guard raisesMarks else { return }
        try ledger.record(key, versions: versions, allowRollback: allowRollback)
    }
}
