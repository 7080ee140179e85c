import Foundation
import GitStore
import Run

/// How a run brought its mirror up to date.
package enum MirrorUpdate: String, Sendable, Codable {
    /// No mirror yet: cloned.
    case cloned
    /// The mirror was unusable (a killed run, a wrong remote): removed and cloned again.
    case rebuilt
    /// The ref had moved on the remote: fetched.
    case fetched
    /// The ref had not moved (or named a commit already present): no fetch.
    case upToDate = "up-to-date"
}

/// One commit of a repository, checked out into a run's work folder.
package struct CheckedOutCommit: Sendable {
    package var repo: String
    package var ref: String
    package var resolved: ResolvedRef
    package var update: MirrorUpdate
    /// Time spent bringing the mirror up to date (connect, list refs, clone or fetch).
    package var fetchDuration: Duration
    /// Time spent resolving the ref and writing the commit's tree.
    package var checkoutDuration: Duration
}

/// Brings the cached mirror of a repository up to date and checks one ref out of it, holding
/// the mirror's lock throughout so runners sharing the cache never see it half-updated.
package struct MirrorSync {
    package let cache: RunnerCache
    package let repo: String

    /// `repo` as given on the command line; a local path is made absolute so the same
    /// repository gets the same mirror from any current folder.
    package init(cache: RunnerCache, repo: String) {
        self.cache = cache
        self.repo = Self.normalised(repo)
    }

    /// The repository for messages and reports: a password after the user name, a bare token as
    /// the user part of an http(s) URL (`https://TOKEN@host/…`), and every query value are shown
    /// as `***`; an ssh user name (`ssh://git@…`) stays.
    package var displayRepo: String { Self.redacted(repo) }

    static func redacted(_ repo: String) -> String {
        guard let scheme = repo.range(of: "://") else { return repo }
        var rest = Substring(repo[scheme.upperBound...])
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            let fragmentStart = rest[mark...].firstIndex(of: "#") ?? rest.endIndex
            let pairs = rest[rest.index(after: mark)..<fragmentStart].split(separator: "&", omittingEmptySubsequences: false)
            query = "?" + pairs.map { pair in pair.firstIndex(of: "=").map { "\(pair[..<$0])=***" } ?? "***" }.joined(separator: "&")
            rest = rest[..<mark]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@") {
            let user = rest[..<at]
            if let colon = user.firstIndex(of: ":") {
                rest = user[..<colon] + ":***" + rest[at...]
            } else if repo.lowercased().hasPrefix("http") {
                rest = "***" + rest[at...]
            }
        }
        return String(repo[..<scheme.upperBound]) + rest + query
    }

    /// A URL (`scheme://…`) or scp-like `host:path` (a colon before any slash) is kept as
    /// given; anything else is a local path.
    static func isLocalPath(_ repo: String) -> Bool {
        if repo.contains("://") { return false }
        guard let colon = repo.firstIndex(of: ":") else { return true }
        return repo[..<colon].contains("/")
    }

    static func normalised(_ repo: String) -> String {
        guard isLocalPath(repo) else { return repo }
        let absolute = URL(fileURLWithPath: repo).standardizedFileURL.path
        return absolute.count > 1 && absolute.hasSuffix("/") ? String(absolute.dropLast()) : absolute
    }

    /// Updates the mirror as needed, resolves `ref` and writes its tree into `folder`.
    package func checkOut(ref: String, into folder: String) throws(RunnerError) -> CheckedOutCommit {
        let held = try cache.lock(cache.mirrorLockPath(for: repo), waitingFor: displayRepo)
        defer { withExtendedLifetime(held) {} }
        let clock = ContinuousClock()
        let fetchStart = clock.now
        let (mirror, update) = try upToDateMirror(for: ref)
        let fetchDuration = clock.now - fetchStart

        let checkoutStart = clock.now
        let resolved: ResolvedRef
        do {
            guard let found = try mirror.resolve(ref) else { throw RunnerError.unknownRef(ref: ref, repo: displayRepo) }
            resolved = found
        } catch let error as RunnerError {
            throw error
        } catch {
            throw .unusableRef(ref: ref, repo: displayRepo, reason: (error as? GitError)?.reason ?? "\(error)")
        }
        do {
            try mirror.writeTree(ofCommit: resolved.commit, into: folder)
        } catch {
            throw .checkout(commit: resolved.commit, reason: error.description)
        }
        return CheckedOutCommit(
            repo: displayRepo, ref: ref, resolved: resolved, update: update,
            fetchDuration: fetchDuration, checkoutDuration: clock.now - checkoutStart)
    }

    /// The mirror, fetched only if `ref` moved on the remote; rebuilt if it cannot be used.
    private func upToDateMirror(for ref: String) throws(RunnerError) -> (BareMirror, MirrorUpdate) {
        let path = cache.mirrorPath(for: repo)
        try removeIncomingClones()
        guard FileManager.default.fileExists(atPath: path) else { return (try cloneIntoPlace(), .cloned) }
        guard let mirror = try? BareMirror.open(at: path), (try? mirror.originURL()) == repo else {
            try FolderRemoval.remove(path)
            return (try cloneIntoPlace(), .rebuilt)
        }
        removeStaleRefLocks(in: path)

        // A commit id the mirror already holds cannot have moved: no need to ask the remote.
        let namedRefs = BareMirror.candidateRefNames(for: ref)
        if BareMirror.looksLikeCommitID(ref), namedRefs.allSatisfy({ mirror.localTarget(ofRef: $0) == nil }),
            (try? mirror.resolve(ref)) != nil
        {
            return (mirror, .upToDate)
        }

        let connection: OriginConnection
        let advertised: [String: String]
        try checkLocalPathExists()
        do {
            connection = try OriginConnection(to: mirror)
            advertised = try connection.advertisedRefs()
        } catch {
            throw .unreachable(repo: displayRepo, reason: error.reason.replacingOccurrences(of: repo, with: displayRepo))
        }
        let unmoved = namedRefs.allSatisfy { advertised[$0] == mirror.localTarget(ofRef: $0) }
        let knownOnRemote = namedRefs.contains { advertised[$0] != nil }
        if unmoved && (knownOnRemote || !BareMirror.looksLikeCommitID(ref)) { return (mirror, .upToDate) }

        do {
            try connection.fetch(progress: TransferReporter("fetching \(displayRepo)").report)
        } catch {
            // The remote answered but the mirror could not take the fetch: start it over.
            try FolderRemoval.remove(path)
            return (try cloneIntoPlace(), .rebuilt)
        }
        if knownOnRemote, (try? mirror.resolve(ref)) == nil {
            try FolderRemoval.remove(path)
            return (try cloneIntoPlace(), .rebuilt)
        }
        return (mirror, .fetched)
    }

    /// Clones into `incoming/` and renames the whole clone into `mirrors/`, so a run killed
    /// mid-clone leaves only an incoming folder, which the next run removes.
    private func cloneIntoPlace() throws(RunnerError) -> BareMirror {
        let name = RunnerCache.mirrorName(for: repo)
        let incoming = cache.incomingFolder + "/" + name + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try checkLocalPathExists()
        do {
            _ = try BareMirror.clone(from: repo, into: incoming, progress: TransferReporter("cloning \(displayRepo)").report)
        } catch {
            try? FolderRemoval.remove(incoming)
            throw .unreachable(repo: displayRepo, reason: error.reason.replacingOccurrences(of: repo, with: displayRepo))
        }
        let path = cache.mirrorPath(for: repo)
        guard rename(incoming, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FolderRemoval.remove(incoming)
            throw .cache(path: path, reason: "cannot move the new clone into place: \(reason)")
        }
        do { return try BareMirror.open(at: path) } catch {
            throw .cache(path: path, reason: "the new clone does not open: \(error.reason)")
        }
    }

    /// libgit2 reads a missing local path as an unknown URL scheme; say what is wrong instead.
    private func checkLocalPathExists() throws(RunnerError) {
        if repo.hasPrefix("/"), !FileManager.default.fileExists(atPath: repo) {
            throw .unreachable(repo: repo, reason: "no such folder")
        }
    }

    /// Clones of this repository that a killed run left in `incoming/`. Only called with the
    /// mirror's lock held, so no live runner is writing them.
    private func removeIncomingClones() throws(RunnerError) {
        let prefix = RunnerCache.mirrorName(for: repo) + "."
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: cache.incomingFolder)) ?? []
        for entry in entries where entry.hasPrefix(prefix) {
            try FolderRemoval.remove(cache.incomingFolder + "/" + entry)
        }
    }

    /// Ref lock files (`*.lock`) a killed fetch left behind would make every later fetch fail.
    /// With the mirror's lock held no live runner is writing refs, so any there are stale.
    private func removeStaleRefLocks(in path: String) {
        unlink(path + "/packed-refs.lock")
        unlink(path + "/HEAD.lock")
        unlink(path + "/config.lock")
        guard let walker = FileManager.default.enumerator(atPath: path + "/refs") else { return }
        for case let entry as String in walker where entry.hasSuffix(".lock") {
            unlink(path + "/refs/" + entry)
        }
    }
}
