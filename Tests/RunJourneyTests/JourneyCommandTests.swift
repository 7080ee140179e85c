import Foundation
import Run
import Sealing
import TestSupport
import Testing
import Workspace

/// `journey check`, `resolve`, `run` and `exec --journey` through the built binary.
@Suite("journey check, resolve, run, exec --journey")
struct JourneyCommandTests {
    @Test func aSecretOnARunCommandLineIsRefusedByCheckAndRunWithTheFix() throws {
        let fixture = try JourneyFixture(label: "cmd")
        let config = try fixture.scratch.folder("config")
        try fixture.seal("deploy-token", "v")
        try fixture.journey("deploy", "steps:\n  - name: deploy\n    run: touch ran; ./deploy --token ${{ secrets.deploy-token }}\n")
        let fix = "env: { DEPLOY_TOKEN: { secret: deploy-token } }"

        let check = try JourneyBinary.run(["check"], in: fixture.root, configHome: config)
        #expect(check.exitCode == 1)
        #expect(check.stdoutText.contains("journeys/deploy.yaml:3:38: secret 'deploy-token' is interpolated into the command line of step 'deploy'"))
        #expect(check.stdoutText.contains(fix))

        let run = try JourneyBinary.run(["run", "deploy", "--local"], in: fixture.root, configHome: config, environment: ["DEPLOY_TOKEN": "x"])
        #expect(run.exitCode == 2)
        #expect(run.stderrText.contains("journeys/deploy.yaml:3:38"))
        #expect(run.stderrText.contains(fix))
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/ran"))
    }

    @Test func checkListsEveryProblemAndPassesAClean() throws {
        let fixture = try JourneyFixture(label: "cmd")
        let config = try fixture.scratch.folder("config")
        try fixture.journey("ok", "steps:\n  - run: 'true'\n")
        let clean = try JourneyBinary.run(["check"], in: fixture.root, configHome: config)
        #expect(clean.exitCode == 0, "\(clean.allOutput)")
        try fixture.journey("bad", "steps:\n  - run: 'true'\n    bogus: 1\n  - http: { url: 'http://x', method: NOPE }\n")
        let result = try JourneyBinary.run(["check", "--json"], in: fixture.root, configHome: config)
        #expect(result.exitCode == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        let problems = try #require(json["problems"] as? [[String: Any]])
        #expect(problems.map { "\($0["line"]!):\($0["column"]!)" } == ["3:5", "4:38"])
    }

    @Test func resolveShowsSourcesAndVersionsNeverValues() throws {
        let fixture = try JourneyFixture(label: "cmd")
        let config = try fixture.scratch.folder("config")
        let keyFile = try Fixtures.writeKeyFile(fixture.fixture.key, to: fixture.scratch.path("k.key"))
        let canary = Canary()
        try fixture.seal("api-key", canary.text)
        try fixture.workspace.updateSecret(Fixtures.name("api-key"), value: canary.secret)
        try fixture.journey("pay", "steps:\n  - run: 'true'\n    env: { K: { secret: api-key } }\n")

        let sealed = try JourneyBinary.run(["resolve", "pay", "--sealed", "--key-file", keyFile], in: fixture.root, configHome: config)
        #expect(sealed.exitCode == 0, "\(sealed.allOutput)")
        #expect(sealed.stdoutText.contains("secret api-key = *** from secrets/api-key.sealed (version 2) [API_KEY]"))
        #expect(sealed.stdoutText.contains("named at journeys/pay.yaml:3:25"))

        let local = try JourneyBinary.run(["resolve", "pay", "--local", "--json"], in: fixture.root, configHome: config, environment: ["API_KEY": canary.text])
        #expect(local.exitCode == 0, "\(local.allOutput)")
        #expect(local.stdoutText.contains("\"source\" : \"env API_KEY\""))
        #expect(local.stdoutText.contains("\"value\" : \"***\""))
        for result in [sealed, local] { #expect(!canary.appears(in: result.allOutput)) }
    }

    @Test func runExitCodesAndTheReport() throws {
        let fixture = try JourneyFixture(label: "cmd")
        let config = try fixture.scratch.folder("config")
        let canary = Canary()
        try fixture.journey(
            "good",
            """
            name: good
            steps:
              - name: greet
                run: echo "hello $WHO, token $TOKEN"
                env: { WHO: world, TOKEN: { secret: api-token } }
            """)
        try fixture.journey(
            "bad",
            """
            name: bad
            steps:
              - name: fails
                run: echo "oops $TOKEN" >&2; exit 4
                env: { TOKEN: { secret: api-token } }
              - name: never
                run: touch never-ran
            """)
        let report = fixture.scratch.path("report.json")
        let environment = ["API_TOKEN": canary.text]

        let good = try JourneyBinary.run(["run", "good", "--local", "--report", report], in: fixture.root, configHome: config, environment: environment)
        #expect(good.exitCode == 0, "\(good.allOutput)")
        #expect(good.stdoutText.contains("hello world, token ***"))
        let goodReport = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: report)))
        #expect(goodReport.journey == "good")
        #expect(goodReport.status == .passed)
        #expect(goodReport.steps.map(\.status) == [.passed])
        #expect(goodReport.secrets == [RunReport.SecretUsed(name: "api-token", source: .env, version: nil)])

        let bad = try JourneyBinary.run(["run", "bad", "--local", "--report", report], in: fixture.root, configHome: config, environment: environment)
        #expect(bad.exitCode == 1)
        #expect(bad.stderrText.contains("oops ***"))
        let badText = try String(contentsOfFile: report, encoding: .utf8)
        let badReport = try JSONDecoder().decode(RunReport.self, from: Data(badText.utf8))
        #expect(badReport.status == .failed)
        #expect(badReport.steps.map(\.status) == [.failed, .skipped])
        #expect(badReport.steps[0].error?.contains("exited with status 4; last output:\noops ***") == true)
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/never-ran"))

        for text in [good.allOutput, bad.allOutput, badText] { #expect(!canary.appears(in: text)) }

        let unknown = try JourneyBinary.run(["run", "nope", "--local"], in: fixture.root, configHome: config)
        #expect(unknown.exitCode == 2)
        #expect(unknown.stderrText.contains("no journey named 'nope'"))
        let both = try JourneyBinary.run(["run", "good", "--local", "--sealed"], in: fixture.root, configHome: config)
        #expect(both.exitCode == 2)
    }

    @Test func execWithAJourneyInjectsItsSecretsMasked() throws {
        let fixture = try JourneyFixture(label: "cmd")
        let config = try fixture.scratch.folder("config")
        let keyFile = try Fixtures.writeKeyFile(fixture.fixture.key, to: fixture.scratch.path("k.key"))
        let sealedCanary = Canary(), localCanary = Canary()
        try fixture.seal("api-token", sealedCanary.text)
        try fixture.seal("not-used", "other")
        try fixture.journey("pay", "steps:\n  - run: 'true'\n    env: { T: { secret: api-token } }\n")
        let command = ["sh", "-c", "echo \"token=$API_TOKEN\"; echo \"unused=${NOT_USED:-unset}\""]

        let sealed = try JourneyBinary.run(["exec", "--journey", "pay", "--key-file", keyFile, "--"] + command, in: fixture.root, configHome: config)
        #expect(sealed.exitCode == 0, "\(sealed.allOutput)")
        #expect(sealed.stdoutText == "token=***\nunused=unset\n")

        let local = try JourneyBinary.run(
            ["exec", "--journey", "pay", "--local", "--"] + command, in: fixture.root, configHome: config, environment: ["API_TOKEN": localCanary.text])
        #expect(local.exitCode == 0, "\(local.allOutput)")
        #expect(local.stdoutText == "token=***\nunused=unset\n")
        for result in [sealed, local] {
            #expect(!sealedCanary.appears(in: result.allOutput) && !localCanary.appears(in: result.allOutput))
        }
    }

    /// The example workspace's journeys parse, and run end to end against the demo server.
    @Test func theExampleJourneysRunLocally() throws {
        let server = try DemoServer(expectedToken: "demo-token-for-tests")
        let fixture = try JourneyFixture(label: "example")
        let config = try fixture.scratch.folder("config")
        let examples = PackagePaths.root + "/example-workspace/journeys"
        for file in try FileManager.default.contentsOfDirectory(atPath: examples) where file.hasSuffix(".yaml") {
            try FileManager.default.copyItem(atPath: examples + "/" + file, toPath: fixture.root + "/journeys/" + file)
        }
        let environment = ["DEMO_BASE_URL": server.baseURL, "PAYMENTS_API_KEY": "demo-token-for-tests", "SLACK_TOKEN": "xoxb-demo-token"]
        for journey in ["checkout", "notify"] {
            let result = try JourneyBinary.run(["run", journey, "--local"], in: fixture.root, configHome: config, environment: environment)
            #expect(result.exitCode == 0, "\(journey): \(result.allOutput)")
            #expect(!result.allOutput.contains("demo-token-for-tests") && !result.allOutput.contains("xoxb-demo-token"))
        }
    }
}
