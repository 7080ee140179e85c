internal import Clibgit2
import FoundationEssentials

/// An open git repository; owns its `git_repository` handle and frees it on deinit.
package final class Repository {
    // libgit2 allows a repository on one thread at a time: Repository is deliberately not Sendable.
    let handle: OpaquePointer

    init(owning handle: OpaquePointer) { self.handle = handle }
    deinit { git_repository_free(handle) }

    /// Opens the repository at `path` exactly (`git_repository_open`).
    package static func open(at path: String) throws(GitError) -> Repository {
        LibGit2.ensureReady()
        var pointer: OpaquePointer?
        try check("open repository at \(path)", git_repository_open(&pointer, path))
        return Repository(owning: pointer!)
    }

    /// Finds the repository that contains `path`, walking up (`git_repository_discover`);
    /// `nil` when `path` is in no repository.
    package static func discover(containing path: String) throws(GitError) -> Repository? {
        LibGit2.ensureReady()
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        let status = git_repository_discover(&buffer, path, 0, nil)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        try check("find the git repository containing \(path)", status)
        return try open(at: String(cString: buffer.ptr))
    }

    /// Creates a repository (`git_repository_init`), used by tests and `journey init` users.
    package static func create(at path: String, bare: Bool = false) throws(GitError) -> Repository {
        LibGit2.ensureReady()
        var pointer: OpaquePointer?
        try check("create repository at \(path)", git_repository_init(&pointer, path, bare ? 1 : 0))
        return Repository(owning: pointer!)
    }

    /// The working folder, with a trailing slash removed; `nil` for a bare repository.
    package var workingDirectory: String? {
        guard let path = git_repository_workdir(handle) else { return nil }
        return Self.trimmed(String(cString: path))
    }

    /// The `.git` folder (or the bare repository itself).
    package var gitDirectory: String { Self.trimmed(String(cString: git_repository_path(handle))) }

    /// A string from the repository's layered config (system, global, local); `nil` when unset.
    package func configString(_ key: String) throws(GitError) -> String? {
        var config: OpaquePointer?
        try check("read git config", git_repository_config_snapshot(&config, handle))
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        let status = git_config_get_string(&value, config, key)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        try check("read git config \(key)", status)
        return value.map { String(cString: $0) }
    }

    /// Whether `key` is set outside this repository (global, XDG or system config), so that it
    /// applies to every repository of the user or the machine (`git_config_get_entry`).
    package func isConfiguredOutsideRepository(_ key: String) throws(GitError) -> Bool {
        var config: OpaquePointer?
        try check("read git config", git_repository_config_snapshot(&config, handle))
        defer { git_config_free(config) }
        var entry: UnsafeMutablePointer<git_config_entry>?
        let status = git_config_get_entry(&entry, config, key)
        if status == GIT_ENOTFOUND.rawValue { return false }
        try check("read git config \(key)", status)
        defer { git_config_entry_free(entry) }
        let level = entry!.pointee.level
        return level != GIT_CONFIG_LEVEL_LOCAL && level != GIT_CONFIG_LEVEL_APP
    }

    /// The folder git runs hooks from: `core.hooksPath` when set (relative to the working folder,
    /// `~` expanded, as git does), otherwise `hooks` in the common git folder, which every
    /// linked worktree shares (a worktree's private folder is never searched for hooks).
    package func hooksDirectory() throws(GitError) -> String {
        guard let configured = try configString("core.hooksPath"), !configured.isEmpty else {
            return commonDirectory + "/hooks"
        }
        if configured.hasPrefix("/") { return configured }
        if configured.hasPrefix("~/") {
            return (ProcessInfo.processInfo.environment["HOME"] ?? "") + configured.dropFirst()
        }
        return (workingDirectory ?? gitDirectory) + "/" + configured
    }

    private static func trimmed(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
