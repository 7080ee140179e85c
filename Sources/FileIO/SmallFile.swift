import Foundation

/// Whole-file reads with plain system calls: a run reads hundreds of small sealed files, and
/// Foundation's file APIs cost several times more per file.
package enum SmallFile {
    /// The whole file at `path` (`open`, `read` in 16 KiB chunks).
    package static func read(_ path: String) throws(FileIOError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, code: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw .cannotRead(path: path, code: errno) }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
        }
    }
}
