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
    ) throws(FileIOError) {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let tempPath = "\(folder.isEmpty ? "." : folder)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .cannotCreateTemp(path: path, code: errno) }
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

    private static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
