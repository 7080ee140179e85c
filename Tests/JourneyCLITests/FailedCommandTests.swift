import Foundation
import Sealing
import TestSupport
import Testing

/// A command that fails leaves the repository as it was: `keys generate` when the key file
/// cannot be written, `env add` when a step after the merge driver's registration fails.
@Suite("Failed commands change nothing")
struct FailedCommandTests {
    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test func keysGenerateThatCannotWriteItsKeyLeavesRecipientsAsTheyWere() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "api-token"], stdin: "value")
        // Hand-written touches (a comment, a blank line) must survive a failed generate too.
        let recipients = fixture.root + "/secrets/recipients.yaml"
        try ("# reviewed by ops\n\n" + String(contentsOfFile: recipients, encoding: .utf8)).write(toFile: recipients, atomically: true, encoding: .utf8)
        let before = Self.bytes(recipients)
        let existing = try fixture.scratch.write("someone else's key\n", to: "bob.key")
        let blocker = try fixture.scratch.write("a file, not a folder\n", to: "not-a-folder")
        for output in [existing, blocker + "/bob.key", fixture.scratch.path("")] {
            let result = try fixture.run(["keys", "generate", "bob", "--output", output])
            #expect(result.exitCode == 2, "\(output): \(result.allOutput)")
            #expect(Self.bytes(recipients) == before, "\(output)")
        }
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "someone else's key\n")
        // A name already listed is refused before any key file is written.
        let clash = try fixture.run(["keys", "generate", "alice", "--output", fixture.scratch.path("second-alice.key")])
        #expect(clash.exitCode == 2 && clash.stderrText.contains("already in"), "\(clash.allOutput)")
        #expect(!FileManager.default.fileExists(atPath: fixture.scratch.path("second-alice.key")))
        #expect(Self.bytes(recipients) == before)
        try fixture.expectSuccess(["keys", "generate", "bob", "--output", fixture.scratch.path("bob-new.key")])
    }

    /// A workspace in a git repository whose .gitattributes and git config a test can compare.
    static func repository() throws -> (fixture: CLIFixture, attributes: String, config: String) {
        let fixture = try CLIFixture(recipient: nil)
        try Git.initRepository(at: fixture.root)
        let attributes = fixture.root + "/.gitattributes"
        try "*.png binary\n".write(toFile: attributes, atomically: true, encoding: .utf8)
        try fixture.expectSuccess(["keys", "generate", "alice"])
        return (fixture, attributes, fixture.root + "/.git/config")
    }

    @Test func envAddThatFailsAfterRegisteringTheMergeDriverPutsItsFilesBack() throws {
        let (fixture, attributes, config) = try Self.repository()
        try fixture.expectSuccess(["secret", "add", "api-token"], stdin: "value")
        let before = (Self.bytes(attributes), Self.bytes(config), Self.bytes(fixture.root + "/workspace.yaml"))
        // Flat secrets and no --move-default: adding the environment fails after registration.
        let refused = try fixture.run(["env", "add", "staging"])
        #expect(refused.exitCode == 2, "\(refused.allOutput)")
        #expect(refused.stderrText.contains("--move-default"), "\(refused.allOutput)")
        #expect(Self.bytes(attributes) == before.0)
        #expect(Self.bytes(config) == before.1)
        #expect(Self.bytes(fixture.root + "/workspace.yaml") == before.2)
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/secrets/staging"))
        // The same command that works registers both.
        try fixture.expectSuccess(["env", "add", "staging", "--move-default"])
        #expect(try String(contentsOfFile: attributes, encoding: .utf8).contains("secrets/*/*.sealed merge=journey"))
        #expect(try String(contentsOfFile: config, encoding: .utf8).contains("[merge \"journey\"]"))
    }

    @Test func envAddWhoseGitConfigCannotBeWrittenChangesNothing() throws {
        let (fixture, attributes, config) = try Self.repository()
        let before = (Self.bytes(attributes), Self.bytes(config), Self.bytes(fixture.root + "/workspace.yaml"))
        // git's own lock on its config: another git is writing it, so this write fails.
        let lock = try fixture.scratch.write("", to: "workspace/.git/config.lock")
        let refused = try fixture.run(["env", "add", "staging"])
        #expect(refused.exitCode == 2, "\(refused.allOutput)")
        #expect(refused.stderrText.contains("git config"), "\(refused.allOutput)")
        #expect(Self.bytes(attributes) == before.0)
        #expect(Self.bytes(config) == before.1)
        #expect(Self.bytes(fixture.root + "/workspace.yaml") == before.2)
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/secrets/staging"))
        unlink(lock)
        try fixture.expectSuccess(["env", "add", "staging"])
    }
}
