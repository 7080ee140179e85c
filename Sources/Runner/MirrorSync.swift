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
    /// The longest the remote may stay silent during a connect, a clone or a fetch.
    package let networkTimeout: Duration

    /// `repo` as given on the command line; a local path is made absolute so the same
    /// repository gets the same mirror from any current folder.
    package init(cache: RunnerCache, repo: String, networkTimeout: Duration = RunnerRequest.defaultNetworkTimeout) {
        self.cache = cache
        self.repo = Self.normalised(repo)
        self.networkTimeout = networkTimeout
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

    /// Updates the mirror as needed, resolves `ref`, checks it against `policy` and writes its
    /// tree into `folder` within `limits`. `onFetched` runs once the mirror is up to date, with
    /// the mirror's lock held (the rollback guard reads its marks there). A mirror that cannot
    /// produce the commit (truncated packs, missing index files, missing objects) is rebuilt
    /// once; if the fresh clone fails too, the error stands.
    package func checkOut(
        ref: String, into folder: String, limits: CheckoutLimits = .defaults, policy: RefPolicy = RefPolicy(patterns: []),
        onFetched: () throws(RunnerError) -> Void = {}
    ) throws(RunnerError) -> CheckedOutCommit {
        let held = try cache.lock(cache.mirrorLockPath(for: repo), waitingFor: displayRepo)
        defer { withExtendedLifetime(held) {} }
        let clock = ContinuousClock()
        let fetchStart = clock.now
        var (mirror, update) = try upToDateMirror(for: ref)
        try onFetched()
        var fetchDuration = clock.now - fetchStart

        var checkoutStart = clock.now
        let resolved: ResolvedRef
        switch attemptCheckout(ref, from: mirror, into: folder, limits: limits, policy: policy) {
        case .success(let found):
            resolved = found
        case .failure(.refused(let error)):
            throw error
        case .failure(.damagedMirror(let reason)):
            guard update != .cloned && update != .rebuilt else { throw .unusableRef(ref: ref, repo: displayRepo, reason: reason) }
            let rebuildStart = clock.now
            mirror = try rebuild()
            update = .rebuilt
            fetchDuration += clock.now - rebuildStart
            try Self.emptyFolder(folder)
            checkoutStart = clock.now
            switch attemptCheckout(ref, from: mirror, into: folder, limits: limits, policy: policy) {
            case .success(let found): resolved = found
            case .failure(.refused(let error)): throw error
            case .failure(.damagedMirror(let reason)):
                throw .unusableRef(ref: ref, repo: displayRepo, reason: reason + " (also after cloning the repository again)")
            }
        }
        return CheckedOutCommit(
            repo: displayRepo, ref: ref, resolved: resolved, update: update,
            fetchDuration: fetchDuration, checkoutDuration: clock.now - checkoutStart)
    }

    /// Why a checkout attempt failed: a refusal that stands, or a mirror that may be damaged.
    private enum Attempt: Error {
        case refused(RunnerError)
        case damagedMirror(reason: String)
    }

    private func attemptCheckout(
        _ ref: String, from mirror: BareMirror, into folder: String, limits: CheckoutLimits, policy: RefPolicy
    ) -> Result<ResolvedRef, Attempt> {
        Result { () throws(Attempt) -> ResolvedRef in try writeCheckout(ref, from: mirror, into: folder, limits: limits, policy: policy) }
    }

    private func writeCheckout(
        _ ref: String, from mirror: BareMirror, into folder: String, limits: CheckoutLimits, policy: RefPolicy
    ) throws(Attempt) -> ResolvedRef {
        let resolved: ResolvedRef
        do {
            guard let found = try mirror.resolve(ref) else { throw Attempt.refused(.unknownRef(ref: ref, repo: displayRepo)) }
            resolved = found
        } catch let error as Attempt {
            throw error
        } catch let error as GitError where error.isLibraryFailure {
            throw .damagedMirror(reason: "cannot resolve '\(ref)': \(error.reason)")
        } catch {
            throw .refused(.unusableRef(ref: ref, repo: displayRepo, reason: (error as? GitError)?.reason ?? "\(error)"))
        }
        guard policy.isEmpty || policy.allows(resolved, in: mirror) else {
            throw .refused(.refNotAllowed(ref: ref, patterns: policy.patterns))
        }
        do {
            try mirror.writeTree(ofCommit: resolved.commit, into: folder, limits: limits)
        } catch .checkoutRefused(let refusal) {
            throw .refused(.checkoutRefused(commit: resolved.commit, reason: refusal.description, fix: Self.fix(for: refusal)))
        } catch  where error.isLibraryFailure {
            throw .damagedMirror(reason: error.message)
        } catch {
            throw .refused(.checkout(commit: resolved.commit, reason: error.message))
        }
        return resolved
    }

    private static func fix(for refusal: CheckoutRefusal) -> String {
        switch refusal {
        case .fileTooLarge: return "if the file is meant to be there, raise the limit with --max-file-size"
        case .tooManyEntries: return "if the tree is meant to be that big, raise the limit with --max-checkout-files"
        case .tooLarge: return "if the tree is meant to be that big, raise the limit with --max-checkout-size"
        case .linkOutside: return "a checked-out repository may only link to its own files; remove the link or make it relative inside the repository"
        }
    }

    /// Removes everything inside `folder`, keeping the folder (its run holds a lock on it).
    private static func emptyFolder(_ folder: String) throws(RunnerError) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            try FolderRemoval.remove(folder + "/" + entry)
        }
    }

    private func rebuild() throws(RunnerError) -> BareMirror {
        try FolderRemoval.remove(cache.mirrorPath(for: repo))
        return try cloneIntoPlace()
    }

    /// A watchdog for one network operation; if the operation cannot be woken, the runner says
    /// why and exits 2, which releases its locks.
    /// `nil` for a local path or `file://` URL: nothing there can go silent, and a large local
    /// clone copies objects without calling back, which a watchdog would take for silence.
    private func watchdog() -> NetworkWatchdog? {
        if Self.isLocalPath(repo) || repo.hasPrefix("file://") { return nil }
        let message = "journey: error: \(RunnerError.networkTimeout(repo: displayRepo, seconds: seconds).description)\n"
        return NetworkWatchdog(timeout: networkTimeout) {
            FileHandle.standardError.write(Data(message.utf8))
            _exit(2)
        }
    }

    private var seconds: Int { Int(networkTimeout.components.seconds) }

    /// The runner's error for a failed network operation: a timeout, a repository of another
    /// user, or an unreachable repository.
    private func networkError(_ error: GitError, watchdog: NetworkWatchdog?) -> RunnerError {
        if watchdog?.timedOut == true { return .networkTimeout(repo: displayRepo, seconds: seconds) }
        // libgit2 1.5 says "config value 'safe.directory' was not found" (later: "not owned by current user").
        if Self.isLocalPath(repo) || repo.hasPrefix("file://"), error.reason.contains("safe.directory") || error.reason.contains("not owned") {
            let path = repo.hasPrefix("file://") ? String(repo.dropFirst("file://".count)) : repo
            var status = stat()
            if stat(path, &status) == 0, status.st_uid != geteuid() {
                return .repositoryOwnedByAnotherUser(repo: displayRepo, owner: status.st_uid)
            }
        }
        if Self.isDiskFull(error, cache: cache.root) { return .diskFull(path: cache.root, repo: displayRepo) }
        return .unreachable(repo: displayRepo, reason: error.reason.replacingOccurrences(of: repo, with: displayRepo))
    }

    /// Whether a failed transfer ran out of room in the cache: libgit2 names the errno in some
    /// messages, not in all (its pack indexer only says a write failed), so the cache's file
    /// system is asked too.
    private static func isDiskFull(_ error: GitError, cache: String) -> Bool {
        if error.reason.contains(String(cString: strerror(ENOSPC))) || error.reason.contains(String(cString: strerror(EDQUOT))) {
            return true
        }
        var status = statvfs()
        guard statvfs(cache, &status) == 0 else { return false }
        return UInt64(status.f_bavail) * UInt64(status.f_frsize) < 64 * 1024 || status.f_favail == 0
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
        let watchdog = watchdog()
        do {
            connection = try OriginConnection(to: mirror, watchdog: watchdog)
            advertised = try connection.advertisedRefs()
        } catch {
            throw networkError(error, watchdog: watchdog)
        }
        let unmoved = namedRefs.allSatisfy { advertised[$0] == mirror.localTarget(ofRef: $0) }
        let knownOnRemote = namedRefs.contains { advertised[$0] != nil }
        if unmoved && (knownOnRemote || !BareMirror.looksLikeCommitID(ref)) { return (mirror, .upToDate) }

        do {
            try connection.fetch(progress: TransferReporter("fetching \(displayRepo)").report)
        } catch {
            if watchdog?.timedOut == true { throw .networkTimeout(repo: displayRepo, seconds: seconds) }
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
        let watchdog = watchdog()
        do {
            _ = try BareMirror.clone(from: repo, into: incoming, progress: TransferReporter("cloning \(displayRepo)").report, watchdog: watchdog)
        } catch {
            try? FolderRemoval.remove(incoming)
            throw networkError(error, watchdog: watchdog)
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
