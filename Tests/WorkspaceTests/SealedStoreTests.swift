import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("Sealed store: add, update, open, recipients, rekey")
struct SealedStoreTests {
    @Test("a workspace holding only public keys seals; a private key opens")
    func sealWithPublicKeysOnly() throws {
        try withScratchFolder { scratch in
            let workspace = try Workspace.create(at: scratch.path, name: "public only")
            let holder = PrivateKey.generate()
            try workspace.addRecipient(name: "runner", key: try PublicKey(text: holder.publicKey.text))
            let name = try SecretName("payments-api-key")
            let canary = Canary()

            let written = try workspace.addSecret(name, value: canary.secret, description: "sandbox")
            #expect(written.version == 1)
            #expect(canary.files(under: scratch).isEmpty)

            let reopened = try Workspace(root: scratch.path)
            let (value, file) = try reopened.openSecret(name, with: holder)
            #expect(value.testBytes == canary.bytes)
            #expect(file.description == "sandbox" && file.version == 1)
            #expect(file.recipientNames[holder.id] == "runner")
        }
    }

    @Test("adding a secret that exists is refused and leaves it as it was")
    func addTwice() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let name = try SecretName("token")
            try fixture.workspace.addSecret(name, value: Fixtures.secret("first"), description: "")
            #expect(throws: WorkspaceError.self) { try fixture.workspace.addSecret(name, value: Fixtures.secret("second"), description: "") }
            #expect(try fixture.workspace.openSecret(name, with: fixture.key).value.testBytes == Array("first".utf8))
        }
    }

    @Test("updateSecret raises the version by one each time and the new value opens")
    func updateRaisesVersion() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let name = try SecretName("db-password")
            try fixture.workspace.addSecret(name, value: Fixtures.secret("v1"), description: "database")
            for version in 2...4 {
                let file = try fixture.workspace.updateSecret(name, value: Fixtures.secret("v\(version)"))
                #expect(file.version == version)
                #expect(file.description == "database")
                let opened = try fixture.workspace.openSecret(name, with: fixture.key)
                #expect(opened.value.testBytes == Array("v\(version)".utf8))
                #expect(opened.file.version == version)
            }
            #expect(try fixture.workspace.readSealed(name).version == 4)
            #expect(try fixture.workspace.updateSecret(name, value: Fixtures.secret("v5"), description: "renamed db").description == "renamed db")
        }
    }

    @Test("updating a secret that does not exist names it and says how to add it")
    func updateUnknown() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let error = #expect(throws: WorkspaceError.self) {
                try fixture.workspace.updateSecret(try SecretName("nope"), value: Fixtures.secret("x"))
            }
            #expect(String(describing: try #require(error)).contains("journey secret add nope"))
        }
    }

    @Test("a write interrupted between write and rename leaves the previous file whole and no temp file")
    func interruptedWrite() throws {
        struct Interrupted: Error {}
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let name = try SecretName("api-key")
            let old = Canary(), new = Canary()
            try fixture.workspace.addSecret(name, value: old.secret, description: "")
            let path = fixture.workspace.sealedPath(name)
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            var reachedRename = false

            let error = #expect(throws: WorkspaceError.self) {
                try fixture.workspace.updateSecret(
                    name, value: new.secret,
                    beforeRename: {
                        reachedRename = true
                        // The new version is durable in a temp file beside the old one at this point.
                        let temps = try FileManager.default.contentsOfDirectory(atPath: fixture.workspace.secretsFolder).filter {
                            $0.hasPrefix(".journey-tmp-")
                        }
                        #expect(temps.count == 1)
                        throw Interrupted()
                    })
            }
            #expect(reachedRename)
            #expect(String(describing: try #require(error)).contains("interrupted"))
            #expect(!new.appears(in: String(describing: try #require(error))))

            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            let opened = try fixture.workspace.openSecret(name, with: fixture.key)
            #expect(opened.value.testBytes == old.bytes && opened.file.version == 1)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.workspace.secretsFolder).filter { $0.hasPrefix(".") }
            #expect(leftovers.isEmpty)
            #expect(new.files(under: scratch).isEmpty)
        }
    }

    @Test("concurrent updates of different secrets and of the same secret all land")
    func concurrentUpdates() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let names = try ["alpha", "beta", "shared"].map(SecretName.init)
            for name in names { try fixture.workspace.addSecret(name, value: Fixtures.secret("\(name)-0"), description: "") }
            let rounds = 20
            // Four writers on their own threads: one each on alpha and beta, two on shared.
            let writers = [names[0], names[1], names[2], names[2]]
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: writers.count) { writer in
                let workspace = try? Workspace(root: scratch.path)  // each writer reads the workspace itself
                for round in 1...rounds {
                    do {
                        try workspace?.updateSecret(writers[writer], value: Fixtures.secret("\(writers[writer])-\(writer)-\(round)"))
                    } catch {
                        failures.record("\(writers[writer]) round \(round): \(error)")
                    }
                }
            }
            #expect(failures.all.isEmpty)
            #expect(try fixture.workspace.readSealed(names[0]).version == 1 + rounds)
            #expect(try fixture.workspace.readSealed(names[1]).version == 1 + rounds)
            #expect(try fixture.workspace.readSealed(names[2]).version == 1 + 2 * rounds)
            #expect(try fixture.workspace.openSecret(names[0], with: fixture.key).value.testBytes == Array("alpha-0-\(rounds)".utf8))
            #expect(try fixture.workspace.openSecret(names[1], with: fixture.key).value.testBytes == Array("beta-1-\(rounds)".utf8))
            let shared = String(decoding: try fixture.workspace.openSecret(names[2], with: fixture.key).value.testBytes, as: UTF8.self)
            #expect(shared == "shared-2-\(rounds)" || shared == "shared-3-\(rounds)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.workspace.secretsFolder).filter { $0.hasPrefix(".") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test("a wrong key gets an error naming the secret and listing the key ids that can open it")
    func wrongKey() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path, recipients: ["alice", "bob"])
            let name = try SecretName("slack-token")
            try fixture.workspace.addSecret(name, value: Fixtures.secret("xoxb"), description: "")
            let stranger = PrivateKey.generate()
            let error = #expect(throws: WorkspaceError.self) { try fixture.workspace.openSecret(name, with: stranger) }
            let message = String(describing: try #require(error))
            #expect(message.contains("slack-token"))
            #expect(message.contains(fixture.keys[0].key.id.hex) && message.contains(fixture.keys[1].key.id.hex))
            #expect(message.contains(stranger.id.hex))
            #expect(message.contains("journey secret rekey slack-token"))
        }
    }

    @Test("removeRecipient returns the secrets that key could read, and re-wraps nothing")
    func removeRecipientListsReadable() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path, recipients: ["alice"])
            let workspace = fixture.workspace
            try workspace.addSecret(try SecretName("before-bob"), value: Fixtures.secret("1"), description: "")
            let bob = PrivateKey.generate()
            try workspace.addRecipient(name: "bob", key: bob.publicKey)
            try workspace.addSecret(try SecretName("with-bob"), value: Fixtures.secret("2"), description: "")
            try workspace.addSecret(try SecretName("also-bob"), value: Fixtures.secret("3"), description: "")
            let sealedBefore = try workspace.readSealed(try SecretName("with-bob"))

            let (removed, readable) = try workspace.removeRecipient(name: "bob")
            #expect(removed.name == "bob" && removed.key == bob.publicKey)
            #expect(readable.map(\.rawValue) == ["also-bob", "with-bob"])
            #expect(try workspace.recipients().map(\.name) == ["alice"])
            // Nothing was re-wrapped: bob can still open what he could read until it is rotated.
            #expect(try workspace.readSealed(try SecretName("with-bob")) == sealedBefore)
            #expect(try workspace.openSecret(try SecretName("with-bob"), with: bob).value.testBytes == Array("2".utf8))

            #expect(throws: WorkspaceError.self) { try workspace.removeRecipient(name: "bob") }
        }
    }

    @Test("rekeySecret wraps for the current recipients; a removed recipient can no longer open")
    func rekey() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path, recipients: ["alice", "bob"])
            let workspace = fixture.workspace
            let alice = fixture.keys[0].key, bob = fixture.keys[1].key
            let name = try SecretName("deploy-key")
            let canary = Canary()
            try workspace.addSecret(name, value: canary.secret, description: "")
            let before = try workspace.readSealed(name)

            _ = try workspace.removeRecipient(name: "bob")
            let carol = PrivateKey.generate()
            try workspace.addRecipient(name: "carol", key: carol.publicKey)
            #expect(throws: WorkspaceError.self) { try workspace.openSecret(name, with: carol) }

            let after = try workspace.rekeySecret(name, with: alice)
            #expect(after.version == before.version)
            #expect(after.sealed.ciphertext == before.sealed.ciphertext && after.sealed.nonce == before.sealed.nonce)
            #expect(after.sealed.wraps.map(\.keyID) == [alice.id, carol.id])
            #expect(after.recipientNames == [alice.id: "alice", carol.id: "carol"])

            #expect(try workspace.openSecret(name, with: alice).value.testBytes == canary.bytes)
            #expect(try workspace.openSecret(name, with: carol).value.testBytes == canary.bytes)
            let error = #expect(throws: WorkspaceError.self) { try workspace.openSecret(name, with: bob) }
            #expect(String(describing: try #require(error)).contains("deploy-key"))
            #expect(canary.files(under: scratch).isEmpty)
        }
    }

    @Test("rekey needs a key that opens the value")
    func rekeyNeedsOpeningKey() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let name = try SecretName("locked")
            try fixture.workspace.addSecret(name, value: Fixtures.secret("x"), description: "")
            let outsider = PrivateKey.generate()
            try fixture.workspace.addRecipient(name: "outsider", key: outsider.publicKey)
            let before = try fixture.workspace.readSealed(name)
            let error = #expect(throws: WorkspaceError.self) { try fixture.workspace.rekeySecret(name, with: outsider) }
            #expect(String(describing: try #require(error)).contains("locked"))
            #expect(try fixture.workspace.readSealed(name) == before)
        }
    }

    @Test("a 64 KiB value seals and opens; 64 KiB + 1 and empty are refused, naming the secret")
    func valueSizes() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let largest = (0..<65_536).map { max(1, UInt8(truncatingIfNeeded: $0 * 7)) }  // no NUL: refused when sealing
            try fixture.workspace.addSecret(try SecretName("big"), value: Fixtures.secret(largest), description: "")
            #expect(try fixture.workspace.openSecret(try SecretName("big"), with: fixture.key).value.testBytes == largest)

            for (bytes, reason) in [([UInt8](repeating: 7, count: 65_537), "larger than 65536"), ([], "empty")] {
                let error = #expect(throws: WorkspaceError.self) {
                    try fixture.workspace.addSecret(try SecretName("too"), value: Fixtures.secret(bytes), description: "")
                }
                let message = String(describing: try #require(error))
                #expect(message.contains("'too'") && message.contains(reason))
                #expect(!fixture.workspace.hasSecret(try SecretName("too")))
            }
        }
    }

    @Test("binary values with newlines and high bytes round-trip through the store")
    func binaryValues() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let values: [[UInt8]] = [[0x0a, 0x0d, 0x0a, 1], Array("line one\nline two\n".utf8), (1...255).map { UInt8($0) }.reversed()]
            for (index, bytes) in values.enumerated() {
                let name = try SecretName("binary-\(index)")
                try fixture.workspace.addSecret(name, value: Fixtures.secret(bytes), description: "")
                #expect(try fixture.workspace.openSecret(name, with: fixture.key).value.testBytes == bytes)
            }
        }
    }

    @Test("secretNames lists sealed files only, sorted")
    func secretNames() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            for name in ["zeta", "alpha", "m.id"] {
                try fixture.workspace.addSecret(try SecretName(name), value: Fixtures.secret("x"), description: "")
            }
            try scratch.write("not a secret", to: "secrets/notes.txt")
            try scratch.write("", to: "secrets/.hidden.sealed")
            try scratch.write("", to: "secrets/Upper.sealed")
            #expect(try fixture.workspace.secretNames().map(\.rawValue) == ["alpha", "m.id", "zeta"])
        }
    }
}

/// Collects failures from writer threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func record(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
