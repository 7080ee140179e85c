import Foundation

/// A run's own folder under `work/`, empty when made and removed when the run ends. The run
/// holds a `flock` on the folder itself while it lives, so a later runner can tell a folder
/// left by a killed run (lockable) from one in use (locked) and sweep only the former.
package final class WorkFolder {
    package let path: String
    private let descriptor: Int32
    private var removed = false

    /// Sweeps folders of dead runs, then makes and locks a new folder. Both happen under the
    /// cache's `work.lock`, so a sweeper never sees a folder between its creation and its lock.
    package init(in cache: RunnerCache) throws(RunnerError) {
        let held = try cache.lock(cache.workLockPath, waitingFor: "work folders")
        defer { withExtendedLifetime(held) {} }
        Self.sweepAbandoned(in: cache.workFolder)
        let path = cache.workFolder + "/run-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        guard mkdir(path, 0o700) == 0 else {
            throw .cache(path: path, reason: "cannot create the work folder: \(String(cString: strerror(errno)))")
        }
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            throw .cache(path: path, reason: "cannot lock the new work folder: \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.descriptor = descriptor
    }

    /// Removes the folder and everything the run wrote in it.
    package func remove() throws(RunnerError) {
        guard !removed else { return }
        removed = true
        defer { close(descriptor) }
        try FolderRemoval.remove(path)
    }

    deinit {
        if !removed {
            try? FolderRemoval.remove(path)
            close(descriptor)
        }
    }

    /// Removes every work folder no live run holds the lock of.
    private static func sweepAbandoned(in folder: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for entry in entries {
            let path = folder + "/" + entry
            let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { try? FolderRemoval.remove(path) }
        }
    }
}
