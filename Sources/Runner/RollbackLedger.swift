import FileIO
import FoundationEssentials

/// What the rollback guard keeps marks for: one workspace as served from one repository, in
/// one environment. A fork, or another repository that copied the workspace id, keeps marks of
/// its own and cannot raise this one's; production's version 3 says nothing of staging's.
package struct LedgerKey: Sendable, Hashable, Codable, Comparable {
    /// The repository as the runner shows it (a URL password as `***`).
    package var repository: String
    package var workspaceID: String
    /// The environment whose store was opened; `nil` for a workspace without environments.
    package var environment: String?

    package init(repository: String, workspaceID: String, environment: String? = nil) {
        self.repository = repository
        self.workspaceID = workspaceID
        self.environment = environment
    }

    package static func < (lhs: LedgerKey, rhs: LedgerKey) -> Bool {
        (lhs.repository, lhs.workspaceID, lhs.environment ?? "") < (rhs.repository, rhs.workspaceID, rhs.environment ?? "")
    }
}

/// The rollback guard's memory: for each key (repository and workspace id) and secret name,
/// the highest sealed version trusted runs have opened. A sealed file at a lower version (an
/// old commit, a force-pushed branch, a restored file) is refused, because an older value may
/// be one that was rotated away after a leak.
///
/// Stored as `rollback-ledger.json` in the cache, replaced atomically under its own lock, so a
/// reader without the lock still sees a whole ledger. Only versions that opened with the
/// runner's key, in runs of refs the runner trusts (`RefPolicy`), are recorded: the version is
/// bound into the ciphertext, but anyone holding the public keys can seal a high version on a
/// branch of their own.
package struct RollbackLedger: Sendable {
    static let formatTag = "journey-rollback-ledger-2"
    /// The first format, keyed by workspace id alone: its marks are not carried over, since
    /// they cannot tell which repository raised them.
    static let previousFormatTag = "journey-rollback-ledger-1"

    /// The marks, as they stand at one moment.
    package struct Marks: Sendable, Equatable {
        package var versions: [LedgerKey: [String: Int]] = [:]
        package subscript(key: LedgerKey) -> [String: Int] { versions[key] ?? [:] }
    }

    struct Entry: Codable, Equatable {
        var repository: String
        var workspaceID: String
        /// Absent for a workspace without environments.
        var environment: String?
        var versions: [String: Int]
    }

    struct Contents: Codable {
        var format: String
        var entries: [Entry]?
    }

    package let path: String
    private let lockPath: String
    private let cache: RunnerCache

    package init(cache: RunnerCache) {
        self.cache = cache
        path = cache.ledgerPath
        lockPath = cache.ledgerLockPath
    }

    /// The marks now, read without the lock (the file is only ever replaced whole).
    package func snapshot() throws(RunnerError) -> Marks { try read() }

    /// Refuses the first secret whose version is below its mark in `marks`, unless `allowRollback`.
    package static func check(
        _ key: LedgerKey, versions: [String: Int], against marks: Marks, allowRollback: Bool, ledger: String
    ) throws(RunnerError) {
        guard !allowRollback else { return }
        let seen = marks[key]
        for (secret, version) in versions.sorted(by: { $0.key < $1.key }) {
            if let highest = seen[secret], version < highest {
                throw .rollback(secret: secret, workspace: key.workspaceID, version: version, highestSeen: highest, ledger: ledger)
            }
        }
    }

    /// Refuses a version below the current marks (taking the lock), unless `allowRollback`.
    package func check(_ key: LedgerKey, versions: [String: Int], allowRollback: Bool) throws(RunnerError) {
        let held = try cache.lock(lockPath, waitingFor: "rollback ledger")
        defer { withExtendedLifetime(held) {} }
        try Self.check(key, versions: versions, against: try read(), allowRollback: allowRollback, ledger: path)
    }

    /// Records versions that opened. Normally keeps the highest; with `allowRollback` the
    /// versions used become the new marks, so an intended rollback needs the flag only once.
    package func record(_ key: LedgerKey, versions: [String: Int], allowRollback: Bool) throws(RunnerError) {
        guard !versions.isEmpty else { return }
        let held = try cache.lock(lockPath, waitingFor: "rollback ledger")
        defer { withExtendedLifetime(held) {} }
        var marks = try read()
        var seen = marks[key]
        for (secret, version) in versions {
            seen[secret] = allowRollback ? version : max(version, seen[secret] ?? 0)
        }
        guard seen != marks[key] else { return }
        marks.versions[key] = seen
        let entries = marks.versions.keys.sorted().map { key in
            Entry(repository: key.repository, workspaceID: key.workspaceID, environment: key.environment, versions: marks.versions[key] ?? [:])
        }
        do {
            try AtomicFile.write(try JSONText.encode(Contents(format: Self.formatTag, entries: entries)), to: path, mode: 0o600)
        } catch let error as FileIOError {
            throw .cache(path: path, reason: error.reason)
        } catch {
            throw .cache(path: path, reason: "cannot encode the ledger")
        }
    }

    /// The highest versions seen, by key and secret name.
    package func highestVersions() throws(RunnerError) -> [LedgerKey: [String: Int]] { try read().versions }

    private func read() throws(RunnerError) -> Marks {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw .cache(path: path, reason: "cannot read the rollback ledger") }
            return Marks()
        }
        guard let contents = try? JSONDecoder().decode(Contents.self, from: data),
            contents.format == Self.formatTag || contents.format == Self.previousFormatTag
        else {
            throw .cache(
                path: path, reason: "the rollback ledger is not valid \(Self.formatTag) JSON; restore it from a backup, or delete it to start the guard afresh")
        }
        var marks = Marks()
        guard contents.format == Self.formatTag else { return marks }
        for entry in contents.entries ?? [] {
            marks.versions[LedgerKey(repository: entry.repository, workspaceID: entry.workspaceID, environment: entry.environment)] = entry.versions
        }
        return marks
    }
}
