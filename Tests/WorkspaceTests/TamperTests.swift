import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

/// A sealed file moved, copied, edited or damaged must fail to open with an error that names the
/// secret: never a crash, never a wrong value.
@Suite("Tampered sealed files fail to open, naming the secret")
struct TamperTests {
    /// A workspace with alice and bob as recipients and one sealed canary value.
    struct Sealed {
        let scratch: ScratchFolder
        let fixture: WorkspaceFixture
        let name: SecretName
        let canary: Canary
        var workspace: Workspace { fixture.workspace }
        var alice: PrivateKey { fixture.key }
        var path: String { workspace.sealedPath(name) }

        init(_ scratch: ScratchFolder, name: String = "payments-api-key") throws {
            self.scratch = scratch
            fixture = try Fixtures.workspace(in: try scratch.folder("ws"), recipients: ["alice", "bob"])
            self.name = try SecretName(name)
            canary = Canary()
            try fixture.workspace.addSecret(self.name, value: canary.secret, description: "the sandbox key")
        }

        func text() throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
        func write(_ bytes: [UInt8], to target: String? = nil) throws { try Data(bytes).write(to: URL(fileURLWithPath: target ?? path)) }

        /// Opens `secret` (default: `name`) with `key` (default: alice's) and records an issue
        /// unless it fails with an error that names the secret and never shows the value.
        func expectOpenFails(
            _ secret: SecretName? = nil, in other: Workspace? = nil, key: PrivateKey? = nil, note comment: Comment? = nil,
            sourceLocation: Testing.SourceLocation = #_sourceLocation
        ) {
            let secret = secret ?? name
            do {
                let opened = try (other ?? workspace).openSecret(secret, with: key ?? alice)
                Issue.record(
                    "opened a tampered file (value is the original: \(opened.value.testBytes == canary.bytes)) \(comment?.rawValue ?? "")",
                    sourceLocation: sourceLocation)
            } catch {
                let message = String(describing: error)
                #expect(message.contains(secret.rawValue), "\(message) \(comment?.rawValue ?? "")", sourceLocation: sourceLocation)
                #expect(!canary.appears(in: message), sourceLocation: sourceLocation)
            }
        }
    }

    @Test("a file renamed to another secret name fails, whether or not its name field is edited too")
    func renamed() throws {
        try withScratchFolder { scratch in
            let sealed = try Sealed(scratch)
            let other = try SecretName("stolen-key")
            let original = try sealed.text()
            try sealed.write(original, to: sealed.workspace.sealedPath(other))
            sealed.expectOpenFails(other)

            let edited = String(decoding: original, as: UTF8.self).replacingOccurrences(of: "name: payments-api-key", with: "name: stolen-key")
            try sealed.write(Array(edited.utf8), to: sealed.workspace.sealedPath(other))
            #expect(try sealed.workspace.readSealed(other).name == other)  // well-formed, so only the AEAD can catch it
            sealed.expectOpenFails(other)
            #expect(try sealed.workspace.openSecret(sealed.name, with: sealed.alice).value.testBytes == sealed.canary.bytes)
        }
    }

    @Test("a file copied into another workspace with the same recipients fails")
    func copiedToAnotherWorkspace() throws {
        try withScratchFolder { scratch in
            let sealed = try Sealed(scratch)
            let other = try Workspace.create(at: try scratch.folder("other"), name: "other")
            for recipient in try sealed.workspace.recipients() { try other.addRecipient(name: recipient.name, key: recipient.key) }
            try sealed.write(try sealed.text(), to: other.sealedPath(sealed.name))
            sealed.expectOpenFails(in: other)
        }
    }

    @Test("a file whose version is edited fails", arguments: [1, 3, 10, 1000])
    func versionEdited(target: Int) throws {
        try withScratchFolder { scratch in
            let sealed = try Sealed(scratch)
            _ = try sealed.workspace.updateSecret(sealed.name, value: sealed.canary.secret)  // now version 2
            let text = String(decoding: try sealed.text(), as: UTF8.self)
            try sealed.write(Array(text.replacingOccurrences(of: "\nversion: 2\n", with: "\nversion: \(target)\n").utf8))
            #expect(try sealed.workspace.readSealed(sealed.name).version == target)
            sealed.expectOpenFails()
        }
    }

    @Test("every byte of the nonce, the ciphertext and the wrapped key, flipped, fails to open")
    func everyDecodedByteFlipped() throws {
        try withScratchFolder { scratch in
            let sealed = try Sealed(scratch)
            let original = try sealed.workspace.readSealed(sealed.name)
            let aliceWrap = try #require(original.sealed.wraps.firstIndex { $0.keyID == sealed.alice.id })
            #expect(original.sealed.nonce.count == 24 && original.sealed.ciphertext.count == 272)
            #expect(original.sealed.wraps[aliceWrap].wrappedKey.count == 80)

            var attempts = 0
            for mask: UInt8 in [0x01, 0x80] {
                for field in ["nonce", "ciphertext", "wrapped-key"] {
                    let length = field == "nonce" ? 24 : field == "ciphertext" ? 272 : 80
                    for position in 0..<length {
                        var file = original
                        switch field {
                        case "nonce": file.sealed.nonce[position] ^= mask
                        case "ciphertext": file.sealed.ciphertext[position] ^= mask
                        default: file.sealed.wraps[aliceWrap].wrappedKey[position] ^= mask
                        }
                        try sealed.write(Array(file.encoded().utf8))
                        sealed.expectOpenFails(note: Comment(rawValue: "\(field)[\(position)] ^ \(mask)"))
                        attempts += 1
                    }
                }
            }
            #expect(attempts == 2 * (24 + 272 + 80))
            try sealed.write(Array(original.encoded().utf8))
            #expect(try sealed.workspace.openSecret(sealed.name, with: sealed.alice).value.testBytes == sealed.canary.bytes)
        }
    }

    @Test("any byte of the file text flipped: authenticated fields fail, unauthenticated ones open to the same value")
    func everyTextByteFlipped() throws {
        try withScratchFolder { scratch in
            let sealed = try Sealed(scratch)
            let original = try sealed.text()
            let reference = try sealed.workspace.readSealed(sealed.name)
            var failed = 0, opened = 0
            // Every position with a low-bit flip (stays ASCII); every 7th with the high bit (invalid UTF-8).
            let flips = original.indices.map { ($0, UInt8(0x01)) } + stride(from: 0, to: original.count, by: 7).map { ($0, UInt8(0x80)) }
            for (position, mask) in flips {
                var bytes = original
                bytes[position] ^= mask
                try sealed.write(bytes)
                let comment = Comment(rawValue: "byte \(position) ^ \(mask)")
                if try changesAuthenticatedContent(bytes, comparedTo: reference, sealed: sealed) {
                    sealed.expectOpenFails(note: comment)
                    failed += 1
                } else {
                    // Only a comment, description, time, recipient label or base64 slack changed.
                    #expect(try sealed.workspace.openSecret(sealed.name, with: sealed.alice).value.testBytes == sealed.canary.bytes, comment)
                    opened += 1
                }
            }
            // Most of the file is authenticated content; the comment line and labels are not.
            #expect(failed > original.count / 2)
            #expect(opened > 0)
        }
    }

    /// Whether `bytes` no longer parse, or parse to a different name, version, nonce, ciphertext
    /// or wrap for alice's key than `reference`.
    private func changesAuthenticatedContent(_ bytes: [UInt8], comparedTo reference: SealedFile, sealed: Sealed) throws -> Bool {
        guard let text = String(validating: bytes, as: UTF8.self),
            let yaml = try? YAMLFile(path: "flipped", text: text),
            let file = try? SealedFile.parse(yaml, expectedName: sealed.name)
        else { return true }
        func aliceWrap(_ file: SealedFile) -> KeyWrap? { file.sealed.wraps.first { $0.keyID == sealed.alice.id } }
        return file.name != reference.name || file.version != reference.version || file.sealed.nonce != reference.sealed.nonce
            || file.sealed.ciphertext != reference.sealed.ciphertext || aliceWrap(file) != aliceWrap(reference)
    }

    @Test("a file truncated at any line, or emptied, fails naming the secret")
    func truncated() throws {
        try withScratchFolder { scratch in
            let sealed = try Sealed(scratch)
            let original = try sealed.text()
            let lineEnds = original.indices.filter { original[$0] == 0x0a }
            for end in [0] + lineEnds.dropLast() + [original.count - 10] {
                try sealed.write(Array(original[..<end]))
                sealed.expectOpenFails(note: Comment(rawValue: "truncated to \(end) bytes"))
            }
        }
    }

    @Test("a wrap moved under another recipient's key id fails")
    func wrapsSwapped() throws {
        try withScratchFolder { scratch in
            let sealed = try Sealed(scratch)
            var file = try sealed.workspace.readSealed(sealed.name)
            let first = file.sealed.wraps[0].wrappedKey
            file.sealed.wraps[0].wrappedKey = file.sealed.wraps[1].wrappedKey
            file.sealed.wraps[1].wrappedKey = first
            try sealed.write(Array(file.encoded().utf8))
            sealed.expectOpenFails()
            sealed.expectOpenFails(key: sealed.fixture.keys[1].key)
        }
    }
}
