import Foundation
import Sealing
import TestSupport
import Testing

@Suite("SecretBox: seal with public keys, open with a private key")
struct SecretBoxTests {
    let context = SealContext(workspaceID: "48c88b0bc1633f332ff243d2aadb7da0", name: "payments-api-key", version: 3)

    @Test("sealing needs only public keys; every recipient's private key opens it")
    func sealWithPublicKeysOnly() throws {
        let alice = PrivateKey.generate(), bob = PrivateKey.generate()
        let publicKeys = [try PublicKey(text: alice.publicKey.text), try PublicKey(text: bob.publicKey.text)]
        let canary = Canary()
        let sealed = try SecretBox.seal(canary.secret, context: context, recipients: publicKeys)

        #expect(sealed.wraps.map(\.keyID) == [alice.id, bob.id])
        #expect(try SecretBox.open(sealed, context: context, with: alice).testBytes == canary.bytes)
        #expect(try SecretBox.open(sealed, context: context, with: bob).testBytes == canary.bytes)
        #expect(!canary.appears(in: sealed.ciphertext))
    }

    @Test("every write uses a fresh data key and nonce")
    func freshKeyAndNonce() throws {
        let key = PrivateKey.generate()
        let value = Fixtures.secret("same value")
        let first = try SecretBox.seal(value, context: context, recipients: [key.publicKey])
        let second = try SecretBox.seal(value, context: context, recipients: [key.publicKey])
        #expect(first.nonce != second.nonce)
        #expect(first.ciphertext != second.ciphertext)
        #expect(first.wraps[0].wrappedKey != second.wraps[0].wrappedKey)
    }

    @Test("a key that is not a recipient gets the key ids that can open the value")
    func wrongKeyListsRecipients() throws {
        let alice = PrivateKey.generate(), bob = PrivateKey.generate(), mallory = PrivateKey.generate()
        let sealed = try SecretBox.seal(Fixtures.secret("v"), context: context, recipients: [alice.publicKey, bob.publicKey])
        let error = #expect(throws: SealingError.self) { try SecretBox.open(sealed, context: context, with: mallory) }
        #expect(error == .notARecipient(keyID: mallory.id, recipients: [alice.id, bob.id]))
        let message = try #require(error).description
        #expect(message.contains(alice.id.hex) && message.contains(bob.id.hex))
    }

    @Test(
        "the value opens only under the exact context it was sealed under",
        arguments: [
            SealContext(workspaceID: "48c88b0bc1633f332ff243d2aadb7da0", name: "payments-api-key2", version: 3),
            SealContext(workspaceID: "48c88b0bc1633f332ff243d2aadb7da1", name: "payments-api-key", version: 3),
            SealContext(workspaceID: "48c88b0bc1633f332ff243d2aadb7da0", name: "payments-api-key", version: 4),
            SealContext(workspaceID: "48c88b0bc1633f332ff243d2aadb7da0", name: "payments-api-key", version: 2),
        ])
    func otherContextFails(other: SealContext) throws {
        let key = PrivateKey.generate()
        let sealed = try SecretBox.seal(Fixtures.secret("bound"), context: context, recipients: [key.publicKey])
        #expect(throws: SealingError.authenticationFailed) { try SecretBox.open(sealed, context: other, with: key) }
        #expect(try SecretBox.open(sealed, context: context, with: key).testBytes == Array("bound".utf8))
    }

    @Test("the associated data is length-prefixed: tag, workspace id, name, decimal version")
    func associatedDataLayout() {
        let expected =
            "000000116a6f75726e65792d7365616c65642f7631"
            + "000000203438633838623062633136333366333332666632343364326161646237646130"
            + "000000107061796d656e74732d6170692d6b6579" + "0000000132"
        let documented = SealContext(workspaceID: "48c88b0bc1633f332ff243d2aadb7da0", name: "payments-api-key", version: 2)
        #expect(Hex.encode(documented.associatedData) == expected)
        // Length prefixes keep field boundaries: a character moved from version to name changes the bytes.
        let a = SealContext(workspaceID: context.workspaceID, name: "key", version: 12)
        let b = SealContext(workspaceID: context.workspaceID, name: "key1", version: 2)
        #expect(a.associatedData != b.associatedData)
    }

    @Test("values of 1 to 65,536 bytes round-trip, padded to a multiple of 256", arguments: [1, 2, 255, 256, 257, 511, 4096, 65_535, 65_536])
    func sizesRoundTrip(size: Int) throws {
        let key = PrivateKey.generate()
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let sealed = try SecretBox.seal(Fixtures.secret(bytes), context: context, recipients: [key.publicKey])
        #expect(sealed.ciphertext.count == (size / 256 + 1) * 256 + 16)
        #expect(try SecretBox.open(sealed, context: context, with: key).testBytes == bytes)
    }

    @Test("a value over 64 KiB, an empty value and no recipients are refused")
    func sizeLimits() {
        let key = PrivateKey.generate()
        #expect(throws: SealingError.valueTooLarge(limit: 65_536)) {
            try SecretBox.seal(Fixtures.secret([UInt8](repeating: 1, count: 65_537)), context: context, recipients: [key.publicKey])
        }
        #expect(throws: SealingError.emptyValue) {
            try SecretBox.seal(Fixtures.secret([]), context: context, recipients: [key.publicKey])
        }
        #expect(throws: SealingError.noRecipients) {
            try SecretBox.seal(Fixtures.secret("x"), context: context, recipients: [])
        }
    }

    @Test("binary values with NUL bytes and every byte value round-trip")
    func binaryRoundTrip() throws {
        let key = PrivateKey.generate()
        for bytes in [[0], [0, 0, 0], [0x80], [0x80, 0], [1, 0, 2, 0, 0xff, 0x80, 0], (0...255).map { UInt8($0) }] as [[UInt8]] {
            let sealed = try SecretBox.seal(Fixtures.secret(bytes), context: context, recipients: [key.publicKey])
            #expect(try SecretBox.open(sealed, context: context, with: key).testBytes == bytes)
        }
    }

    @Test("rewrap wraps the same data key for the new recipients only")
    func rewrap() throws {
        let alice = PrivateKey.generate(), bob = PrivateKey.generate(), carol = PrivateKey.generate()
        let sealed = try SecretBox.seal(Fixtures.secret("rotate me"), context: context, recipients: [alice.publicKey, bob.publicKey])
        let rewrapped = try SecretBox.rewrap(sealed, context: context, with: bob, for: [alice.publicKey, carol.publicKey])

        #expect(rewrapped.ciphertext == sealed.ciphertext && rewrapped.nonce == sealed.nonce)
        #expect(rewrapped.wraps.map(\.keyID) == [alice.id, carol.id])
        #expect(try SecretBox.open(rewrapped, context: context, with: carol).testBytes == Array("rotate me".utf8))
        #expect(throws: SealingError.notARecipient(keyID: bob.id, recipients: [alice.id, carol.id])) {
            try SecretBox.open(rewrapped, context: context, with: bob)
        }
        // A key that cannot open the value cannot re-wrap it.
        #expect(throws: SealingError.self) { try SecretBox.rewrap(sealed, context: context, with: carol, for: [carol.publicKey]) }
    }
}
