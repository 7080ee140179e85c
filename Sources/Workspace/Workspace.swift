import FileIO
import Foundation
import Sealing
import Yams

/// `workspace.yaml`: the workspace's identity and settings.
package struct WorkspaceConfig: Sendable, Equatable {
    /// Random 128-bit hex; bound into every sealed value so a file cannot move between workspaces.
    package var id: String
    package var name: String
    /// Put before every variable name in local runs and `exec` (`settings.env-prefix`).
    package var envPrefix: String
    /// The environments (`environments: { staging: {}, production: {} }`), sorted; empty for
    /// the flat layout of a workspace without environments.
    package var environments: [EnvironmentName]

    package init(id: String, name: String, envPrefix: String = "", environments: [EnvironmentName] = []) {
        self.id = id
        self.name = name
        self.envPrefix = envPrefix
        self.environments = environments
    }

    package static func parse(_ file: YAMLFile) throws(WorkspaceError) -> WorkspaceConfig {
        let root = try file.rootMapping(describedAs: "a workspace: id, name and optional settings")
        try file.rejectUnknownKeys(root, allowed: ["id", "name", "settings", "environments"], in: "workspace.yaml")
        let id = try file.requiredString("id", in: root, at: file.root)
        guard id.utf8.count == 32, id.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw file.malformed(root["id"]!, "expected 'id' to be 32 lowercase hex digits (a random 128-bit id, as 'journey init' writes)")
        }
        let name = try file.string("name", in: root, at: file.root) ?? ""
        var prefix = ""
        if let settingsNode = root["settings"] {
            guard let settings = settingsNode.mapping else { throw file.malformed(settingsNode, "expected 'settings' to be a mapping") }
            try file.rejectUnknownKeys(settings, allowed: ["env-prefix"], in: "settings")
            prefix = try file.string("env-prefix", in: settings, at: settingsNode) ?? ""
            guard prefix.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) else {
                throw file.malformed(settings["env-prefix"]!, "expected 'env-prefix' to hold only A-Z, 0-9 and '_'")
            }
        }
        return WorkspaceConfig(id: id, name: name, envPrefix: prefix, environments: try parseEnvironments(root["environments"], in: file))
    }

    /// `environments:` maps each name to an empty mapping (room for per-environment settings).
    private static func parseEnvironments(_ node: Node?, in file: YAMLFile) throws(WorkspaceError) -> [EnvironmentName] {
        guard let node, node.null == nil else { return [] }
        let expected = "expected 'environments' to map each environment name to {}, e.g. 'environments: { staging: {}, production: {} }'"
        guard let mapping = node.mapping else { throw file.malformed(node, expected) }
        var names: [EnvironmentName] = []
        for (key, value) in mapping {
            guard let text = key.scalar?.string else { throw file.malformed(key, expected) }
            do { names.append(try EnvironmentName(text)) } catch { throw file.malformed(key, error.description) }
            if let settings = value.mapping {
                try file.rejectUnknownKeys(settings, allowed: [], in: "environment '\(text)'")
            } else if value.null == nil {
                throw file.malformed(value, expected)
            }
        }
        return names.sorted()
    }

    package func encoded() -> String {
        var text = "# A journey workspace. The id is bound into every sealed value: never change it.\n"
        text += "id: \(id)\n"
        text += "name: \(YAMLText.quoted(name))\n"
        if !envPrefix.isEmpty { text += "settings:\n  env-prefix: \(envPrefix)\n" }
        if !environments.isEmpty {
            text += "environments:\n" + environments.map { "  \($0): {}\n" }.joined()
        }
        return text
    }
}

/// A workspace on disk: its config, recipients and sealed store. In a workspace with
/// environments a `Workspace` value reads and writes one environment's store
/// (`secrets/<env>/`); `environment` is nil for the flat layout, and for commands that only
/// read journeys.
package final class Workspace: Sendable {
    package static let configFileName = "workspace.yaml"
    package static let sealedExtension = "sealed"

    package let root: String
    package let config: WorkspaceConfig
    /// The environment whose store this value reads and writes; nil: the flat layout.
    package let environment: EnvironmentName?

    package var configPath: String { root + "/" + Self.configFileName }
    package var journeysFolder: String { root + "/journeys" }
    /// `secrets/`, the flat layout's store and the parent of every environment's folder.
    package var secretsRoot: String { root + "/secrets" }
    /// The store this value reads and writes: `secrets/<env>/`, or `secrets/` when flat.
    package var secretsFolder: String { environment.map { secretsRoot + "/" + $0.rawValue } ?? secretsRoot }
    package var recipientsPath: String { secretsFolder + "/recipients.yaml" }
    package var localFolder: String { root + "/.journey" }
    package var localSecretsPath: String { localFolder + "/local-secrets.yaml" }
    var locksFolder: String { localFolder + "/locks" }

    /// Opens the workspace at `root`. `environment` must be one the workspace lists (or nil);
    /// nil in a workspace with environments gives a value that reads journeys but whose store
    /// calls fail with `environmentRequired` (see `requireEnvironmentChosen`).
    package init(root: String, environment: EnvironmentName? = nil) throws(WorkspaceError) {
        self.root = root
        try Self.checkOwnership(root: root)
        config = try WorkspaceConfig.parse(YAMLFile.load(root + "/" + Self.configFileName))
        // Each environment's store chooses its own readers: checked as the flat one is.
        try Self.checkOwnership(root: root, paths: config.environments.flatMap { ["secrets/\($0)", "secrets/\($0)/recipients.yaml"] })
        if let environment, !config.environments.contains(environment) {
            throw .unknownEnvironment(environment.rawValue, available: config.environments.map(\.rawValue))
        }
        self.environment = environment
    }

    init(root: String, config: WorkspaceConfig, environment: EnvironmentName? = nil) {
        self.root = root
        self.config = config
        self.environment = environment
    }

    /// The same workspace, reading and writing `environment`'s store (nil: the flat layout).
    package func selecting(_ environment: EnvironmentName?) throws(WorkspaceError) -> Workspace {
        if let environment, !config.environments.contains(environment) {
            throw .unknownEnvironment(environment.rawValue, available: config.environments.map(\.rawValue))
        }
        return Workspace(root: root, config: config, environment: environment)
    }

    /// Every store of the workspace: one per environment, or the flat one.
    package func everyEnvironment() -> [Workspace] {
        let chosen: [EnvironmentName?] = config.environments.isEmpty ? [nil] : config.environments
        return chosen.map { Workspace(root: root, config: config, environment: $0) }
    }

    /// Fails when the workspace has environments and none is chosen: the flat store of such a
    /// workspace is never read or written.
    package func requireEnvironmentChosen() throws(WorkspaceError) {
        if environment == nil, !config.environments.isEmpty {
            throw .environmentRequired(available: config.environments.map(\.rawValue))
        }
    }

    /// Lists folders trusted even when another user owns them, as git's `safe.directory`:
    /// colon-separated paths, or `*` for every folder.
    package static let safeDirectoryVariable = "JOURNEY_SAFE_DIRECTORY"

    /// Refuses a workspace whose folder, `workspace.yaml`, `secrets/` or `recipients.yaml`
    /// (or, given as `paths` relative to the root, an environment's store) another user owns:
    /// whoever planted it (in a shared folder above this one, say) chose the keys values are
    /// sealed for. Checked as git checks `safe.directory`.
    static func checkOwnership(
        root: String, paths: [String] = [configFileName, "secrets", "secrets/recipients.yaml"],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(WorkspaceError) {
        let trusted = (environment[safeDirectoryVariable] ?? "").split(separator: ":").map(String.init)
        let standardRoot = URL(fileURLWithPath: root).standardizedFileURL.path
        if trusted.contains(where: { $0 == "*" || URL(fileURLWithPath: $0).standardizedFileURL.path == standardRoot }) { return }
        let me = geteuid()
        for path in [root] + paths.map({ root + "/" + $0 }) {
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }  // a missing one is reported where it is read
            guard status.st_uid == me else {
                throw .notOwned(path: path, owner: status.st_uid, user: me, root: standardRoot)
            }
        }
    }

    /// Walks up from `start` to the nearest folder holding `workspace.yaml`.
    package static func locate(startingAt start: String, environment: EnvironmentName? = nil) throws(WorkspaceError) -> Workspace {
        var folder = URL(fileURLWithPath: start).standardizedFileURL.path
        while true {
            if FileManager.default.fileExists(atPath: folder + "/" + configFileName) {
                return try Workspace(root: folder, environment: environment)
            }
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder || parent.isEmpty { throw .notFound(startingAt: start) }
            folder = parent
        }
    }

    /// Creates a new workspace in `folder`: `workspace.yaml` with a fresh id, the folders, an
    /// empty recipients file and `.gitignore` entries that keep local values out of git.
    @discardableResult
    package static func create(at folder: String, name: String) throws(WorkspaceError) -> Workspace {
        let configPath = folder + "/" + configFileName
        guard !FileManager.default.fileExists(atPath: configPath) else { throw .alreadyInitialised(path: configPath) }
        do {
            for sub in ["journeys", "secrets"] {
                try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
            }
        } catch {
            throw .io(path: folder, reason: "cannot create folders: \(error.localizedDescription)")
        }
        let recipients = folder + "/secrets/recipients.yaml"
        if !FileManager.default.fileExists(atPath: recipients) {
            try writeAtomically(Array(RecipientsFile.encode([]).utf8), to: recipients)
        }
        try ensureGitIgnore(in: folder)
        try writeAtomically(Array(WorkspaceConfig(id: Hex.randomID(), name: name).encoded().utf8), to: configPath)
        return try Workspace(root: folder)
    }

    static let ignoredEntries = [".journey/", "*.key", AtomicFile.tempPrefix + "*"]

    private static func ensureGitIgnore(in folder: String) throws(WorkspaceError) {
        let path = folder + "/.gitignore"
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let lines = Set(existing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        let missing = ignoredEntries.filter { !lines.contains($0) }
        guard !missing.isEmpty else { return }
        var text = existing
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += "# journey: local secret values and private keys never go into git\n"
        text += missing.joined(separator: "\n") + "\n"
        try writeAtomically(Array(text.utf8), to: path)
    }

    /// Paths relative to the workspace, for messages.
    package func relative(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// Takes the workspace's write lock for `name` (one lock file per name under `.journey/locks`).
    func lock(_ name: String) throws(WorkspaceError) -> FileLock {
        do throws(FileIOError) {
            return try FileLock(path: locksFolder + "/" + name + ".lock") {
                FileHandle.standardError.write(Data("journey: waiting for another journey process writing \(name)…\n".utf8))
            }
        } catch {
            throw WorkspaceError(error)
        }
    }
}

/// `AtomicFile.write`, failing with a workspace error.
func writeAtomically(_ contents: [UInt8], to path: String, beforeRename: () throws -> Void = {}) throws(WorkspaceError) {
    do throws(FileIOError) {
        try AtomicFile.write(contents, to: path, beforeRename: beforeRename)
    } catch {
        throw WorkspaceError(error)
    }
}
