import Foundation
import Workspace

/// What the pages list, kept between requests: each journey file parsed once and each sealed
/// file read once until its size, time or inode changes (a `stat` per file per request). So
/// the Secrets page of a workspace with a thousand journeys and secrets answers in
/// milliseconds, and edits made outside the page (the CLI, git) show at the next request.
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
    }

    struct JourneyEntry {
        var id: String
        var file: String
        var result: Result<Journey, JourneyError>
    }

    let workspace: Workspace
    /// Goes up whenever a cached file is added, changed or removed: answers built from the
    /// index can be reused while it stays the same.
    private var changes = 0
    var generation: Int { lock.withLock { changes } }
    private let lock = NSLock()
    private var journeyCache: [String: (stamp: Stamp, entry: JourneyEntry)] = [:]
    private var sealedCache: [String: (stamp: Stamp, result: Result<SealedFile, WorkspaceError>)] = [:]

    init(workspace: Workspace) {
        self.workspace = workspace
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
                guard let stamp = Stamp(path) else { continue }
                seen.insert(name)
                if let cached = journeyCache[name], cached.stamp == stamp {
                    entries.append(cached.entry)
                    continue
                }
                let display = workspace.relative(path)
                let result = Result { () throws(JourneyError) -> Journey in try JourneyParser.load(path, displayPath: display) }
                let entry = JourneyEntry(id: Self.id(ofFile: name), file: display, result: result)
                journeyCache[name] = (stamp, entry)
                changes += 1
                entries.append(entry)
            }
            for name in journeyCache.keys where !seen.contains(name) {
                journeyCache[name] = nil
                changes += 1
            }
            return entries
        }
    }

    /// A journey's id in URLs: its file name without `.yaml`.
    static func id(ofFile name: String) -> String {
        (name as NSString).deletingPathExtension
    }

    /// The file of journey `id`, or nil.
    func journeyPath(id: String) -> String? {
        guard !id.isEmpty, !id.contains("/"), !id.hasPrefix("."), id.unicodeScalars.allSatisfy({ $0.value >= 0x20 }) else { return nil }
        for suffix in [".yaml", ".yml"] {
            let path = workspace.journeysFolder + "/" + id + suffix
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
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
                guard let stamp = Stamp(path) else { continue }
                seen.insert(path)
                if let cached = sealedCache[path], cached.stamp == stamp {
                    out.append((name, cached.result))
                    continue
                }
                let result = Result { () throws(WorkspaceError) -> SealedFile in try store.readSealed(name) }
                sealedCache[path] = (stamp, result)
                changes += 1
                out.append((name, result))
            }
            // Keyed by path: each environment's files stay cached beside the others'.
            for path in sealedCache.keys where !seen.contains(path) && (path as NSString).deletingLastPathComponent == store.secretsFolder {
                sealedCache[path] = nil
                changes += 1
            }
            return out
        }
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

    private var usageCache: (generation: Int, environment: EnvironmentName?, uses: [String: [String]])?
    private var recipientsCache: [String: (stamp: Stamp, recipients: [Recipient])] = [:]

    /// `store`'s `recipients.yaml`, parsed once until it changes.
    func recipients(in store: Workspace) throws(WorkspaceError) -> [Recipient] {
        guard let stamp = Stamp(store.recipientsPath) else { return try store.recipients() }
        if let cached = lock.withLock({ recipientsCache[store.recipientsPath] }), cached.stamp == stamp { return cached.recipients }
        let list = try store.recipients()
        lock.withLock { recipientsCache[store.recipientsPath] = (stamp, list) }
        return list
    }

    /// Which journeys (by name) use each secret in `environment` (nil: the flat layout), from
    /// the parsed journeys: a journey that lists its environments uses none of the others'.
    func usage(in environment: EnvironmentName?) -> [String: [String]] {
        let entries = journeys()
        let current = generation
        if let cached = lock.withLock({ usageCache }), cached.generation == current, cached.environment == environment { return cached.uses }
        let uses = computeUsage(entries, in: environment)
        lock.withLock { usageCache = (current, environment, uses) }
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
