import Foundation
import TestSupport
import Testing

/// The friction a team trial hit (issue 12, item 5), through the built binary.
@Suite("Friction from the team trial")
struct FrictionTests {
    private func journeyNaming(_ secret: String, in fixture: CLIFixture) throws {
        try fixture.scratch.write(
            """
            name: notify
            steps:
              - name: notify
                run: test -n "$SLACK_TOKEN"
                env:
                  SLACK_TOKEN: { secret: \(secret) }

            """, to: "workspace/journeys/notify.yaml")
    }

    @Test func aTypoInAReferenceSuggestsTheClosestNameEverywhere() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "slack-token"], stdin: "xoxb-value")
        try journeyNaming("slak-token", in: fixture)
        let check = try fixture.run(["check"])
        #expect(check.exitCode == 1)
        #expect(check.stdoutText.contains("did you mean 'slack-token'?"), "\(check.allOutput)")
        let run = try fixture.run(["run", "notify", "--sealed"])
        #expect(run.exitCode == 2)
        #expect(run.allOutput.contains("did you mean 'slack-token'?"), "\(run.allOutput)")
        let show = try fixture.run(["secret", "show", "slak-token"])
        #expect(show.allOutput.contains("did you mean 'slack-token'?"), "\(show.allOutput)")
        // Far from every name: no guess.
        try journeyNaming("database-password", in: fixture)
        let unrelated = try fixture.run(["check"])
        #expect(!unrelated.stdoutText.contains("did you mean"))
        #expect(unrelated.stdoutText.contains("add it with 'journey secret add database-password'"))
    }

    @Test func checkJSONCarriesARuleIdForEveryProblem() throws {
        let fixture = try CLIFixture()
        try fixture.expectSuccess(["secret", "add", "unused"], stdin: "value")
        try journeyNaming("slak-token", in: fixture)
        let check = try fixture.run(["check", "--json"])
        #expect(check.exitCode == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout)) as? [String: Any])
        let problems = try #require(object["problems"] as? [[String: Any]])
        let rules = Set(problems.compactMap { $0["rule"] as? String })
        #expect(problems.allSatisfy { ($0["rule"] as? String)?.isEmpty == false })
        #expect(rules.isSuperset(of: ["secret-missing", "secret-unused"]), "\(rules)")
    }

    @Test func resolveJSONAnswersInJSONWhenSomethingIsUnresolved() throws {
        let fixture = try CLIFixture()
        try journeyNaming("slack-token", in: fixture)
        let resolved = try fixture.run(["resolve", "notify", "--local", "--json"])
        #expect(resolved.exitCode == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(resolved.stdout)) as? [String: Any], "\(resolved.allOutput)")
        #expect(object["resolved"] as? Bool == false)
        let errors = try #require(object["errors"] as? [[String: Any]])
        #expect(errors.first?["secret"] as? String == "slack-token")
        #expect((errors.first?["message"] as? String)?.contains("SLACK_TOKEN") == true)
    }

    @Test func aYAMLIndentationErrorIsExplainedInWords() throws {
        let fixture = try CLIFixture()
        try fixture.scratch.write("name: broken\nsteps:\n  - name: one\n    run: ls\n   env:\n      A: b\n", to: "workspace/journeys/broken.yaml")
        let check = try fixture.run(["check"])
        #expect(check.exitCode == 1)
        #expect(check.stdoutText.contains("journeys/broken.yaml:5:"), "\(check.allOutput)")
        #expect(check.stdoutText.contains("YAML reads structure from indentation"), "\(check.allOutput)")
    }

    @Test func initEndsWithTheNextStepsAndExecOfAMissingCommandExits127() throws {
        let fixture = try CLIFixture(recipient: nil)
        #expect(fixture.allOutput.contains("journey hook install"))
        #expect(fixture.allOutput.contains("journey keys generate YOUR-NAME"))
        let missing = try fixture.run(["exec", "--", "no-such-command-journey-test"])
        #expect(missing.exitCode == 127)
        #expect(missing.stderrText.contains("no-such-command-journey-test: command not found"), "\(missing.allOutput)")
    }
}
