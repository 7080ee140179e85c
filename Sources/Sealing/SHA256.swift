internal import Clibsodium

/// SHA-256 (`crypto_hash_sha256`), for fingerprints that key a leak-check baseline. A
/// fingerprint is not a secret, so the digest is a plain array.
package enum SHA256 {
    /// `crypto_hash_sha256_bytes()`: 32.
    package static let byteCount = Int(crypto_hash_sha256_bytes())

    /// The digest of `message`.
    package static func hash(_ message: [UInt8]) -> [UInt8] {
        Sodium.ensureReady()
        var digest = [UInt8](repeating: 0, count: byteCount)
        message.withUnsafeBufferPointer { input in
            _ = crypto_hash_sha256(&digest, input.baseAddress, UInt64(input.count))
        }
        return digest
    }
}
