import Foundation
import Sealing
import TestSupport
import Testing

/// Joining and leaving a team: what to send to whom, errors that name people, and removals
/// that would lock someone out (issue 12, item 2).
@Suite("Onboarding and offboarding")
struct OnboardingTests {
    @Test func generateInAWorkspaceWithSecretsSaysWhatToSendAndToWhom() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "api-token"], stdin: "value-one")
        let generated = try fixture.expectSuccess(["keys", "generate", "bob", "--output", fixture.scratch.path("bob.key")])
        #expect(
            generated.stdoutText.contains("This key opens none of the 1 sealed secret yet. Send this line to a key holder ('alice'):"), "\(generated.allOutput)"
        )
        #expect(generated.stdoutText.contains("  journey keys add bob journey-pk1-"))
    }

    @Test func requestPrintsTheLineAKeyHolderPastesAndThatLineLetsTheNewcomerIn() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "api-token"], stdin: "team-value")
        let recipientsBefore = try String(contentsOfFile: fixture.root + "/secrets/recipients.yaml", encoding: .utf8)
        let bobHome = try fixture.scratch.folder("bob-config")
        let request = try JourneyBinary.run(["keys", "request", "bob"], in: fixture.root, configHome: bobHome)
        #expect(request.exitCode == 0, "\(request.allOutput)")
        let lines = request.stdoutText.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(request.stderrText.contains("send the line above to a key holder ('alice')"), "\(request.allOutput)")
        // Nothing of bob's touches recipients.yaml: nothing to conflict with the holder's change.
        #expect(try String(contentsOfFile: fixture.root + "/secrets/recipients.yaml", encoding: .utf8) == recipientsBefore)

        // Before he is let in, bob's error names who can open it, not only key ids.
        let bobKey = bobHome + "/journey/keys/bob.key"
        let refused = try fixture.run(["exec", "--key-file", bobKey, "--secret", "api-token", "--", "true"])
        #expect(refused.exitCode == 2)
        #expect(refused.allOutput.contains("it opens with: 'alice' (key id"), "\(refused.allOutput)")
        #expect(refused.allOutput.contains("journey keys request"))

        // Alice pastes the line as it is.
        let pasted = try Subprocess.run(
            "/bin/sh",
            ["-c", "\"$JOURNEY\" " + String(lines[0].dropFirst("journey ".count)).replacingOccurrences(of: "&& journey ", with: "&& \"$JOURNEY\" ")],
            environment: JourneyBinary.environment(configHome: fixture.configHome, ["JOURNEY": JourneyBinary.path]), currentDirectory: fixture.root)
        #expect(pasted.exitCode == 0, "\(pasted.allOutput)")
        let opened = try fixture.run(["exec", "--key-file", bobKey, "--secret", "api-token", "--", "sh", "-c", "test \"$API_TOKEN\" = team-value"])
        #expect(opened.exitCode == 0, "\(opened.allOutput)")
        // Asking again reuses the key.
        let again = try JourneyBinary.run(["keys", "request", "bob"], in: fixture.root, configHome: bobHome)
        #expect(again.stdoutText == request.stdoutText)
    }

    @Test func removingYourOwnKeyOrTheLastOpenerNeedsForceAndSaysWhatIsLost() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "api-token"], stdin: "value-one")
        try fixture.expectSuccess(["keys", "add", "bob", PrivateKey.generate().publicKey.text])
        let refused = try fixture.run(["keys", "remove", "alice"])
        #expect(refused.exitCode == 2)
        #expect(refused.allOutput.contains("it is your own key"), "\(refused.allOutput)")
        #expect(refused.allOutput.contains("last recipient key that opens 'api-token'"))
        #expect(refused.allOutput.contains("--force"))
        #expect(try fixture.run(["keys", "list"]).stdoutText.contains("alice"))
        // Bob's key opens nothing and is not ours: no question asked.
        try fixture.expectSuccess(["keys", "remove", "bob"])
        try fixture.expectSuccess(["keys", "remove", "alice", "--force"])
        #expect(!(try fixture.run(["keys", "list"]).stdoutText.contains("alice")))
    }
}
