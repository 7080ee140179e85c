import Foundation
import TestSupport
import Testing

/// `--env`, `JOURNEY_ENV`, `journey env add|list` and `check` across environments, through the
/// real binary.
@Suite("Environments on the command line")
struct EnvironmentCommandTests {
    static let journey = """
        name: deploy
        steps:
          - name: use the key
            run: test "$API_KEY" = "$EXPECTED" && echo "got $API_KEY"
            env:
              API_KEY: { secret: api-key }

        """

    /// alice's flat secret moved into staging; production added empty with its own key.
    static func fixture() throws -> CLIFixture {
        let cli = try CLIFixture()
        try cli.expectSuccess(["secret", "add", "api-key"], stdin: "staging-value-41c")
        _ = try cli.scratch.write(journey, to: "workspace/journeys/deploy.yaml")
        try cli.expectSuccess(["env", "add", "staging", "--move-default"])
        try cli.expectSuccess(["env", "add", "production"])
        try cli.expectSuccess(["keys", "generate", "prod-runner", "--env", "production", "--output", cli.scratch.path("prod.key")])
        return cli
    }

    @Test func everySecretAndKeyCommandNeedsAnEnvironmentAndTheErrorListsThem() throws {
        let cli = try Self.fixture()
        for arguments in [["secret", "list"], ["keys", "list"], ["resolve", "deploy"], ["run", "deploy"], ["exec", "--secret", "api-key", "--", "true"]] {
            let result = try cli.run(arguments)
            #expect(result.exitCode == 2, "\(arguments)")
            #expect(result.stderrText.contains("this workspace has environments (production, staging)"), "\(arguments): \(result.stderrText)")
        }
        let unknown = try cli.run(["secret", "list", "--env", "prod"])
        #expect(unknown.exitCode == 2 && unknown.stderrText.contains("no environment named 'prod'") && unknown.stderrText.contains("production, staging"))
        #expect(try cli.run(["secret", "list"], environment: ["JOURNEY_ENV": "staging"]).stdoutText.contains("api-key"))
        let keys = try cli.expectSuccess(["keys", "list", "--env", "production"]).stdoutText
        #expect(keys.contains("prod-runner") && !keys.contains("alice"))
    }

    @Test func theDevelopersKeyOpensStagingAndIsRefusedByProduction() throws {
        let cli = try Self.fixture()
        try cli.expectSuccess(["secret", "add", "api-key", "--env", "production"], stdin: "production-value-8d0")
        let staging = try cli.run(["run", "deploy", "--env", "staging"], environment: ["EXPECTED": "staging-value-41c"])
        #expect(staging.exitCode == 0, "\(staging.allOutput)")
        #expect(staging.stdoutText.contains("got ***"))
        let production = try cli.run(["run", "deploy", "--env", "production", "--key-file", cli.keyPath("alice")], environment: ["EXPECTED": "x"])
        #expect(production.exitCode == 2)
        #expect(production.stderrText.contains("not a recipient") && production.stderrText.contains("secrets/production/api-key.sealed"))
        let runner = try cli.run(
            ["run", "deploy", "--key-file", cli.scratch.path("prod.key")], environment: ["JOURNEY_ENV": "production", "EXPECTED": "production-value-8d0"])
        #expect(runner.exitCode == 0, "\(runner.allOutput)")
        #expect(!cli.allOutput.contains("staging-value-41c") && !cli.allOutput.contains("production-value-8d0"))
    }

    @Test func checkWithoutEnvChecksEveryEnvironmentAndAJourneyMayListItsOwn() throws {
        let cli = try Self.fixture()
        let every = try cli.run(["check"])
        #expect(every.exitCode == 1)
        #expect(every.stdoutText.contains("uses secret 'api-key', which has no sealed file in environment 'production'"))
        #expect(every.stdoutText.contains("journey secret add api-key --env production"))
        #expect(try cli.run(["check", "--env", "staging"]).exitCode == 0)
        #expect(!every.stdoutText.contains("flat-store-unread") && !every.stdoutText.contains("never reads"))
        try "# Public keys\nrecipients: []\n".write(toFile: cli.root + "/secrets/recipients.yaml", atomically: true, encoding: .utf8)
        #expect(try cli.run(["check"]).stdoutText.contains("secrets/recipients.yaml belongs to the flat layout"))
        try FileManager.default.removeItem(atPath: cli.root + "/secrets/recipients.yaml")

        let listed = Self.journey.replacingOccurrences(of: "name: deploy\n", with: "name: deploy\nenvironments: [staging]\n")
        _ = try cli.scratch.write(listed, to: "workspace/journeys/deploy.yaml")
        #expect(try cli.run(["check"]).exitCode == 0)
        let refused = try cli.run(["run", "deploy", "--env", "production", "--key-file", cli.scratch.path("prod.key")])
        #expect(refused.exitCode == 2 && refused.stderrText.contains("runs only in staging"))

        _ = try cli.scratch.write(listed.replacingOccurrences(of: "[staging]", with: "[staging, qa]"), to: "workspace/journeys/deploy.yaml")
        let unknown = try cli.run(["check"])
        #expect(unknown.exitCode == 1 && unknown.stdoutText.contains("lists environment 'qa', which the workspace lacks"))
    }

    @Test func envListShowsRecipientsSecretsAndWhatIsMissing() throws {
        let cli = try Self.fixture()
        let json = try cli.expectSuccess(["env", "list", "--json"]).stdoutText
        let entries = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        #expect(entries.map { $0["name"] as? String } == ["production", "staging"])
        #expect(entries[0]["recipients"] as? [String] == ["prod-runner"] && entries[0]["missing"] as? [String] == ["api-key"])
        #expect(entries[1]["recipients"] as? [String] == ["alice"] && entries[1]["secrets"] as? [String] == ["api-key"])
        #expect(entries[1]["missing"] as? [String] == [])

        try cli.expectSuccess(["env", "add", "qa"])
        let empty = try cli.run(["secret", "add", "api-key", "--env", "qa"], stdin: "qa-value-2f0")
        #expect(empty.exitCode == 2 && empty.stderrText.contains("environment 'qa' has no recipients"))
        #expect(empty.stderrText.contains("journey keys generate NAME --env qa") && !empty.allOutput.contains("qa-value-2f0"))
        #expect(!FileManager.default.fileExists(atPath: cli.root + "/secrets/qa/api-key.sealed"))
    }

    @Test func localRunsReadTheEnvironmentsSectionThenTheTopLevel() throws {
        let cli = try Self.fixture()
        // Made-up test values. journey:allow
        let local = ["api-key: top-level-3e1", "environments:", "  production:", "    api-key: local-prod-77a", ""]  // journey:allow
        _ = try cli.scratch.write(local.joined(separator: "\n"), to: "workspace/.journey/local-secrets.yaml")
        let production = try cli.run(["run", "deploy", "--local", "--env", "production"], environment: ["EXPECTED": "local-prod-77a"])
        #expect(production.exitCode == 0, "\(production.allOutput)")
        let plain = try cli.run(["run", "deploy", "--local"], environment: ["EXPECTED": "top-level-3e1"])
        #expect(plain.exitCode == 0, "\(plain.allOutput)")
        #expect(!cli.allOutput.contains("local-prod-77a") && !cli.allOutput.contains("top-level-3e1"))
    }

    @Test func aFlatWorkspaceRefusesEnvAndKeepsWorkingWithout() throws {
        let cli = try CLIFixture()
        try cli.expectSuccess(["secret", "add", "api-key"], stdin: "flat-value-5b2")
        let refused = try cli.run(["secret", "list", "--env", "staging"])
        #expect(refused.exitCode == 2 && refused.stderrText.contains("this workspace has no environments"))
        #expect(try cli.expectSuccess(["secret", "list"]).stdoutText.contains("api-key"))
        let attributes = try String(contentsOfFile: cli.root + "/.gitattributes", encoding: .utf8)
        #expect(attributes.contains("secrets/*/*.sealed merge=journey"))
    }

    @Test func theMergeDriverAndSecretResolveWorkInAnEnvironmentsFolder() throws {
        let cli = try Self.fixture()
        let path = cli.root + "/secrets/staging/api-key.sealed"
        let base = try String(contentsOfFile: path, encoding: .utf8)
        try cli.expectSuccess(["secret", "update", "api-key", "--env", "staging"], stdin: "ours-value-1d4")
        let ours = try String(contentsOfFile: path, encoding: .utf8)
        try base.write(toFile: path, atomically: true, encoding: .utf8)
        try cli.expectSuccess(["secret", "update", "api-key", "--env", "staging"], stdin: "theirs-value-9e5")
        let theirs = try String(contentsOfFile: path, encoding: .utf8)

        let files = try ["base": base, "ours": ours, "theirs": theirs].mapValues { try cli.scratch.write($0, to: "merge-" + UUID().uuidString) }
        let merged = try cli.run(["hook", "merge-file", files["base"]!, files["ours"]!, files["theirs"]!, "secrets/staging/api-key.sealed"])
        #expect(merged.exitCode == 1)
        #expect(merged.stderrText.contains("journey secret resolve api-key --env staging --ours"))
        try String(contentsOfFile: files["ours"]!, encoding: .utf8).write(toFile: path, atomically: true, encoding: .utf8)

        let conflicted = try cli.run(["run", "deploy", "--env", "staging"], environment: ["EXPECTED": "x"])
        #expect(conflicted.exitCode == 2 && conflicted.stderrText.contains("journey secret resolve api-key --env staging --ours"))
        try cli.expectSuccess(["secret", "resolve", "api-key", "--env", "staging", "--theirs"])
        let sealed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(sealed.contains("format: journey-sealed/v2\nname: api-key\nenvironment: staging\n") && sealed.contains("version: 3\n"))
        let run = try cli.run(["run", "deploy", "--env", "staging"], environment: ["EXPECTED": "theirs-value-9e5"])
        #expect(run.exitCode == 0, "\(run.allOutput)")
    }

    @Test func theLeakCheckAcceptsEnvironmentStoresAndFlagsAFileInTheWrongOne() throws {
        let cli = try Self.fixture()
        try cli.expectSuccess(["secret", "add", "api-key", "--env", "production"], stdin: "production-value-8d0")
        try Git.initRepository(at: cli.root)
        _ = try Git.run(["add", "-A"], in: cli.root)
        let clean = try cli.run(["scan", "--staged"])
        #expect(clean.exitCode == 0, "\(clean.allOutput)")

        let production = try String(contentsOfFile: cli.root + "/secrets/production/api-key.sealed", encoding: .utf8)
        try production.write(toFile: cli.root + "/secrets/staging/api-key.sealed", atomically: true, encoding: .utf8)
        _ = try Git.run(["add", "-A"], in: cli.root)
        let copied = try cli.run(["scan", "--staged"])
        #expect(copied.exitCode == 1)
        #expect(copied.stdoutText.contains("secrets/staging/api-key.sealed") && copied.stdoutText.contains("sealed file for environment 'production'"))
    }

    /// What the generated completion scripts call: `journey ---completion SUBCOMMAND -- ARG
    /// WORD-INDEX CURSOR WORDS…`.
    @Test func completionKnowsEnvironmentsAndTheSecretsOfTheChosenOne() throws {
        let cli = try Self.fixture()
        let environments = try cli.expectSuccess(["---completion", "secret", "list", "--", "--env", "4", "0", "journey", "secret", "list", "--env", ""])
        #expect(environments.stdoutText.split(separator: "\n") == ["production", "staging"])
        func secrets(_ words: [String], environment: [String: String] = [:]) throws -> [Substring] {
            let arguments = ["---completion", "secret", "show", "--", "positional@0", String(words.count + 2), "0", "journey", "secret", "show"] + words + [""]
            return try cli.expectSuccess(arguments, environment: environment).stdoutText.split(separator: "\n")
        }
        #expect(try secrets(["--env", "staging"]) == ["api-key"])
        #expect(try secrets(["--env", "production"]).isEmpty)
        #expect(try secrets([], environment: ["JOURNEY_ENV": "staging"]) == ["api-key"])
    }

    @Test func aSecretIsInUseOnlyInTheEnvironmentsItsJourneysRunIn() throws {
        let cli = try Self.fixture()
        try cli.expectSuccess(["secret", "add", "api-key", "--env", "production"], stdin: "production-value-8d0")
        let listed = Self.journey.replacingOccurrences(of: "name: deploy\n", with: "name: deploy\nenvironments: [staging]\n")
        _ = try cli.scratch.write(listed, to: "workspace/journeys/deploy.yaml")
        #expect(try cli.expectSuccess(["secret", "list", "--env", "staging"]).stdoutText.contains("used by deploy"))
        #expect(!(try cli.expectSuccess(["secret", "list", "--env", "production"]).stdoutText.contains("used by deploy")))
        let inUse = try cli.run(["secret", "remove", "api-key", "--env", "staging"])
        #expect(inUse.exitCode == 2 && inUse.stderrText.contains("used by deploy"))
        try cli.expectSuccess(["secret", "remove", "api-key", "--env", "production"])
        #expect(!FileManager.default.fileExists(atPath: cli.root + "/secrets/production/api-key.sealed"))
    }

    @Test func moveDefaultWithOnlyRecipientsNeedsNoKey() throws {
        let cli = try CLIFixture()
        try FileManager.default.removeItem(atPath: cli.keyPath("alice"))
        let moved = try cli.expectSuccess(["env", "add", "staging", "--move-default"])
        #expect(moved.stdoutText.contains("Moved the recipients and 0 secrets into it"))
        #expect(try cli.expectSuccess(["keys", "list", "--env", "staging"]).stdoutText.contains("alice"))
        #expect(!FileManager.default.fileExists(atPath: cli.root + "/secrets/recipients.yaml"))
    }
}
