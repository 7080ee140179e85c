import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

/// YAML that expands to 10⁷ nodes through nested aliases: a few hundred bytes.
enum AliasBomb {
    static func lines(indent: String = "") -> [String] {
        var lines = [indent + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...7 {
            lines.append(indent + "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        return lines
    }

    /// Aliases as mapping keys: the YAML composer hashes each key whole.
    static func keyLines(indent: String = "") -> [String] {
        var lines = [indent + "k0: &k0 {x: 1, y: 2}"]
        for level in 1...24 { lines.append(indent + "k\(level): &k\(level) {p: *k\(level - 1), q: *k\(level - 1)}") }
        lines.append(indent + "z: {? *k24 : 1, ? *k23 : 2}")
        return lines
    }
}

@Suite("Threat: YAML alias bombs in any file the tool reads are refused, naming the file")
struct YAMLAliasBombTests {
    enum Target: String, CaseIterable, Sendable { case workspace, recipients, sealed, localSecrets }

    @Test(arguments: Target.allCases, [false, true])
    func aliasBombIsRefusedWithTheFileNamed(target: Target, asKeys: Bool) throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let name = try SecretName("api")
            try fixture.workspace.addSecret(name, value: Fixtures.secret("v4lue"), description: "")
            let bomb = (asKeys ? AliasBomb.keyLines() : AliasBomb.lines()).joined(separator: "\n") + "\n"
            let path: String
            switch target {
            case .workspace: path = fixture.workspace.configPath
            case .recipients: path = fixture.workspace.recipientsPath
            case .sealed: path = fixture.workspace.sealedPath(name)
            case .localSecrets: path = try scratch.folder(".journey") + "/local-secrets.yaml"
            }
            try Data(bomb.utf8).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: WorkspaceError.self) {
                switch target {
                case .workspace: _ = try Workspace(root: scratch.path)
                case .recipients: _ = try fixture.workspace.recipients()
                case .sealed: _ = try fixture.workspace.readSealed(name)
                case .localSecrets: _ = try LocalSecrets(workspace: fixture.workspace)
                }
            }
            let message = String(describing: try #require(error))
            #expect(message.contains((path as NSString).lastPathComponent), "\(message)")
            #expect(message.contains("alias"), "\(message)")
        }
    }

    @Test func deeplyNestedCollectionsAreRefusedNotACrash() throws {
        let text = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let error = #expect(throws: WorkspaceError.self) { _ = try YAMLFile(path: "deep.yaml", text: text) }
        #expect(String(describing: try #require(error)).contains("deep.yaml:1:"))
    }

    @Test func ordinaryAliasesStillWork() throws {
        let file = try YAMLFile(path: "ok.yaml", text: "base: &b {a: 1}\nother: *b\n")
        #expect(file.root.mapping?["other"]?.mapping?["a"]?.string == "1")
    }
}

@Suite("Threat: sealing-side checks refuse values and versions that would break readers")
struct SealingGuardTests {
    @Test func aValueWithANulByteIsRefusedWhenSealingWithTheReason() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let name = try SecretName("binary")
            let error = #expect(throws: WorkspaceError.self) {
                try fixture.workspace.addSecret(name, value: Fixtures.secret([0x73, 0x6b, 0, 0x41]), description: "")
            }
            #expect(String(describing: try #require(error)).contains("NUL byte"))
            #expect(!fixture.workspace.hasSecret(name))
            try fixture.workspace.addSecret(name, value: Fixtures.secret("ok"), description: "")
            #expect(throws: WorkspaceError.self) { try fixture.workspace.updateSecret(name, value: Fixtures.secret([0])) }
            #expect(try fixture.workspace.openSecret(name, with: fixture.key).value.testBytes == Array("ok".utf8))
        }
    }

    @Test func anUpdateThatWouldReachTheVersionCeilingIsRefused() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let name = try SecretName("counter")
            try fixture.workspace.addSecret(name, value: Fixtures.secret("v"), description: "")
            // A file at 2⁶³ − 2 is readable; an update would write 2⁶³ − 1, which no reader accepts.
            let path = fixture.workspace.sealedPath(name)
            let edited = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\nversion: 1\n", with: "\nversion: \(Int.max - 1)\n")
            try Data(edited.utf8).write(to: URL(fileURLWithPath: path))
            #expect(try fixture.workspace.readSealed(name).version == Int.max - 1)
            let error = #expect(throws: WorkspaceError.self) { try fixture.workspace.updateSecret(name, value: Fixtures.secret("w")) }
            #expect(String(describing: try #require(error)).contains("2⁶³ − 2"))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == edited)
        }
    }
}

@Suite("Threat: a workspace or secrets/ owned by another user is refused")
struct WorkspaceOwnershipTests {
    @Test(arguments: ["", "workspace.yaml", "secrets", "secrets/recipients.yaml"])
    func aWorkspacePlantedByAnotherUserIsRefusedWithTheFix(part: String) throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let planted = part.isEmpty ? scratch.path : scratch.path(part)
            #expect(chown(planted, 4242, 4242) == 0)
            let error = #expect(throws: WorkspaceError.self) { _ = try Workspace.locate(startingAt: try scratch.folder("journeys")) }
            let message = String(describing: try #require(error))
            #expect(message.contains("uid 4242") && message.contains("chown") && message.contains(Workspace.safeDirectoryVariable), "\(message)")
            // Trusted by name, it opens.
            setenv(Workspace.safeDirectoryVariable, fixture.root, 1)
            defer { unsetenv(Workspace.safeDirectoryVariable) }
            #expect(try Workspace(root: fixture.root).config.id == fixture.workspace.config.id)
        }
    }
}

extension WorkspaceOwnershipTests {
    @Test(arguments: ["secrets/staging", "secrets/staging/recipients.yaml"])
    func anEnvironmentStorePlantedByAnotherUserIsRefused(part: String) throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            try fixture.workspace.addEnvironment(EnvironmentName("staging"))
            #expect(try Workspace(root: fixture.root).config.environments == [EnvironmentName("staging")])
            #expect(chown(scratch.path(part), 4242, 4242) == 0)
            let error = #expect(throws: WorkspaceError.self) { _ = try Workspace(root: fixture.root, environment: EnvironmentName("staging")) }
            let message = String(describing: try #require(error))
            #expect(message.contains(part) && message.contains("uid 4242") && message.contains(Workspace.safeDirectoryVariable), "\(message)")
        }
    }
}

@Suite("Threat: key files that hang, or are cut, are refused")
struct KeyFileTests {
    @Test func aFIFOAtTheKeyPathIsRefusedWithoutHanging() throws {
        try withScratchFolder { scratch in
            let path = scratch.path("key.fifo")
            #expect(mkfifo(path, 0o600) == 0)
            let error = #expect(throws: KeyError.self) { _ = try PrivateKey.load(fromFile: path) }
            #expect(error == .keyFileNotRegular(path: path))
        }
    }

    @Test func aKeyFileOverTheLimitIsRefusedNotTruncated() throws {
        try withScratchFolder { scratch in
            let key = PrivateKey.generate()
            let path = try Fixtures.writeKeyFile(key, to: scratch.path("big.key"))
            // A valid key in the first 4096 bytes, then more: refused, not read as the key.
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(repeating: 0x20, count: PrivateKey.maximumKeyFileSize))
            try handle.close()
            let error = #expect(throws: KeyError.self) { _ = try PrivateKey.load(fromFile: path) }
            #expect(error == .keyFileTooLarge(path: path, limit: PrivateKey.maximumKeyFileSize))
            #expect(try PrivateKey.load(fromFile: Fixtures.writeKeyFile(key, to: scratch.path("ok.key"))).publicKey == key.publicKey)
        }
    }
}
