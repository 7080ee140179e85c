import Foundation

/// Whole-file writes that a crash cannot tear: write a temp file in the same folder, `fsync` it,
/// `rename` it over the target, then `fsync` the folder. A reader sees the old file or the new
/// one, never a mix; an interrupted write leaves the old version whole.
///
/// Temp files are named `.journey-tmp-NAME.PID.RANDOM`: git (through the `.gitignore` entry
/// `journey init` writes) and the leak check know the prefix, and a writer holds a `flock` on
/// its temp file while it lives, so the next write into the folder can tell a temp file left by
/// a killed writer (process gone, lock free) from one being written, and remove only the former.
package enum AtomicFile {
    /// The name prefix of every temp file an atomic write creates.
    package static let tempPrefix = ".journey-tmp-"

    /// Writes `contents` to `path` with `mode`. `beforeRename` runs after the temp file is
    /// durable and before it replaces `path`; tests use it to interrupt a write there.
    package static func write(
        _ contents: [UInt8], to path: String, mode: mode_t = 0o644,
        beforeRename: () throws -> Void = {}
    ) throws(FileIOError) {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let folderPath = folder.isEmpty ? "." : folder
        removeAbandonedTemps(in: folderPath)
        let tempPath = "\(folderPath)/\(tempPrefix)\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .cannotCreateTemp(path: path, code: errno) }
        // Held until the descriptor closes: marks the temp file as a live writer's.
        _ = flock(descriptor, LOCK_EX | LOCK_NB)
        var renamed = false
        defer {
            if !renamed { unlink(tempPath) }
        }
        do {
            var written = 0
            while written < contents.count {
                let n = contents.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + written, contents.count - written) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    let code = errno
                    close(descriptor)
                    throw FileIOError.cannotWrite(path: path, code: code)
                }
                written += n
            }
            guard fsync(descriptor) == 0 else {
                let code = errno
                close(descriptor)
                throw FileIOError.cannotSync(path: path, code: code)
            }
            close(descriptor)
            try beforeRename()
            guard rename(tempPath, path) == 0 else { throw FileIOError.cannotRename(path: path, code: errno) }
            renamed = true
        } catch let error as FileIOError {
            throw error
        } catch {
            throw .interrupted(path: path, reason: "\(error)")
        }
        syncFolder(folder.isEmpty ? "." : folder)
    }

    package static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws(FileIOError) {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    /// Removes temp files of writers that died mid-write: the process named in the file's name
    /// is gone and nobody holds the file's lock. Both are asked so that a writer in another
    /// process namespace (its pid means nothing here) is protected by its lock, and a writer
    /// between creating its file and locking it is protected by its pid.
    package static func removeAbandonedTemps(in folder: String) {
        guard let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        var abandoned: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix(tempPrefix) else { continue }
            let parts = name.split(separator: ".")
            guard parts.count >= 3, let pid = pid_t(parts[parts.count - 2]), pid > 0 else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }  // its writer may still be at work
            abandoned.append(name)
        }
        for name in abandoned {
            let path = folder + "/" + name
            let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { unlink(path) }
            close(descriptor)
        }
    }

    private static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
