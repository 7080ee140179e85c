import Foundation
import Sealing
import Synchronization
import TestSupport
import Testing
import Workspace

@Suite("journey secret, keys and exec through the binary")
struct SecretCommandTests {
    @Test func aCanaryNeverAppearsOutsideItsSealedForm() throws {
        let fixture = try CLIFixture()
        let canary = Canary(), rotated = Canary()
        try fixture.expectSuccess(["secret", "add", "payments-api-key", "--description", "Payments"], stdin: canary.text + "\n")
        try fixture.expectSuccess(["secret", "list"])
        try fixture.expectSuccess(["secret", "list", "--json"])
        try fixture.expectSuccess(["secret", "show", "payments-api-key"])
        try fixture.expectSuccess(["secret", "show", "payments-api-key", "--json"])
        let exec = try fixture.expectSuccess([
            "exec", "--secret", "payments-api-key", "--", "sh", "-c",
            #"echo "key=$PAYMENTS_API_KEY"; echo "$PAYMENTS_API_KEY" >&2; printf %s "$PAYMENTS_API_KEY" | base64"#,
        ])
        #expect(exec.stdoutText.hasPrefix("key=***\n"))
        #expect(exec.stderrText == "***\n")
        try fixture.expectSuccess(["secret", "update", "payments-api-key"], stdin: rotated.text)
        // Error paths, each with the value at hand.
        #expect(try fixture.run(["secret", "add", "payments-api-key"], stdin: canary.text).exitCode == 2)
        #expect(try fixture.run(["secret", "update", "no-such-secret"], stdin: canary.text).exitCode == 2)
        #expect(try fixture.run(["secret", "add", "Bad Name"], stdin: canary.text).exitCode == 2)
        #expect(try fixture.run(["exec", "--secret", "payments-api-key", "--key-file", "/nonexistent", "--", "true"]).exitCode == 2)
        let failing = try fixture.run(["exec", "--secret", "payments-api-key", "--", "sh", "-c", #"echo "failed with $PAYMENTS_API_KEY" >&2; exit 3"#])
        #expect(failing.exitCode == 3)
        #expect(failing.stderrText == "failed with ***\n")

        for value in [canary, rotated] {
            #expect(!value.appears(in: fixture.allOutput))
            #expect(value.files(under: fixture.scratch).isEmpty, "a file holds the value")
        }
        let opened = try fixture.workspace().openSecret(SecretName("payments-api-key"), with: PrivateKey.load(fromFile: fixture.keyPath("alice")))
        #expect(opened.value.testBytes == rotated.bytes)
        #expect(opened.file.version == 2)
    }

    @Test func oneTrailingNewlineFromStdinIsDroppedAndFromFileKept() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "piped"], stdin: "value\n")
        try fixture.expectSuccess(["secret", "add", "kept", "--keep-newline"], stdin: "value\n")
        let file = try fixture.scratch.write("line one\nline two\n", to: "value.txt")
        try fixture.expectSuccess(["secret", "add", "from-file", "--from-file", file])
        let key = try PrivateKey.load(fromFile: fixture.keyPath("alice"))
        let workspace = try fixture.workspace()
        #expect(try workspace.openSecret(SecretName("piped"), with: key).value.testBytes == Array("value".utf8))
        #expect(try workspace.openSecret(SecretName("kept"), with: key).value.testBytes == Array("value\n".utf8))
        #expect(try workspace.openSecret(SecretName("from-file"), with: key).value.testBytes == Array("line one\nline two\n".utf8))
    }

    @Test func emptyAndOversizeValuesAreRefusedAndNothingIsWritten() throws {
        let fixture = try CLIFixture()
        let empty = try fixture.run(["secret", "add", "empty"], stdin: "\n")
        #expect(empty.exitCode == 2)
        #expect(empty.stderrText.contains("empty"))
        let big = try fixture.scratch.write([UInt8](repeating: 0x61, count: 64 * 1024 + 1), to: "big")
        let tooBig = try fixture.run(["secret", "add", "big", "--from-file", big])
        #expect(tooBig.exitCode == 2)
        #expect(tooBig.stderrText.contains("64 KiB"))
        #expect(try fixture.workspace().secretNames().isEmpty)
    }

    @Test func namesThatWouldReplaceAProcessVariableAreRefused() throws {
        let fixture = try CLIFixture()
        for name in ["path", "home", "ld-preload", "node-options", "dyld-insert-libraries"] {
            let result = try fixture.run(["secret", "add", name], stdin: "value")
            #expect(result.exitCode == 2, "\(name)")
            #expect(result.stderrText.contains("choose another secret name"), "\(name)")
        }
    }

    @Test func keysRemoveListsWhatToRotateAndRekeyAllLetsANewKeyOpen() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "one"], stdin: "value-one")
        try fixture.expectSuccess(["secret", "add", "two"], stdin: "value-two")
        try fixture.expectSuccess(["keys", "generate", "bob"])
        // bob was added after the values were sealed: he cannot open them yet.
        let before = try fixture.run(["exec", "--secret", "one", "--key-file", fixture.keyPath("bob"), "--", "true"])
        #expect(before.exitCode == 2)
        let aliceID = try PrivateKey.load(fromFile: fixture.keyPath("alice")).id
        #expect(before.stderrText.contains(aliceID.hex), "the error lists the key ids that can open it")

        try fixture.expectSuccess(["secret", "rekey", "--all", "--key-file", fixture.keyPath("alice")])
        #expect(try fixture.run(["exec", "--secret", "one", "--secret", "two", "--key-file", fixture.keyPath("bob"), "--", "true"]).exitCode == 0)

        let removed = try fixture.expectSuccess(["keys", "remove", "alice"])
        #expect(removed.stdoutText.contains("  one\n"))
        #expect(removed.stdoutText.contains("  two\n"))
        #expect(removed.stdoutText.contains("journey secret update"))
        // Nothing was re-wrapped silently: alice's wrap is still there until a rotation.
        #expect(try fixture.run(["exec", "--secret", "one", "--key-file", fixture.keyPath("alice"), "--", "true"]).exitCode == 0)
        try fixture.expectSuccess(["secret", "update", "one"], stdin: "rotated")
        #expect(try fixture.run(["exec", "--secret", "one", "--key-file", fixture.keyPath("alice"), "--", "true"]).exitCode == 2)
    }

    @Test func aKeyFileOthersCanReadIsRefusedWithTheFix() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "one"], stdin: "value")
        chmod(fixture.keyPath("alice"), 0o644)
        let result = try fixture.run(["exec", "--secret", "one", "--key-file", fixture.keyPath("alice"), "--", "true"])
        #expect(result.exitCode == 2)
        #expect(result.stderrText.contains("chmod 600 \(fixture.keyPath("alice"))"))
    }

    @Test func keyComesFromJourneyKeyTextAndIsNotPassedToTheChild() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "one"], stdin: "value")
        let keyText = try String(contentsOfFile: fixture.keyPath("alice"), encoding: .utf8)
        try FileManager.default.removeItem(atPath: fixture.keyFolder)
        let result = try fixture.run(
            ["exec", "--secret", "one", "--", "sh", "-c", #"echo "key-set=${JOURNEY_KEY:+yes}"; echo "one=$ONE""#],
            environment: ["JOURNEY_KEY": keyText])
        #expect(result.exitCode == 0, "\(result.allOutput)")
        #expect(result.stdoutText == "key-set=\none=***\n")
    }

    @Test func badInputExitsTwoWithFileLineAndFix() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "one"], stdin: "value")
        let sealedPath = fixture.root + "/secrets/one.sealed"
        let original = try String(contentsOfFile: sealedPath, encoding: .utf8)
        try original.replacingOccurrences(of: "version: 1", with: "version: one").write(toFile: sealedPath, atomically: true, encoding: .utf8)
        let malformed = try fixture.run(["exec", "--secret", "one", "--", "true"])
        #expect(malformed.exitCode == 2)
        #expect(malformed.stderrText.contains("secrets/one.sealed:5"))
        #expect(malformed.stderrText.contains("version"))

        let unknown = try fixture.run(["secret", "show", "nope"])
        #expect(unknown.exitCode == 2)
        #expect(unknown.stderrText.contains("journey secret add nope"))

        try "id: not-hex\nname: x\n".write(toFile: fixture.root + "/workspace.yaml", atomically: true, encoding: .utf8)
        let badWorkspace = try fixture.run(["secret", "list"])
        #expect(badWorkspace.exitCode == 2)
        #expect(badWorkspace.stderrText.contains("workspace.yaml:1:5"))
        #expect(badWorkspace.stderrText.contains("32 lowercase hex digits"))

        let usage = try fixture.run(["exec", "--secret", "one"])
        #expect(usage.exitCode == 2)
    }

    @Test func twoProcessesUpdatingDifferentSecretsBothLand() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "first"], stdin: "v0")
        try fixture.expectSuccess(["secret", "add", "second"], stdin: "v0")
        let rounds = 8
        let env = JourneyBinary.environment(configHome: fixture.configHome)
        let root = fixture.root
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let name = index == 0 ? "first" : "second"
            for round in 1...rounds {
                let result = try? Subprocess.run(
                    JourneyBinary.path, ["secret", "update", name], environment: env, currentDirectory: root, stdin: Array("v\(round)".utf8))
                if result?.exitCode != 0 { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        let workspace = try fixture.workspace()
        let key = try PrivateKey.load(fromFile: fixture.keyPath("alice"))
        for name in ["first", "second"] {
            let opened = try workspace.openSecret(SecretName(name), with: key)
            #expect(opened.file.version == rounds + 1)
            #expect(opened.value.testBytes == Array("v\(rounds)".utf8))
        }
    }

    @Test func execForwardsTermToTheChildAndReturnsItsExitCode() throws {
        let fixture = try CLIFixture()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: JourneyBinary.path)
        process.arguments = ["exec", "--", "sh", "-c", #"trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.05; done"#]
        process.environment = JourneyBinary.environment(configHome: fixture.configHome)
        process.currentDirectoryURL = URL(fileURLWithPath: fixture.root)
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = output.fileHandleForReading
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("ready") {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        kill(process.processIdentifier, SIGTERM)
        seen += reader.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(String(decoding: seen, as: UTF8.self).contains("got-term"))
        #expect(process.terminationStatus == 7)
    }
}
