import FileIO
import Foundation
import Workspace

/// What the pages read, kept between requests: each journey file parsed once, each sealed file
/// and each `recipients.yaml` read once until its size, time or inode changes (a `stat` per
/// file per request). So the Secrets page of a workspace with a thousand journeys and secrets
/// answers in milliseconds, and edits made outside the page (the CLI, git, a text editor) show
/// at the next request. The routes that list journeys, secrets, recipients or the schema, and
/// the answer of every secret write, read through here. (Removing a secret still scans every
/// journey file on disk, broken ones included: a reference must block it even where the
/// journey does not parse.)
///
/// A file changed twice within the file system's clock tick can keep its stamp (same size,
/// same time, an inode reused by `git checkout`). So a file whose time is that close to when
/// it was read stays *racy* (as git calls it): its bytes are hashed when read and compared
/// again at each request until its time is safely in the past.
final class WorkspaceIndex: @unchecked Sendable {
    struct Stamp: Equatable {
        var size: Int64
        var seconds: Int
        var nanoseconds: Int
        var inode: UInt64

        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            size = Int64(info.st_size)
            seconds = info.st_mtim.tv_sec
            nanoseconds = info.st_mtim.tv_nsec
            inode = UInt64(info.st_ino)
        }

        /// Modified so recently that a further change could still carry this same stamp. File
        /// times come from the kernel's coarse clock (one tick, a few milliseconds, behind), so
        /// 100 ms is ample where times keep nanoseconds; a time of whole seconds says the file
        /// system keeps only those, and then 2 s.
        var isRecent: Bool {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let age = Int64(now.tv_sec - seconds) * 1_000_000_000 + Int64(now.tv_nsec - nanoseconds)
            return age <= (nanoseconds == 0 ? 2_000_000_000 : 100_000_000)
        }
    }

    struct JourneyEntry {
        var id: String
        var file: String
        var result: Result<Journey, JourneyError>
    }

    /// A file's parsed form with the stamp it had when read; `digest` is kept while it is racy.
    private struct Cached<Value> {
        var stamp: Stamp
        var digest: UInt64?
        var value: Value
    }

    let workspace: Workspace
    /// Goes up whenever a cached file is added, changed or removed: answers built from the
    /// index can be reused while it stays the same.
    private var changes = 0
    var generation: Int { lock.withLock { changes } }
    private let lock = NSLock()
    /// Keyed by path: each environment's files stay cached beside the others'.
    private var journeyCache: [String: Cached<JourneyEntry>] = [:]
    private var sealedCache: [String: Cached<Result<SealedFile, WorkspaceError>>] = [:]
    private var recipientsCache: [String: Cached<Result<[Recipient], WorkspaceError>>] = [:]
    private var usageCache: (generation: Int, environment: EnvironmentName?, uses: [String: [String]])?

    /// The workspace's root with every link resolved: journey files must lie under it.
    private let physicalRoot: String

    init(workspace: Workspace) {
        self.workspace = workspace
        physicalRoot = Self.physicalPath(workspace.root) ?? workspace.root
    }

    /// `path` with every symbolic link resolved (`realpath`), or nil when it does not exist.
    static func physicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` (a file in `journeys/`) is, after its links, a file inside the workspace.
    /// A checked-out repository may carry `journeys/x.yaml -> ~/.config/journey/keys/me.key`:
    /// the editor would send that file's text to the page.
    func isInsideWorkspace(_ path: String) -> Bool {
        guard let physical = Self.physicalPath(path) else { return false }
        return physical.hasPrefix(physicalRoot == "/" ? "/" : physicalRoot + "/")
    }

    /// The problem shown for a journey file that leads outside the workspace.
    func outsideProblem(_ display: String) -> JourneyError {
        .invalid([
            JourneyProblem(
                SourceLocation(file: display),
                "a symbolic link (or a linked folder) that leads outside the workspace; it is not read. Replace it with the journey file itself")
        ])
    }

    /// The value cached for `path`, re-read with `load` when the file changed; `nil` (and
    /// dropped from the cache) when the file is gone. Called under `lock`.
    private func lookup<Value>(_ path: String, in cache: inout [String: Cached<Value>], load: () -> Value) -> Value? {
        guard let stamp = Stamp(path) else {
            if cache.removeValue(forKey: path) != nil { changes += 1 }
            return nil
        }
        if var entry = cache[path], entry.stamp == stamp {
            guard let digest = entry.digest else { return entry.value }
            if Self.digest(path) == digest {
                if !stamp.isRecent {
                    entry.digest = nil
                    cache[path] = entry
                }
                return entry.value
            }
        }
        // The digest before the read: a change in between makes the next lookup read again.
        let digest = stamp.isRecent ? Self.digest(path) : nil
        let value = load()
        cache[path] = Cached(stamp: stamp, digest: digest, value: value)
        changes += 1
        return value
    }

    /// FNV-1a of a file's bytes (0 when it cannot be read).
    static func digest(_ path: String) -> UInt64 {
        guard let bytes = try? SmallFile.read(path) else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// Every journey file, parsed (from the cache where unchanged), by file name.
    func journeys() -> [JourneyEntry] {
        let folder = workspace.journeysFolder
        let names = Self.list(folder).filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted()
        return lock.withLock {
            var entries: [JourneyEntry] = []
            var seen = Set<String>()
            for name in names {
                let path = folder + "/" + name
                seen.insert(path)
                let entry = lookup(path, in: &journeyCache) {
                    let display = workspace.relative(path)
                    let result =
                        isInsideWorkspace(path)
                        ? Result { () throws(JourneyError) -> Journey in try JourneyParser.load(path, displayPath: display) }
                        : .failure(outsideProblem(display))
                    return JourneyEntry(id: Self.id(ofFile: name), file: display, result: result)
                }
                if let entry { entries.append(entry) }
            }
            for path in journeyCache.keys where !seen.contains(path) {
                journeyCache[path] = nil
                changes += 1
            }
            return entries
        }
    }

    /// A journey's id in URLs: its file name without `.yaml`.
    static func id(ofFile name: String) -> String {
        (name as NSString).deletingPathExtension
    }

    /// The file of journey `id`: a plain name (no `/`, no leading `.`, no control character)
    /// of a file in `journeys/` that lies inside the workspace once its links are resolved.
    func journeyPath(id: String) throws(AdminUIError) -> String {
        guard !id.isEmpty, !id.contains("/"), !id.hasPrefix("."), id.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw .notFound("no journey '\(AccessControl.printable(id))' in journeys/")
        }
        for suffix in [".yaml", ".yml"] {
            let path = workspace.journeysFolder + "/" + id + suffix
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard isInsideWorkspace(path) else {
                throw .request(
                    status: 403, message: "\(workspace.relative(path)) leads outside the workspace; it is not read or written here",
                    fix: "replace the link with the journey file itself")
            }
            return path
        }
        throw .notFound("no journey '\(AccessControl.printable(id))' in journeys/")
    }

    /// Every sealed file's clear metadata in `store` (the workspace or one environment's
    /// store; from the cache where unchanged).
    func sealedFiles(in store: Workspace) throws(WorkspaceError) -> [(name: SecretName, result: Result<SealedFile, WorkspaceError>)] {
        try store.requireEnvironmentChosen()
        let suffix = "." + Workspace.sealedExtension
        let names = Self.list(store.secretsFolder).compactMap { entry -> SecretName? in
            guard entry.hasSuffix(suffix), !entry.hasPrefix(".") else { return nil }
            return try? SecretName(String(entry.dropLast(suffix.count)))
        }.sorted()
        return lock.withLock {
            var out: [(name: SecretName, result: Result<SealedFile, WorkspaceError>)] = []
            var seen = Set<String>()
            for name in names {
                let path = store.sealedPath(name)
                seen.insert(path)
                if let result = lookup(path, in: &sealedCache, load: { Result { () throws(WorkspaceError) in try store.readSealed(name) } }) {
                    out.append((name, result))
                }
            }
            for path in sealedCache.keys where !seen.contains(path) && (path as NSString).deletingLastPathComponent == store.secretsFolder {
                sealedCache[path] = nil
                changes += 1
            }
            return out
        }
    }

    /// One sealed file's clear metadata in `store` (from the cache where unchanged); `nil`
    /// when it has no sealed file.
    func sealedFile(_ name: SecretName, in store: Workspace) throws(WorkspaceError) -> Result<SealedFile, WorkspaceError>? {
        try store.requireEnvironmentChosen()
        let path = store.sealedPath(name)
        return lock.withLock { lookup(path, in: &sealedCache) { Result { () throws(WorkspaceError) in try store.readSealed(name) } } }
    }

    /// `store`'s `recipients.yaml`, parsed once until it changes.
    func recipients(in store: Workspace) throws(WorkspaceError) -> [Recipient] {
        try store.requireEnvironmentChosen()
        let path = store.recipientsPath
        let cached = lock.withLock { lookup(path, in: &recipientsCache) { Result { () throws(WorkspaceError) in try store.recipients() } } }
        // No file: whatever the store says of that (an empty list, or its error).
        guard let cached else { return try store.recipients() }
        return try cached.get()
    }

    /// A folder's entry names with `readdir` (Foundation's listing costs several times more).
    static func list(_ folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Which journeys (by name) use each secret in `environment` (nil: the flat layout), from
    /// the parsed journeys: a journey that lists its environments uses none of the others'.
    func usage(in environment: EnvironmentName?) -> [String: [String]] {
        let generation = self.generation
        return usage(of: journeys(), asOf: generation, in: environment)
    }

    /// The same, of `entries` just taken from `journeys()` with the index at `generation` (read
    /// before `journeys()`): cached under it, so entries older than a change another request
    /// counted meanwhile are never kept under the newer count.
    func usage(of entries: [JourneyEntry], asOf generation: Int, in environment: EnvironmentName?) -> [String: [String]] {
        let current = self.generation
        if let cached = lock.withLock({ usageCache }), cached.generation == current, cached.environment == environment { return cached.uses }
        let uses = computeUsage(entries, in: environment)
        lock.withLock { usageCache = (generation, environment, uses) }
        return uses
    }

    private func computeUsage(_ entries: [JourneyEntry], in environment: EnvironmentName?) -> [String: [String]] {
        var uses: [String: Set<String>] = [:]
        for entry in entries {
            guard case .success(let journey) = entry.result else { continue }
            if let environment, let listed = journey.environments, !listed.contains(environment) { continue }
            for name in journey.secretNames { uses[name.rawValue, default: []].insert(journey.name) }
        }
        return uses.mapValues { $0.sorted() }
    }
}
