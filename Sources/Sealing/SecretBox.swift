internal import Clibsodium
import Diagnostics

/// What a sealed value is bound to. A ciphertext opens only under the exact context it was
/// sealed under, so a file renamed, copied to another workspace or environment, or edited to
/// another version fails to open.
package struct SealContext: Sendable, Equatable {
    /// Version 1: the flat layout, no environment.
    package static let formatTag = "journey-sealed/v1"
    /// Version 2: a value sealed for one environment (`secrets/<env>/`).
    package static let environmentFormatTag = "journey-sealed/v2"

    package var workspaceID: String
    /// The environment the value is sealed for; nil in the flat layout (format version 1).
    package var environment: String?
    package var name: String
    package var version: Int

    package init(workspaceID: String, environment: String? = nil, name: String, version: Int) {
        self.workspaceID = workspaceID
        self.environment = environment
        self.name = name
        self.version = version
    }

    /// The format tag this context seals under: version 2 exactly when there is an environment.
    package var format: String { environment == nil ? Self.formatTag : Self.environmentFormatTag }

    /// The AEAD associated data: each field as a 4-byte big-endian length, then its UTF-8 bytes,
    /// in this order: format tag, workspace id, (version 2 only) environment, secret name,
    /// version in decimal.
    package var associatedData: [UInt8] {
        var out = [UInt8]()
        for field in [format, workspaceID] + (environment.map { [$0] } ?? []) + [name, String(version)] {
            let bytes = Array(field.utf8)
            let length = UInt32(bytes.count)
            out += [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
            out += bytes
        }
        return out
    }
}

/// The data key wrapped for one recipient with `crypto_box_seal`.
package struct KeyWrap: Sendable, Equatable {
    package var keyID: KeyID
    package var wrappedKey: [UInt8]

    package init(keyID: KeyID, wrappedKey: [UInt8]) {
        self.keyID = keyID
        self.wrappedKey = wrappedKey
    }
}

/// The cryptographic part of a sealed file: nonce, ciphertext (with its tag) and one wrap of
/// the data key per recipient. Everything in it is safe to publish.
package struct SealedValue: Sendable, Equatable {
    package var nonce: [UInt8]
    package var ciphertext: [UInt8]
    package var wraps: [KeyWrap]

    package init(nonce: [UInt8], ciphertext: [UInt8], wraps: [KeyWrap]) {
        self.nonce = nonce
        self.ciphertext = ciphertext
        self.wraps = wraps
    }
}

/// Seals and opens values as DESIGN §5 describes: `sodium_pad` to a block, then
/// XChaCha20-Poly1305 under a fresh data key that is wrapped for every recipient.
package enum SecretBox {
    /// Values are padded to a multiple of this many bytes, hiding their length.
    package static let paddingBlock = 256
    /// The largest value that can be sealed.
    package static let maximumValueSize = 64 * 1024

    static let dataKeySize = Int(crypto_aead_xchacha20poly1305_ietf_keybytes())
    static let nonceSize = Int(crypto_aead_xchacha20poly1305_ietf_npubbytes())
    static let tagSize = Int(crypto_aead_xchacha20poly1305_ietf_abytes())
    static let sealOverhead = Int(crypto_box_sealbytes())

    /// Seals `value` for `recipients` under `context`. Needs only public keys.
    package static func seal(_ value: SecretBytes, context: SealContext, recipients: [PublicKey]) throws(SealingError) -> SealedValue {
        Sodium.ensureReady()
        guard value.count > 0 else { throw .emptyValue }
        guard value.count <= maximumValueSize else { throw .valueTooLarge(limit: maximumValueSize) }
        guard !recipients.isEmpty else { throw .noRecipients }
        let dataKey = SecretBytes(count: dataKeySize) { crypto_aead_xchacha20poly1305_ietf_keygen($0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
        let nonce = Sodium.randomBytes(nonceSize)
        let ciphertext = encrypt(value, dataKey: dataKey, nonce: nonce, context: context)
        let wraps = recipients.map { wrap(dataKey, for: $0) }
        return SealedValue(nonce: nonce, ciphertext: ciphertext, wraps: wraps)
    }

    /// Opens `sealed` with `key`: picks the wrap by key id, unwraps the data key, then decrypts
    /// and unpads under `context`.
    package static func open(_ sealed: SealedValue, context: SealContext, with key: PrivateKey) throws(SealingError) -> SecretBytes {
        let dataKey = try unwrapDataKey(sealed, with: key)
        return try decrypt(sealed, dataKey: dataKey, context: context)
    }

    /// Re-wraps the data key of `sealed` for `recipients`; the ciphertext stays as it is.
    /// The value is decrypted once first, so a key that cannot open the value cannot re-wrap it.
    package static func rewrap(_ sealed: SealedValue, context: SealContext, with key: PrivateKey, for recipients: [PublicKey]) throws(SealingError)
        -> SealedValue
    {
        guard !recipients.isEmpty else { throw .noRecipients }
        let dataKey = try unwrapDataKey(sealed, with: key)
        _ = try decrypt(sealed, dataKey: dataKey, context: context)
        var result = sealed
        result.wraps = recipients.map { wrap(dataKey, for: $0) }
        return result
    }

    // MARK: - Steps

    private static func encrypt(_ value: SecretBytes, dataKey: SecretBytes, nonce: [UInt8], context: SealContext) -> [UInt8] {
        let paddedCapacity = (value.count / paddingBlock + 1) * paddingBlock
        var paddedLength = 0
        let padded = SecretBytes(count: paddedCapacity) { buffer in
            value.withUnsafeBytes { buffer.copyMemory(from: $0) }
            _ = sodium_pad(&paddedLength, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), value.count, paddingBlock, paddedCapacity)
        }
        precondition(paddedLength == paddedCapacity)
        let ad = context.associatedData
        var ciphertext = [UInt8](repeating: 0, count: paddedLength + tagSize)
        var ciphertextLength: UInt64 = 0
        padded.withUnsafeBytes { plain in
            dataKey.withUnsafeBytes { key in
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                    &ciphertext, &ciphertextLength,
                    plain.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(paddedLength),
                    ad, UInt64(ad.count), nil, nonce,
                    key.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return ciphertext
    }

    private static func wrap(_ dataKey: SecretBytes, for recipient: PublicKey) -> KeyWrap {
        var wrapped = [UInt8](repeating: 0, count: dataKeySize + sealOverhead)
        dataKey.withUnsafeBytes { key in
            _ = crypto_box_seal(&wrapped, key.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(dataKeySize), recipient.bytes)
        }
        return KeyWrap(keyID: recipient.id, wrappedKey: wrapped)
    }

    private static func unwrapDataKey(_ sealed: SealedValue, with key: PrivateKey) throws(SealingError) -> SecretBytes {
        Sodium.ensureReady()
        let id = key.id
        guard let wrap = sealed.wraps.first(where: { $0.keyID == id }) else {
            throw .notARecipient(keyID: id, recipients: sealed.wraps.map(\.keyID))
        }
        guard wrap.wrappedKey.count == dataKeySize + sealOverhead else { throw .wrapDidNotOpen(keyID: id) }
        var opened = true
        let dataKey = SecretBytes(count: dataKeySize) { out in
            key.secret.withUnsafeBytes { secret in
                opened =
                    crypto_box_seal_open(
                        out.baseAddress!.assumingMemoryBound(to: UInt8.self), wrap.wrappedKey, UInt64(wrap.wrappedKey.count),
                        key.publicKey.bytes, secret.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 0
            }
        }
        guard opened else { throw .wrapDidNotOpen(keyID: id) }
        return dataKey
    }

    private static func decrypt(_ sealed: SealedValue, dataKey: SecretBytes, context: SealContext) throws(SealingError) -> SecretBytes {
        guard sealed.nonce.count == nonceSize,
            sealed.ciphertext.count >= tagSize + paddingBlock,
            (sealed.ciphertext.count - tagSize) % paddingBlock == 0
        else { throw .authenticationFailed }
        let ad = context.associatedData
        let paddedLength = sealed.ciphertext.count - tagSize
        var verified = false
        var unpadded = true
        // Decrypt and unpad in one buffer: the value is the prefix left after unpadding.
        let value = SecretBytes(capacity: paddedLength) { out in
            let plain = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var plainLength: UInt64 = 0
            verified = dataKey.withUnsafeBytes { key in
                crypto_aead_xchacha20poly1305_ietf_decrypt(
                    plain, &plainLength, nil, sealed.ciphertext, UInt64(sealed.ciphertext.count),
                    ad, UInt64(ad.count), sealed.nonce, key.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 0
            }
            guard verified else { return 0 }
            var length = 0
            unpadded = sodium_unpad(&length, plain, paddedLength, paddingBlock) == 0 && length > 0
            return unpadded ? length : 0
        }
        guard verified else { throw .authenticationFailed }
        guard unpadded else { throw .badPadding }
        return value
    }
}

/// What can go wrong sealing or opening. Callers add the secret name and file; no case carries
/// value or key bytes.
package enum SealingError: UserFacingError, Equatable {
    case emptyValue
    case valueTooLarge(limit: Int)
    case noRecipients
    /// The key is not among the recipients; `recipients` are the key ids that can open it.
    case notARecipient(keyID: KeyID, recipients: [KeyID])
    /// The wrap for this key id did not open: corrupted, or a key whose id collides.
    case wrapDidNotOpen(keyID: KeyID)
    /// The ciphertext did not verify under this context: tampered, renamed, copied from another
    /// workspace or environment, or edited to another version.
    case authenticationFailed
    case badPadding
    /// The process could not be made non-dumpable; secrets are not opened without it.
    case processHardening(reason: String)

    package var message: String {
        switch self {
        case .emptyValue: return "the value is empty; an empty secret is refused"
        case .valueTooLarge(let limit): return "the value is larger than \(limit) bytes"
        case .noRecipients: return "there are no recipients to seal for; add one with 'journey keys generate NAME' or 'journey keys add NAME PUBKEY'"
        case .notARecipient(let keyID, let recipients):
            let list = recipients.map(\.hex).joined(separator: ", ")
            return "key \(keyID) is not a recipient; it can be opened by key ids: \(list.isEmpty ? "(none)" : list)"
        case .wrapDidNotOpen(let keyID): return "the data key wrapped for key \(keyID) did not open (the file is damaged)"
        case .authenticationFailed:
            return "the sealed value did not verify: the file was altered, renamed, copied from another workspace or environment, or its version edited"
        case .badPadding: return "the sealed value has invalid padding (the file is damaged)"
        case .processHardening(let reason):
            return "cannot harden the process: \(reason); journey refuses to open secrets without it (is a seccomp profile blocking prctl?)"
        }
    }
}
