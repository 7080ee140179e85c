import Foundation
import TestSupport
import Testing

/// `journey runner --env` (DESIGN §9): the environment comes from the runner's configuration,
/// and rollback marks are kept per environment.
@Suite("Runner environments")
struct RunnerEnvironmentTests {
    /// The fixture's workspace moved into `production` (the runner's key), plus `staging` with
    /// its own key and value; production rotated to version 3, staging at version 1.
    static func twoEnvironments() throws -> (fixture: RunnerCLIFixture, stagingKey: String, stagingValue: Canary) {
        let fixture = try RunnerCLIFixture()
        try fixture.journey(["env", "add", "production", "--move-default", "--key-file", fixture.keyFile])
        try fixture.journey(["secret", "update", "api-token", "--env", "production"], stdin: fixture.canary.text)
        try fixture.journey(["secret", "update", "api-token", "--env", "production"], stdin: fixture.canary.text)
        try fixture.journey(["env", "add", "staging"])
        let stagingKey = fixture.scratch.path("staging-runner.key")
        try fixture.journey(["keys", "generate", "staging-runner", "--env", "staging", "--output", stagingKey])
        let stagingValue = Canary()
        try fixture.journey(["secret", "add", "api-token", "--env", "staging"], stdin: stagingValue.text)
        try fixture.published.commitAndPush("environments")
        return (fixture, stagingKey, stagingValue)
    }

    @Test func theRunnerNeedsAnEnvironmentAndOpensOnlyThatOne() throws {
        let (fixture, stagingKey, stagingValue) = try Self.twoEnvironments()

        let unchosen = try fixture.runner()
        #expect(unchosen.exitCode == 2)
        #expect(unchosen.stderrText.contains("production, staging") && unchosen.stderrText.contains("--env"))
        #expect(RunnerCLIFixture.printed("sha256", in: unchosen) == nil)

        // `--allow-ref main`: runs of a trusted ref raise the rollback marks.
        let production = try fixture.runner(extra: ["--env", "production", "--allow-ref", "main"])
        #expect(production.exitCode == 0, "\(production.allOutput)")
        #expect(RunnerCLIFixture.printed("sha256", in: production) == (try RunnerCLIFixture.sha256(fixture.canary.text)))

        // Staging's version 1 is below production's 3: one shared mark would call it a rollback.
        let staging = try fixture.runner(key: .some(stagingKey), extra: ["--allow-ref", "main"], environment: ["JOURNEY_ENV": "staging"])
        #expect(staging.exitCode == 0, "\(staging.allOutput)")
        #expect(RunnerCLIFixture.printed("sha256", in: staging) == (try RunnerCLIFixture.sha256(stagingValue.text)))

        // The staging runner's key is refused by production.
        let crossed = try fixture.runner(key: .some(stagingKey), extra: ["--env", "production"])
        #expect(crossed.exitCode == 2)
        #expect(crossed.stderrText.contains("not a recipient"))

        // The first commit is flat: a runner pinned to production refuses it rather than read it.
        let flat = try fixture.runner(ref: fixture.first, extra: ["--env", "production"])
        #expect(flat.exitCode == 2 && flat.stderrText.contains("has no environments"))
        #expect(RunnerCLIFixture.printed("sha256", in: flat) == nil)

        let ledger = try String(contentsOfFile: fixture.cache + "/rollback-ledger.json", encoding: .utf8)
        #expect(ledger.contains(#""environment" : "production""#) && ledger.contains(#""environment" : "staging""#), "\(ledger)")
        #expect(!fixture.canary.appears(in: fixture.results.map(\.allOutput).joined()))
        #expect(!stagingValue.appears(in: fixture.results.map(\.allOutput).joined()))
    }
}
