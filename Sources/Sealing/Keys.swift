internal import Clibsodium
import Diagnostics
import Foundation

/// The short, stable name of a public key: the first 8 bytes of its BLAKE2b-256 hash
/// (`crypto_generichash`), as 16 lowercase hex digits. Opening picks a wrap by this id.
package struct KeyID: Hashable, Sendable, Comparable, CustomStringConvertible {
    package let hex: String

    package init(of publicKey: PublicKey) {
        var digest = [UInt8](repeating: 0, count: 32)
        publicKey.bytes.withUnsafeBufferPointer { key in
            _ = crypto_generichash(&digest, 32, key.baseAddress, UInt64(key.count), nil, 0)
        }
        hex = Hex.encode(digest.prefix(8))
    }

    /// A key id as read from a file; `nil` unless it is 16 lowercase hex digits.
    package init?(hex: String) {
        guard hex.utf8.count == 16, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        self.hex = hex
    }

    package var description: String { hex }
    package static func < (lhs: KeyID, rhs: KeyID) -> Bool { lhs.hex < rhs.hex }
}

/// An X25519 public key (`crypto_box_PUBLICKEYBYTES`). Text form: `journey-pk1-` and the 32
/// bytes in unpadded URL-safe base64.
package struct PublicKey: Hashable, Sendable {
    package static let textPrefix = "journey-pk1-"
    package let bytes: [UInt8]

    package init(bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == crypto_box_publickeybytes() else { throw .malformedPublicKey }
        self.bytes = bytes
    }

    /// Parses the text form; throws `KeyError.malformedPublicKey` for anything else.
    package init(text: String) throws(KeyError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(Self.textPrefix),
            let decoded = Base64URL.decode(String(trimmed.dropFirst(Self.textPrefix.count)))
        else { throw .malformedPublicKey }
        try self.init(bytes: decoded)
    }

    package var text: String { Self.textPrefix + Base64URL.encode(bytes) }
    package var id: KeyID { KeyID(of: self) }
}

/// An X25519 key pair whose secret half lives in `SecretBytes`. Text form of the secret half:
/// `JOURNEY-SECRET-KEY-1-` and the 32 bytes in unpadded URL-safe base64 — a fixed, recognisable
/// shape so leak scanners can spot one.
package struct PrivateKey: Sendable {
    package static let textPrefix = "JOURNEY-SECRET-KEY-1-"
    package let secret: SecretBytes
    package let publicKey: PublicKey
    /// The public key's id, computed once: opening compares it against every wrap.
    package let id: KeyID

    /// A new random key pair (`crypto_box_keypair`).
    package static func generate() -> PrivateKey {
        Sodium.ensureReady()
        var publicBytes = [UInt8](repeating: 0, count: crypto_box_publickeybytes())
        let secret = SecretBytes(count: crypto_box_secretkeybytes()) { secretBuffer in
            _ = crypto_box_keypair(&publicBytes, secretBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return PrivateKey(secret: secret, publicKey: try! PublicKey(bytes: publicBytes))
    }

    /// Derives the public half (`crypto_scalarmult_base`).
    package init(secret: SecretBytes) throws(KeyError) {
        guard secret.count == crypto_box_secretkeybytes() else { throw .malformedPrivateKey }
        var publicBytes = [UInt8](repeating: 0, count: crypto_box_publickeybytes())
        let status = secret.withUnsafeBytes { crypto_scalarmult_base(&publicBytes, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
        guard status == 0 else { throw .malformedPrivateKey }
        self.init(secret: secret, publicKey: try PublicKey(bytes: publicBytes))
    }

    private init(secret: SecretBytes, publicKey: PublicKey) {
        self.secret = secret
        self.publicKey = publicKey
        id = publicKey.id
    }

    /// Parses the key text held in `text` (surrounding whitespace allowed) without copying the
    /// encoded secret into a `String`.
    package init(text: SecretBytes) throws(KeyError) {
        let prefix = Array(Self.textPrefix.utf8)
        let decoded: SecretBytes? = text.withUnsafeBytes { raw in
            var body = raw[...]
            while let first = body.first, Self.isSpace(first) { body = body.dropFirst() }
            while let last = body.last, Self.isSpace(last) { body = body.dropLast() }
            guard body.starts(with: prefix) else { return nil }
            body = body.dropFirst(prefix.count)
            return Base64URL.decodeSecret(UnsafeRawBufferPointer(rebasing: body))
        }
        guard let decoded else { throw .malformedPrivateKey }
        try self.init(secret: decoded)
    }

    /// The key text, in a buffer that is wiped when dropped.
    package var text: SecretBytes {
        secret.withUnsafeBytes { raw in
            let encoded = Base64URL.encodeSecret(raw)
            return encoded.withUnsafeBytes { body in
                SecretBytes(count: Self.textPrefix.utf8.count + body.count) { out in
                    _ = out.initializeMemory(as: UInt8.self, from: Array(Self.textPrefix.utf8))
                    UnsafeMutableRawBufferPointer(rebasing: out[Self.textPrefix.utf8.count...]).copyMemory(from: body)
                }
            }
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }
}

/// What can go wrong with a key. Messages name the file and the fix, never key material.
package enum KeyError: UserFacingError, Equatable {
    case malformedPublicKey
    case malformedPrivateKey
    case unreadableKeyFile(path: String, reason: String)
    /// Writing a new key file failed; `reason` says why (nothing was left at `path`).
    case unwritableKeyFile(path: String, reason: String)
    /// `write(toFile:)` refuses to replace a file already at `path`.
    case keyFileExists(path: String)
    case malformedKeyFile(path: String)
    case keyFileTooOpen(path: String, mode: Int)
    case keyFileNotRegular(path: String)
    case keyFileTooLarge(path: String, limit: Int)

    package var message: String {
        switch self {
        case .malformedPublicKey:
            return "not a journey public key: expected '\(PublicKey.textPrefix)' followed by 43 base64url characters"
        case .malformedPrivateKey:
            return "not a journey private key: expected '\(PrivateKey.textPrefix)' followed by 43 base64url characters"
        case .unreadableKeyFile(let path, let reason):
            return "cannot read key file \(path): \(reason)"
        case .unwritableKeyFile(let path, let reason):
            return "cannot write key file \(path): \(reason)"
        case .keyFileExists(let path):
            return "cannot write key file \(path): a file is already there; refusing to overwrite a key"
        case .malformedKeyFile(let path):
            return "\(path) is not a journey private key file: expected one line starting with '\(PrivateKey.textPrefix)'"
        case .keyFileTooOpen(let path, let mode):
            return "refusing to read private key \(path): its mode \(String(mode, radix: 8)) lets group or others read it; fix with: chmod 600 \(path)"
        case .keyFileNotRegular(let path):
            return "refusing to read private key \(path): it is not a regular file (a FIFO, device or folder); give the path of the key file itself"
        case .keyFileTooLarge(let path, let limit):
            return
                "refusing to read private key \(path): it is larger than \(limit) bytes, and a key file is one line of \(PrivateKey.textPrefix.count + 43) characters; give the path of a key file written by 'journey keys generate'"
        }
    }
}

/// Unpadded URL-safe base64 through libsodium (`sodium_bin2base64`, `sodium_base642bin`).
enum Base64URL {
    static let variant = Int32(sodium_base64_VARIANT_URLSAFE_NO_PADDING)

    /// For public keys only: the text is an ordinary `String`. Secrets use `encodeSecret`.
    static func encode(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { raw in
            let out = encodeSecret(raw)
            return out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// For public keys only: the bytes come back as an ordinary array. Secrets use `decodeSecret`.
    static func decode(_ text: String) -> [UInt8]? {
        Array(text.utf8).withUnsafeBytes { raw in
            decodeSecret(raw).map { secret in secret.withUnsafeBytes { Array($0) } }
        }
    }

    static func encodeSecret(_ raw: UnsafeRawBufferPointer) -> SecretBytes {
        let length = sodium_base64_encoded_len(raw.count, variant)  // includes the NUL
        let withNul = SecretBytes(count: length) { out in
            _ = sodium_bin2base64(
                out.baseAddress!.assumingMemoryBound(to: CChar.self), length,
                raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count, variant)
        }
        return withNul.slice(0..<(length - 1))
    }

    static func decodeSecret(_ text: UnsafeRawBufferPointer) -> SecretBytes? {
        var decodedLength = 0
        var failed = false
        let scratch = SecretBytes(count: text.count) { out in
            failed =
                sodium_base642bin(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count,
                    text.baseAddress?.assumingMemoryBound(to: CChar.self), text.count,
                    nil, &decodedLength, nil, variant) != 0
        }
        return failed ? nil : scratch.slice(0..<decodedLength)
    }
}

extension PrivateKey {
    /// Reads a private key file, refusing one that group or others can read (the check runs on
    /// the open descriptor with `fstat`, so a swapped file cannot slip past it).
    /// A key file is one short line; anything larger is refused, never cut.
    package static let maximumKeyFileSize = 4096

    package static func load(fromFile path: String) throws(KeyError) -> PrivateKey {
        // Non-blocking, so a FIFO planted at the path cannot hang the open; it is refused below
        // as not a regular file. Symbolic links are followed: mounted secrets (Kubernetes) are
        // links into a folder of their own.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else {
            throw .unreadableKeyFile(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .unreadableKeyFile(path: path, reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .keyFileNotRegular(path: path) }
        let mode = Int(status.st_mode & 0o777)
        guard mode & 0o077 == 0 else { throw .keyFileTooOpen(path: path, mode: mode) }
        guard status.st_size <= maximumKeyFileSize else { throw .keyFileTooLarge(path: path, limit: maximumKeyFileSize) }
        // One byte more than the limit is read, so a file that grew after fstat is refused too.
        var readCount = 0
        let contents = SecretBytes(count: maximumKeyFileSize + 1) { buffer in
            while readCount < buffer.count {
                let n = read(descriptor, buffer.baseAddress! + readCount, buffer.count - readCount)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                readCount += n
            }
        }
        guard readCount <= maximumKeyFileSize else { throw .keyFileTooLarge(path: path, limit: maximumKeyFileSize) }
        do {
            return try PrivateKey(text: contents.slice(0..<readCount))
        } catch {
            throw .malformedKeyFile(path: path)
        }
    }
}

extension PrivateKey {
    /// Writes the key text to a new file with mode 0600, never replacing an existing file: the
    /// text goes to a temp file beside it, which is then hard-linked into place (`link` fails if
    /// the target exists), so a crash leaves no half-written key.
    package func write(toFile path: String) throws(KeyError) {
        let folder = (path as NSString).deletingLastPathComponent
        let tempPath = "\(folder.isEmpty ? "." : folder)/.key-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .unwritableKeyFile(path: path, reason: "cannot create: \(String(cString: strerror(errno)))") }
        defer { unlink(tempPath) }
        let line = text
        let ok = line.withUnsafeBytes { raw -> Bool in
            Foundation.write(descriptor, raw.baseAddress!, raw.count) == raw.count && Foundation.write(descriptor, "\n", 1) == 1
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard ok, synced else { throw .unwritableKeyFile(path: path, reason: "cannot write the key") }
        guard link(tempPath, path) == 0 else {
            if errno == EEXIST { throw .keyFileExists(path: path) }
            throw .unwritableKeyFile(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
