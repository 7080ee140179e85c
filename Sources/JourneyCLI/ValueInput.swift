import Foundation
import Sealing

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a secret value from stdin, a no-echo prompt or a file, straight into `SecretBytes`;
/// never from an argument (argv is visible to every process on the machine).
///
/// Newline policy: from a pipe or the prompt, one trailing `\n` (or `\r\n`) is dropped — it is
/// what `echo` and the Enter key add — unless `keepNewline`. `--from-file` keeps every byte.
enum ValueInput {
    static let limit = SecretBox.maximumValueSize

    static func read(secret name: String, fromFile path: String?, keepNewline: Bool) throws -> SecretBytes {
        if let path {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw CommandError(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
            defer { close(descriptor) }
            return try readAll(descriptor, source: path, dropNewline: false)
        }
        if isatty(0) == 1 {
            return try prompt(for: name)
        }
        return try readAll(0, source: "standard input", dropNewline: !keepNewline)
    }

    private static func readAll(_ descriptor: Int32, source: String, dropNewline: Bool) throws -> SecretBytes {
        var total = 0
        var tooLarge = false
        let buffer = SecretBytes(count: limit + 1) { raw in
            while total < raw.count {
                let n = Glibc.read(descriptor, raw.baseAddress! + total, raw.count - total)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                total += n
            }
            tooLarge = total > limit
        }
        guard !tooLarge else {
            throw CommandError(description: "the value from \(source) is larger than \(limit) bytes (64 KiB), the most a secret can hold")
        }
        var length = total
        if dropNewline {
            buffer.withUnsafeBytes { bytes in
                if length > 0 && bytes[length - 1] == 0x0a {
                    length -= 1
                    if length > 0 && bytes[length - 1] == 0x0d { length -= 1 }
                }
            }
        }
        return buffer.slice(0..<length)
    }

    /// Prompts on the terminal with echo off (`tcsetattr`), restoring it afterwards. Echo goes
    /// off before the prompt is shown and without flushing input, so a value pasted the moment
    /// the prompt appears is neither echoed nor lost.
    private static func prompt(for name: String) throws -> SecretBytes {
        var original = termios()
        tcgetattr(0, &original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSANOW, &silent)
        defer {
            tcsetattr(0, TCSANOW, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        FileHandle.standardError.write(Data("Value for \(name) (input hidden, end with Enter): ".utf8))
        var total = 0
        let buffer = SecretBytes(count: limit) { raw in
            while total < raw.count {
                let n = Glibc.read(0, raw.baseAddress! + total, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 || raw[total] == 0x0a { break }
                total += 1
            }
        }
        var length = total
        buffer.withUnsafeBytes { bytes in if length > 0 && bytes[length - 1] == 0x0d { length -= 1 } }
        return buffer.slice(0..<length)
    }
}
