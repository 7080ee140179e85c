internal import Clibgit2
import Foundation

/// Opening a repository the way git does inside a hook. git runs `pre-commit` for
/// `commit -a`, `commit PATH` and `commit --amend` with `GIT_INDEX_FILE` pointing at a
/// temporary index, runs hooks of a linked worktree with `GIT_DIR` set, and runs
/// `pre-receive` with the pushed objects in a quarantine folder named by
/// `GIT_OBJECT_DIRECTORY`. A check that ignored these would read the wrong index or miss the
/// new objects. (libgit2's `GIT_REPOSITORY_OPEN_FROM_ENV` refuses `GIT_WORK_TREE`, so the
/// variables are applied here one by one.)
extension Repository {
    /// The variables git sets for hooks that change what a repository holds.
    package static let environmentVariables = [
        "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    ]

    /// The repository git itself would use: `GIT_DIR` when set (else discovery from `path`),
    /// then `GIT_WORK_TREE` (`git_repository_set_workdir`), `GIT_INDEX_FILE`
    /// (`git_index_open`, `git_repository_set_index`), and `GIT_OBJECT_DIRECTORY` and
    /// `GIT_ALTERNATE_OBJECT_DIRECTORIES` (`git_odb_add_disk_alternate`). Relative paths are
    /// taken from `currentDirectory`, as git does. `nil` when there is no repository.
    package static func discover(
        containing path: String, honouring environment: [String: String], currentDirectory: String
    ) throws(GitError) -> Repository? {
        func absolute(_ value: String) -> String {
            value.hasPrefix("/") ? value : currentDirectory + "/" + value
        }
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        let repository: Repository
        if let gitDirectory = value("GIT_DIR") {
            LibGit2.ensureReady()
            var pointer: OpaquePointer?
            let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue | GIT_REPOSITORY_OPEN_NO_DOTGIT.rawValue
            try check("open the repository GIT_DIR names (\(gitDirectory))", git_repository_open_ext(&pointer, absolute(gitDirectory), flags, nil))
            repository = Repository(owning: pointer!)
        } else {
            guard let found = try discover(containing: path) else { return nil }
            repository = found
        }
        if let workTree = value("GIT_WORK_TREE") {
            try check("use GIT_WORK_TREE (\(workTree))", git_repository_set_workdir(repository.handle, absolute(workTree), 0))
        }
        if let indexFile = value("GIT_INDEX_FILE") {
            var index: OpaquePointer?
            try check("open the index GIT_INDEX_FILE names (\(indexFile))", git_index_open(&index, absolute(indexFile)))
            defer { git_index_free(index) }
            try check("use GIT_INDEX_FILE (\(indexFile))", git_repository_set_index(repository.handle, index))
        }
        var objectFolders: [String] = []
        if let objects = value("GIT_OBJECT_DIRECTORY") { objectFolders.append(objects) }
        if let alternates = value("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
            objectFolders += alternates.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        if !objectFolders.isEmpty {
            var odb: OpaquePointer?
            try check("open the object database", git_repository_odb(&odb, repository.handle))
            defer { git_odb_free(odb) }
            for folder in objectFolders {
                try check("read objects from \(folder)", git_odb_add_disk_alternate(odb, absolute(folder)))
            }
        }
        return repository
    }

    /// The folder shared by every worktree of the repository (`git_repository_commondir`):
    /// `.git` of the main worktree, also when opened from a linked one.
    package var commonDirectory: String {
        guard let path = git_repository_commondir(handle) else { return gitDirectory }
        let text = String(cString: path)
        return text.count > 1 && text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// Whether this is a bare repository (`git_repository_is_bare`).
    package var isBare: Bool { git_repository_is_bare(handle) == 1 }
}

extension Repository {
    /// Sets `key` in this repository's own config file (`.git/config`; `git_config_open_level`
    /// at the local level, `git_config_set_string`).
    package func setLocalConfig(_ key: String, to value: String) throws(GitError) {
        var config: OpaquePointer?
        try check("open git config", git_repository_config(&config, handle))
        defer { git_config_free(config) }
        var local: OpaquePointer?
        try check("open the repository's git config", git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL))
        defer { git_config_free(local) }
        try check("set git config \(key)", git_config_set_string(local, key, value))
    }
}
