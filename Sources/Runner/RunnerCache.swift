import FileIO
import Foundation
import GitStore

/// The runner's cache folder and what lives in it:
///
///     mirrors/<hash>/          a bare mirror of one repository (<hash>: `git hash-object` of its URL)
///     mirrors/<hash>.lock      held while a runner updates that mirror or checks out of it
///     incoming/<hash>.<rand>/  a clone in progress, renamed into mirrors/ when whole
///     work/<run>/              one run's checkout, removed when the run ends
///     work.lock                held while creating or sweeping work folders
///     rollback-ledger.json     highest sealed version seen per workspace and secret
///     rollback-ledger.lock     held while the ledger is checked and updated
///
/// Nothing in the cache holds a secret value: mirrors and checkouts hold sealed files only.
package struct RunnerCache: Sendable {
    package let root: String

    /// Uses `root`, creating it and any missing parent (mode 0700 each, as `mkdir -p -m 0700`).
    package init(root: String) throws(RunnerError) {
        self.root = root
        var parents: [String] = []
        var folder = (root as NSString).deletingLastPathComponent
        while !folder.isEmpty, folder != "/", !FileManager.default.fileExists(atPath: folder) {
            parents.insert(folder, at: 0)
            folder = (folder as NSString).deletingLastPathComponent
        }
        for folder in parents + [root, root + "/mirrors", root + "/incoming", root + "/work"] {
            guard mkdir(folder, 0o700) == 0 || errno == EEXIST else {
                throw .cache(path: folder, reason: "cannot create it: \(String(cString: strerror(errno)))")
            }
        }
        FolderPlacement.spreadSubfolders(of: root + "/work")
    }

    /// `$XDG_CACHE_HOME/journey/runner`, or `~/.cache/journey/runner`.
    package static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base =
            environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache"
        return base + "/journey/runner"
    }

    /// The mirror folder's name for `url`: its git blob hash, so the folder of a repository can
    /// be found by hand with `printf %s URL | git hash-object --stdin`.
    package static func mirrorName(for url: String) -> String { BlobHash.hex(of: url) }

    package func mirrorPath(for url: String) -> String { root + "/mirrors/" + Self.mirrorName(for: url) }
    func mirrorLockPath(for url: String) -> String { mirrorPath(for: url) + ".lock" }
    var incomingFolder: String { root + "/incoming" }
    var workFolder: String { root + "/work" }
    var workLockPath: String { root + "/work.lock" }
    package var ledgerPath: String { root + "/rollback-ledger.json" }
    var ledgerLockPath: String { root + "/rollback-ledger.lock" }

    /// Takes an exclusive lock, saying on stderr what it waits for when another runner holds it.
    func lock(_ path: String, waitingFor what: String) throws(RunnerError) -> FileLock {
        do {
            return try FileLock(path: path) {
                FileHandle.standardError.write(Data("journey: waiting for another runner using the cache (\(what))…\n".utf8))
            }
        } catch {
            throw .cache(path: path, reason: error.reason)
        }
    }
}

/// Removing folder trees, for checkouts and broken mirrors.
enum FolderRemoval {
    /// Removes `path` and everything under it; a missing path is fine (see `FolderTree`).
    static func remove(_ path: String) throws(RunnerError) {
        do {
            try FolderTree.remove(path)
        } catch {
            throw .cache(path: path, reason: "cannot remove \(error.operation): \(error.reason)")
        }
    }
}
