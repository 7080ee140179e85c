import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

/// docs/open-sealed.py is written from docs/FORMAT.md alone (Python standard library and
/// libsodium through ctypes). It opening what the Swift library seals shows the document is
/// exact; it refusing tampered files shows the document says what must fail.
@Suite("docs/open-sealed.py opens what the library seals, from FORMAT.md alone")
struct IndependentOpenerTests {
    static let script = PackagePaths.root + "/docs/open-sealed.py"

    static func open(workspace: String, keyFile: String, name: String) throws -> ProcessResult {
        try Subprocess.run("python3", [script, "--workspace", workspace, "--key-file", keyFile, name])
    }

    /// A workspace with alice and bob, and alice's key in a 0600 file outside it.
    static func makeWorkspace(_ scratch: ScratchFolder) throws -> (fixture: WorkspaceFixture, keyFile: String) {
        let fixture = try Fixtures.workspace(in: try scratch.folder("ws"), recipients: ["alice", "bob"])
        let keyFile = try Fixtures.writeKeyFile(fixture.key, to: scratch.path("keys/alice.key"))
        return (fixture, keyFile)
    }

    @Test(
        "the script prints the exact bytes of values the library sealed",
        arguments: [
            "text", "binary", "largest", "rotated",
        ])
    func opensExactBytes(kind: String) throws {
        try withScratchFolder { scratch in
            let (fixture, keyFile) = try Self.makeWorkspace(scratch)
            let canary = Canary()
            let name = try SecretName("value-\(kind)")
            let bytes: [UInt8]
            switch kind {
            case "text": bytes = canary.bytes
            // Every byte but NUL, which sealing refuses (it cannot pass through the environment).
            case "binary": bytes = [1] + canary.bytes + [0x7f, 0x0a, 0xff, 0x80, 0x0d, 0x0a, 1]
            case "largest": bytes = (0..<65_536).map { max(1, UInt8(truncatingIfNeeded: $0 &* 131)) }
            default: bytes = canary.bytes + [0x0a]
            }
            try fixture.workspace.addSecret(name, value: Fixtures.secret(kind == "rotated" ? Array("old".utf8) : bytes), description: "say \"hi\"\tthere")
            if kind == "rotated" {
                for _ in 0..<11 { try fixture.workspace.updateSecret(name, value: Fixtures.secret(bytes)) }
                #expect(try fixture.workspace.readSealed(name).version == 12)
            }

            let result = try Self.open(workspace: fixture.root, keyFile: keyFile, name: name.rawValue)
            #expect(result.exitCode == 0, "\(result.stderrText)")
            #expect(result.stdout == bytes)
            #expect(result.stderr.isEmpty)

            let bobFile = try Fixtures.writeKeyFile(fixture.keys[1].key, to: scratch.path("keys/bob.key"))
            #expect(try Self.open(workspace: fixture.root, keyFile: bobFile, name: name.rawValue).stdout == bytes)
        }
    }

    /// Ways to damage a sealed file; each must make the script refuse it.
    enum Tamper: String, CaseIterable, Sendable {
        case ciphertextByte, tagByte, nonceByte, wrappedKeyByte, versionEdited, renamedWithNameEdited, otherWorkspace, keyIDEdited
    }

    @Test("the script refuses a tampered file, naming the secret and printing nothing", arguments: Tamper.allCases)
    func refusesTampered(tamper: Tamper) throws {
        try withScratchFolder { scratch in
            let (fixture, keyFile) = try Self.makeWorkspace(scratch)
            let canary = Canary()
            var name = try SecretName("deploy-token")
            try fixture.workspace.addSecret(name, value: canary.secret, description: "")
            var file = try fixture.workspace.readSealed(name)
            switch tamper {
            case .ciphertextByte: file.sealed.ciphertext[100] ^= 0x01
            case .tagByte: file.sealed.ciphertext[file.sealed.ciphertext.count - 1] ^= 0x01
            case .nonceByte: file.sealed.nonce[23] ^= 0x01
            case .wrappedKeyByte: file.sealed.wraps[0].wrappedKey[40] ^= 0x01
            case .versionEdited: file.version = 2
            case .renamedWithNameEdited:
                name = try SecretName("other-token")
                file.name = name
            case .otherWorkspace:
                let config = WorkspaceConfig(id: Hex.randomID(), name: "copy")
                try Data(config.encoded().utf8).write(to: URL(fileURLWithPath: fixture.workspace.configPath))
            case .keyIDEdited: file.sealed.wraps[0].keyID = try #require(KeyID(hex: "0000000000000000"))
            }
            try Data(file.encoded().utf8).write(to: URL(fileURLWithPath: fixture.workspace.sealedPath(name)))
            // The library refuses it too.
            #expect(throws: WorkspaceError.self) { try Workspace(root: fixture.root).openSecret(name, with: fixture.key) }

            let result = try Self.open(workspace: fixture.root, keyFile: keyFile, name: name.rawValue)
            #expect(result.exitCode == 2)
            #expect(result.stdout.isEmpty)
            #expect(result.stderrText.contains("'\(name)'"), "\(result.stderrText)")
            #expect(!canary.appears(in: result.stderr))
        }
    }

    @Test("the script lists the key ids that can open a value for a key that is not a recipient")
    func wrongKey() throws {
        try withScratchFolder { scratch in
            let (fixture, _) = try Self.makeWorkspace(scratch)
            try fixture.workspace.addSecret(try SecretName("api"), value: Fixtures.secret("v"), description: "")
            let stranger = try Fixtures.writeKeyFile(PrivateKey.generate(), to: scratch.path("keys/stranger.key"))
            let result = try Self.open(workspace: fixture.root, keyFile: stranger, name: "api")
            #expect(result.exitCode == 2 && result.stdout.isEmpty)
            for key in fixture.keys { #expect(result.stderrText.contains(key.key.id.hex)) }
        }
    }

    @Test("the script refuses a key file that group or others can read, with the chmod fix")
    func looseKeyFile() throws {
        try withScratchFolder { scratch in
            let (fixture, _) = try Self.makeWorkspace(scratch)
            try fixture.workspace.addSecret(try SecretName("api"), value: Fixtures.secret("v"), description: "")
            let loose = try Fixtures.writeKeyFile(fixture.key, to: scratch.path("keys/loose.key"), mode: 0o640)
            let result = try Self.open(workspace: fixture.root, keyFile: loose, name: "api")
            #expect(result.exitCode == 2 && result.stdout.isEmpty)
            #expect(result.stderrText.contains("chmod 600 \(loose)"))
        }
    }
}

/// The worked example in docs/FORMAT.md §8 is a real sealed file: both openers get its value.
@Suite("The worked example in docs/FORMAT.md opens")
struct FormatDocumentTests {
    /// The fenced block after `<!-- example: LABEL -->` in FORMAT.md, without its trailing newline.
    static func example(_ label: String) throws -> String {
        let document = try String(contentsOfFile: PackagePaths.root + "/docs/FORMAT.md", encoding: .utf8)
        let marker = try #require(document.range(of: "<!-- example: \(label) -->"))
        let rest = document[marker.upperBound...]
        let fenceOpen = try #require(rest.range(of: "```"))
        let bodyStart = try #require(rest[fenceOpen.upperBound...].firstIndex(of: "\n"))
        let fenceClose = try #require(rest[bodyStart...].range(of: "\n```"))
        return String(rest[rest.index(after: bodyStart)..<fenceClose.lowerBound])
    }

    static func writeExample(to scratch: ScratchFolder) throws -> (workspace: String, keyFile: String) {
        let root = try scratch.folder("ws")
        try scratch.write(try example("workspace.yaml") + "\n", to: "ws/workspace.yaml")
        try scratch.write(try example("secrets/payments-api-key.sealed") + "\n", to: "ws/secrets/payments-api-key.sealed")
        let keyFile = try scratch.write(try example("alice.key") + "\n", to: "alice.key", mode: 0o600)
        return (root, keyFile)
    }

    @Test("the Swift library opens the documented example to the documented value")
    func swiftOpensExample() throws {
        try withScratchFolder { scratch in
            let (root, keyFile) = try Self.writeExample(to: scratch)
            let key = try PrivateKey.load(fromFile: keyFile)
            #expect(key.id.hex == "02692795d835aab4")
            let opened = try Workspace(root: root).openSecret(try SecretName("payments-api-key"), with: key)
            #expect(opened.value.testBytes == Array(try Self.example("value").utf8))
            #expect(opened.file.version == 2)
        }
    }

    @Test("open-sealed.py opens the documented example to the documented value")
    func scriptOpensExample() throws {
        try withScratchFolder { scratch in
            let (root, keyFile) = try Self.writeExample(to: scratch)
            let result = try IndependentOpenerTests.open(workspace: root, keyFile: keyFile, name: "payments-api-key")
            #expect(result.exitCode == 0, "\(result.stderrText)")
            #expect(result.stdoutText == (try Self.example("value")))
        }
    }

    @Test("the documented associated data is what the library builds")
    func associatedData() throws {
        let documented = """
            00000011 6a6f75726e65792d7365616c65642f7631
            00000020 3438633838623062633136333366333332666632343364326161646237646130
            00000010 7061796d656e74732d6170692d6b6579
            00000001 32
            """
        let document = try String(contentsOfFile: PackagePaths.root + "/docs/FORMAT.md", encoding: .utf8)
        #expect(document.contains(documented))
        let context = SealContext(workspaceID: "48c88b0bc1633f332ff243d2aadb7da0", name: "payments-api-key", version: 2)
        #expect(Hex.encode(context.associatedData) == documented.filter { !$0.isWhitespace })
        // The length the document states is the length the library builds (it once said 89).
        #expect(context.associatedData.count == 82)
        #expect(document.contains("the associated data is these \(context.associatedData.count) bytes"))
    }
}

/// The version 2 worked example (docs/FORMAT.md §9), and the environment binding as an
/// independent reader sees it.
@Suite("Format version 2 in docs/FORMAT.md and open-sealed.py")
struct EnvironmentFormatDocumentTests {
    static func writeExample(to scratch: ScratchFolder) throws -> (workspace: String, keyFile: String) {
        let root = try scratch.folder("ws")
        try scratch.write(try FormatDocumentTests.example("v2 workspace.yaml") + "\n", to: "ws/workspace.yaml")
        let sealed = try FormatDocumentTests.example("secrets/production/payments-api-key.sealed") + "\n"
        try scratch.write(sealed, to: "ws/secrets/production/payments-api-key.sealed")
        // The production file copied into staging: both readers must refuse it.
        try scratch.write(sealed, to: "ws/secrets/staging/payments-api-key.sealed")
        let keyFile = try scratch.write(try FormatDocumentTests.example("alice.key") + "\n", to: "alice.key", mode: 0o600)
        return (root, keyFile)
    }

    @Test("the documented version 2 associated data is what the library builds")
    func associatedData() throws {
        let documented = """
            00000011 6a6f75726e65792d7365616c65642f7632
            00000020 3438633838623062633136333366333332666632343364326161646237646130
            0000000a 70726f64756374696f6e
            00000010 7061796d656e74732d6170692d6b6579
            00000001 31
            """
        let document = try String(contentsOfFile: PackagePaths.root + "/docs/FORMAT.md", encoding: .utf8)
        #expect(document.contains(documented))
        let context = SealContext(workspaceID: "48c88b0bc1633f332ff243d2aadb7da0", environment: "production", name: "payments-api-key", version: 1)
        #expect(Hex.encode(context.associatedData) == documented.filter { !$0.isWhitespace })
        #expect(context.associatedData.count == 96)
    }

    @Test("both openers get the documented value in production and refuse the copy in staging and the flat read")
    func bothOpeners() throws {
        try withScratchFolder { scratch in
            let (root, keyFile) = try Self.writeExample(to: scratch)
            let value = try FormatDocumentTests.example("v2 value")
            let key = try PrivateKey.load(fromFile: keyFile)
            let production = try Workspace(root: root, environment: EnvironmentName("production"))
            #expect(try production.openSecret(SecretName("payments-api-key"), with: key).value.testBytes == Array(value.utf8))
            let staging = try Workspace(root: root, environment: EnvironmentName("staging"))
            #expect(throws: WorkspaceError.self) { try staging.openSecret(SecretName("payments-api-key"), with: key) }

            let opened = try Subprocess.run(
                "python3", [IndependentOpenerTests.script, "--workspace", root, "--key-file", keyFile, "--env", "production", "payments-api-key"])
            #expect(opened.exitCode == 0, "\(opened.stderrText)")
            #expect(opened.stdoutText == value)
            let copied = try Subprocess.run(
                "python3", [IndependentOpenerTests.script, "--workspace", root, "--key-file", keyFile, "--env", "staging", "payments-api-key"])
            #expect(copied.exitCode == 2 && copied.stdout.isEmpty && copied.stderrText.contains("sealed for environment 'production'"))
            let flat = try IndependentOpenerTests.open(workspace: root, keyFile: keyFile, name: "payments-api-key")
            #expect(flat.exitCode == 2 && flat.stdout.isEmpty && flat.stderrText.contains("choose one with --env"))

            // The copy with its environment line edited fails the AEAD in the script too.
            let path = root + "/secrets/staging/payments-api-key.sealed"
            let edited = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "environment: production", with: "environment: staging")
            try edited.write(toFile: path, atomically: true, encoding: .utf8)
            let forged = try Subprocess.run(
                "python3", [IndependentOpenerTests.script, "--workspace", root, "--key-file", keyFile, "--env", "staging", "payments-api-key"])
            #expect(forged.exitCode == 2 && forged.stdout.isEmpty && forged.stderrText.contains("did not verify"))
        }
    }

    @Test("open-sealed.py opens what the library seals for an environment")
    func scriptOpensLibraryV2() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: try scratch.folder("ws"), recipients: [])
            let staging = try fixture.workspace.addEnvironment(EnvironmentName("staging"))
            let key = PrivateKey.generate()
            try staging.addRecipient(name: "dev", key: key.publicKey)
            let canary = Canary()
            try staging.addSecret(SecretName("db.password"), value: canary.secret, description: "")
            let keyFile = try Fixtures.writeKeyFile(key, to: scratch.path("dev.key"))
            let result = try Subprocess.run(
                "python3", [IndependentOpenerTests.script, "--workspace", fixture.root, "--key-file", keyFile, "--env", "staging", "db.password"])
            #expect(result.exitCode == 0, "\(result.stderrText)")
            #expect(result.stdout == canary.bytes)
        }
    }
}
