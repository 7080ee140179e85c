internal import Clibsodium

/// libsodium's one-time initialisation (`sodium_init`), run before any other call.
enum Sodium {
    /// Evaluated once, thread-safely, on first use (Swift globals and statics are lazy and atomic).
    static let isReady: Bool = sodium_init() >= 0

    static func ensureReady() {
        precondition(isReady, "libsodium failed to initialise (sodium_init)")
    }

    /// Fills `count` bytes from the system CSPRNG (`randombytes_buf`).
    static func randomBytes(_ count: Int) -> [UInt8] {
        ensureReady()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return bytes
    }
}

/// Hex helpers for the clear, non-secret parts of the format (key ids, workspace ids).
package enum Hex {
    package static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A fresh random identifier of `byteCount` bytes, as lowercase hex (`randombytes_buf`).
    package static func randomID(byteCount: Int = 16) -> String {
        encode(Sodium.randomBytes(byteCount))
    }
}
