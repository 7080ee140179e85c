import FileIO
import FoundationEssentials

/// The rollback guard's memory: for each workspace id and secret name, the highest sealed
/// version this cache's runners have opened. A sealed file at a lower version (an old commit,
/// a force-pushed branch, a restored file) is refused, because an older value may be one that
/// was rotated away after a leak.
///
/// Stored as `rollback-ledger.json` in the cache, rewritten atomically under its own lock.
/// Only versions that opened with the runner's key are recorded, so a forged sealed file
/// cannot push the numbers up and lock real values out.
package struct RollbackLedger: Sendable {
    static let formatTag = "journey-rollback-ledger-1"

    struct Contents: Codable, Equatable {
        var format: String = RollbackLedger.formatTag
        /// workspace id → secret name → highest version seen.
        var workspaces: [String: [String: Int]] = [:]
    }

    package let path: String
    private let lockPath: String
    private let cache: RunnerCache

    package init(cache: RunnerCache) {
        self.cache = cache
        path = cache.ledgerPath
        lockPath = cache.ledgerLockPath
    }

    /// Refuses the first secret whose version is below the highest seen, unless `allowRollback`.
    package func check(workspaceID: String, versions: [String: Int], allowRollback: Bool) throws(RunnerError) {
        guard !allowRollback else { return }
        let held = try cache.lock(lockPath, waitingFor: "rollback ledger")
        defer { withExtendedLifetime(held) {} }
        let seen = try read().workspaces[workspaceID] ?? [:]
        for (secret, version) in versions.sorted(by: { $0.key < $1.key }) {
            if let highest = seen[secret], version < highest {
                throw .rollback(secret: secret, workspace: workspaceID, version: version, highestSeen: highest, ledger: path)
            }
        }
    }

    /// Records versions that opened. Normally keeps the highest; with `allowRollback` the
    /// versions used become the new marks, so an intended rollback needs the flag only once.
    package func record(workspaceID: String, versions: [String: Int], allowRollback: Bool) throws(RunnerError) {
        guard !versions.isEmpty else { return }
        let held = try cache.lock(lockPath, waitingFor: "rollback ledger")
        defer { withExtendedLifetime(held) {} }
        var contents = try read()
        var seen = contents.workspaces[workspaceID] ?? [:]
        for (secret, version) in versions {
            seen[secret] = allowRollback ? version : max(version, seen[secret] ?? 0)
        }
        guard seen != contents.workspaces[workspaceID] else { return }
        contents.workspaces[workspaceID] = seen
        do {
            try AtomicFile.write(try JSONText.encode(contents), to: path, mode: 0o600)
        } catch let error as FileIOError {
            throw .cache(path: path, reason: error.reason)
        } catch {
            throw .cache(path: path, reason: "cannot encode the ledger")
        }
    }

    /// The highest versions seen, by workspace id and secret name.
    package func highestVersions() throws(RunnerError) -> [String: [String: Int]] { try read().workspaces }

    private func read() throws(RunnerError) -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw .cache(path: path, reason: "cannot read the rollback ledger") }
            return Contents()
        }
        guard let contents = try? JSONDecoder().decode(Contents.self, from: data), contents.format == Self.formatTag else {
            throw .cache(
                path: path, reason: "the rollback ledger is not valid \(Self.formatTag) JSON; restore it from a backup, or delete it to start the guard afresh")
        }
        return contents
    }
}
