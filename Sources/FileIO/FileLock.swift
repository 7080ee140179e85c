import Foundation

/// An exclusive advisory lock (`flock`) on a lock file, held until `release` or deinit. Writers
/// of the same file take the same lock, so concurrent updates serialise instead of racing.
package final class FileLock {
    private let descriptor: Int32

    /// Blocks until the lock is free; `onWait` runs once if another process holds it.
    package init(path: String, onWait: () -> Void = {}) throws(FileIOError) {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, code: errno) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            onWait()
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let code = errno
                    close(descriptor)
                    throw .cannotLock(path: path, code: code)
                }
            }
        }
    }

    deinit { close(descriptor) }  // closing releases the flock
}
