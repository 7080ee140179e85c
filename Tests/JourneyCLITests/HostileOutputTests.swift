import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("Threats against what journey prints: pasted credentials, terminal escapes, hidden recipients")
struct HostileOutputTests {
    /// `{ secret: sk_live_… }`: a credential pasted where a secret name goes is never printed.
    @Test func aCredentialPastedAsASecretNameIsNeverPrinted() throws {
        let fixture = try CLIFixture()
        // Live keys are mixed case, which the name rule (lowercase) refuses.
        let canary = Canary()
        let pasted = "sk_live_4eC39HqLyjWD" + canary.text
        try fixture.scratch.write(
            "steps:\n  - name: pay\n    run: 'true'\n    env: { KEY: { secret: \(pasted) } }\n  - run: echo ${{ \(pasted) }}\n",
            to: "workspace/journeys/pay.yaml")
        let check = try fixture.run(["check"])
        #expect(check.exitCode == 1)
        #expect(check.stdoutText.contains("journeys/pay.yaml:4:27"), "\(check.allOutput)")
        #expect(check.stdoutText.contains("not shown"))
        let run = try fixture.run(["run", "pay", "--local"])
        #expect(run.exitCode == 2)
        let add = try fixture.run(["secret", "add", pasted], stdin: "v")
        #expect(add.exitCode == 2)
        #expect(!canary.appears(in: fixture.allOutput), "\(fixture.allOutput)")
    }

    /// Descriptions, step names, recipient labels and file names are not authenticated: an
    /// escape sequence in any of them reaches the terminal only escaped.
    @Test func controlCharactersInUntrustedTextAreEscapedInEveryHumanOutput() throws {
        let fixture = try CLIFixture()
        let escape = "\u{1b}]0;owned\u{07}\u{1b}[2J\u{9b}31m\r"
        try fixture.expectSuccess(["secret", "add", "api", "--description", "desc \(escape)"], stdin: "v4lue-for-api")
        // A recipient label edited by hand, and a step name from the journey.
        let recipients = fixture.root + "/secrets/recipients.yaml"
        let edited = try String(contentsOfFile: recipients, encoding: .utf8).replacingOccurrences(
            of: "name: \"alice\"", with: "name: \"alice\\e[2J\\x9b\"")
        try Data(edited.utf8).write(to: URL(fileURLWithPath: recipients))
        try fixture.scratch.write("description: \"d \\e[2J\"\nsteps:\n  - name: \"step \\e]0;x\\a\"\n    run: 'true'\n", to: "workspace/journeys/esc.yaml")
        try fixture.scratch.write("x", to: "workspace/journeys/name-\u{1b}[31m.yaml")
        try fixture.run(["secret", "list"])
        try fixture.run(["secret", "show", "api"])
        try fixture.run(["secret", "update", "api"], stdin: "n3w-value-for-api")
        try fixture.run(["check"])
        try fixture.run(["run", "esc", "--local"])
        try fixture.run(["scan", "--all"])
        for result in fixture.results {
            for byte in result.stdout + result.stderr {
                #expect(byte >= 0x20 || byte == 0x0a || byte == 0x09, "a raw control byte \(byte) in: \(result.allOutput)")
            }
        }
        #expect(fixture.allOutput.contains("\\u{1b}"), "\(fixture.allOutput)")
    }

    /// A key hand-added to recipients.yaml gets every later value: each sealing command names
    /// who it seals for, and rekey says who is added and who is dropped.
    @Test func everySealingCommandNamesItsRecipientsAndRekeyShowsTheChange() throws {
        let fixture = try CLIFixture()
        let added = try fixture.expectSuccess(["secret", "add", "api"], stdin: "v4lue-for-api")
        let alice = try PrivateKey.load(fromFile: fixture.keyPath("alice"))
        #expect(added.stdoutText.contains("for 1 recipient: alice (\(alice.id))"), "\(added.allOutput)")

        let mallory = PrivateKey.generate()
        let recipients = fixture.root + "/secrets/recipients.yaml"
        let original = try String(contentsOfFile: recipients, encoding: .utf8)
        try Data((original + "  - name: \"mallory\"\n    key: \(mallory.publicKey.text)\n").utf8).write(to: URL(fileURLWithPath: recipients))
        let rekey = try fixture.expectSuccess(["secret", "rekey", "--all"])
        #expect(rekey.stdoutText.contains("added:   mallory (\(mallory.id))"), "\(rekey.allOutput)")
        let updated = try fixture.expectSuccess(["secret", "update", "api"], stdin: "n3w-value-for-api")
        #expect(updated.stdoutText.contains("2 recipients: alice (\(alice.id)), mallory (\(mallory.id))"), "\(updated.allOutput)")

        try Data(original.utf8).write(to: URL(fileURLWithPath: recipients))
        let dropped = try fixture.expectSuccess(["secret", "rekey", "--all"])
        #expect(dropped.stdoutText.contains("dropped: mallory (\(mallory.id))"), "\(dropped.allOutput)")
    }

    @Test func secretListMarksABadSealedFileAndListsTheRest() throws {
        let fixture = try CLIFixture()
        for name in ["alpha", "bravo", "charlie"] { try fixture.expectSuccess(["secret", "add", name], stdin: "value-of-\(name)") }
        try fixture.scratch.write("format: journey-sealed/v1\nname: bravo\n", to: "workspace/secrets/bravo.sealed")
        let list = try fixture.run(["secret", "list"])
        #expect(list.exitCode == 2)
        #expect(list.stdoutText.contains("alpha") && list.stdoutText.contains("charlie"), "\(list.allOutput)")
        #expect(list.stdoutText.contains("bravo") && list.stdoutText.contains("UNREADABLE"), "\(list.allOutput)")
        let json = try fixture.run(["secret", "list", "--json"])
        #expect(json.exitCode == 2)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [[String: Any]])
        #expect(entries.count == 3)
        #expect(entries.filter { $0["problem"] != nil }.map { $0["name"] as? String } == ["bravo"])
    }
}

@Suite("Threat: a removed key still opens the current version after a re-wrap")
struct ExposureAfterRemovalTests {
    @Test func aVersionARemovedKeyCouldOpenIsShownExposedUntilRotated() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["keys", "generate", "bob"])
        let bob = try PrivateKey.load(fromFile: fixture.keyPath("bob"))
        try fixture.expectSuccess(["secret", "add", "api"], stdin: "v4lue-for-api")
        try fixture.expectSuccess(["secret", "add", "other"], stdin: "v4lue-for-other")
        try fixture.expectSuccess(["keys", "remove", "bob"])
        try fixture.expectSuccess(["secret", "rekey", "--all", "--key-file", fixture.keyPath("alice")])
        // The wraps for bob are gone, but bob held the data keys of these very versions.
        let workspace = try fixture.workspace()
        #expect(try workspace.readSealed(SecretName("api")).sealed.wraps.allSatisfy { $0.keyID != bob.id })

        func exposed(_ name: String) throws -> (check: Bool, show: Bool, list: Bool) {
            let check = try fixture.run(["check"]).stdoutText
            let show = try fixture.run(["secret", "show", name]).stdoutText
            let list = try fixture.run(["secret", "list"]).stdoutText.split(separator: "\n").first { $0.hasPrefix(name + " ") } ?? ""
            return (
                check.contains("secret '\(name)' is exposed: removed key 'bob' (key id \(bob.id))"), show.contains("exposed:") && show.contains(bob.id.hex),
                list.contains("EXPOSED")
            )
        }
        #expect(try exposed("api") == (true, true, true))
        try fixture.expectSuccess(["secret", "update", "api"], stdin: "n3w-value-for-api")
        #expect(try exposed("api") == (false, false, false))
        #expect(try exposed("other") == (true, true, true))
    }

    @Test func aKeyDroppedByHandAndRekeyedAwayIsRecordedToo() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "api"], stdin: "v4lue-for-api")
        let recipients = fixture.root + "/secrets/recipients.yaml"
        let original = try String(contentsOfFile: recipients, encoding: .utf8)
        let mallory = PrivateKey.generate()
        try Data((original + "  - name: \"mallory\"\n    key: \(mallory.publicKey.text)\n").utf8).write(to: URL(fileURLWithPath: recipients))
        try fixture.expectSuccess(["secret", "rekey", "--all"])
        try Data(original.utf8).write(to: URL(fileURLWithPath: recipients))
        try fixture.expectSuccess(["secret", "rekey", "--all"])
        let show = try fixture.run(["secret", "show", "api"]).stdoutText
        #expect(show.contains("exposed:") && show.contains("mallory (\(mallory.id))"), "\(show)")
    }
}
