import Foundation

/// Whole-file writes that a crash cannot tear: write a temp file in the same folder, `fsync` it,
/// `rename` it over the target, then `fsync` the folder. A reader sees the old file or the new
/// one, never a mix; an interrupted write leaves the old version whole.
package enum AtomicFile {
    /// Writes `contents` to `path` with `mode`. `beforeRename` runs after the temp file is
    /// durable and before it replaces `path`; tests use it to interrupt a write there.
    package static func write(
        _ contents: [UInt8], to path: String, mode: mode_t = 0o644,
        beforeRename: () throws -> Void = {}
    ) throws(WorkspaceError) {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let tempPath = "\(folder.isEmpty ? "." : folder)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .io(path: path, reason: "cannot create a temp file beside it: \(lastError())") }
        var renamed = false
        defer {
            if !renamed { unlink(tempPath) }
        }
        do {
            var written = 0
            while written < contents.count {
                let n = contents.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + written, contents.count - written) }
                guard n > 0 else { close(descriptor); throw WorkspaceError.io(path: path, reason: "write failed: \(lastError())") }
                written += n
            }
            guard fsync(descriptor) == 0 else { close(descriptor); throw WorkspaceError.io(path: path, reason: "fsync failed: \(lastError())") }
            close(descriptor)
            try beforeRename()
            guard rename(tempPath, path) == 0 else { throw WorkspaceError.io(path: path, reason: "rename failed: \(lastError())") }
            renamed = true
        } catch let error as WorkspaceError {
            throw error
        } catch {
            throw .io(path: path, reason: "write interrupted: \(error)")
        }
        syncFolder(folder.isEmpty ? "." : folder)
    }

    package static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws(WorkspaceError) {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    private static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

/// An exclusive advisory lock (`flock`) on a lock file, held until `release` or deinit. Writers
/// of the same file take the same lock, so concurrent updates serialise instead of racing.
package final class FileLock {
    private let descriptor: Int32

    /// Blocks until the lock is free; `onWait` runs once if another process holds it.
    package init(path: String, onWait: () -> Void = {}) throws(WorkspaceError) {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .io(path: path, reason: "cannot open lock file: \(lastError())") }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            onWait()
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    close(descriptor)
                    throw .io(path: path, reason: "cannot lock: \(lastError())")
                }
            }
        }
    }

    deinit { close(descriptor) }  // closing releases the flock
}

func lastError() -> String { String(cString: strerror(errno)) }
