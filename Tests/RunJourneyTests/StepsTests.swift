import Foundation
import Run
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("Steps")
struct StepsTests {
    @Test func aRunStepRunsInTheWorkspaceWithItsEnvAndOnlyTheSecretsItNames() throws {
        let fixture = try JourneyFixture(label: "steps")
        try fixture.journey(
            "env",
            """
            values:
              greeting: hello
            steps:
              - run: |
                  echo "cwd=$(pwd)"
                  echo "greeting=$GREETING"
                  echo "named=${NAMED:+set}"
                  echo "inherited=${NAMED_TOKEN:-absent} key=${JOURNEY_KEY:-absent}"
                env:
                  GREETING: ${{ values.greeting }} world
                  NAMED: { secret: named-token }
            """)
        // 'named-token' is read from NAMED_TOKEN: the step gets it only as NAMED, where the
        // journey passes it, and never inherits the source variable or the key.
        let environment = ["NAMED_TOKEN": "n-value", "JOURNEY_KEY": "k"]
        let (report, output) = try fixture.run("env", .local(environment: environment), environment: environment)
        #expect(report.status == .passed, "\(output.all)")
        #expect(output.standardOutput.contains("cwd=\(fixture.root)\n"))
        #expect(output.standardOutput.contains("greeting=hello world\n"))
        #expect(output.standardOutput.contains("named=set\n"))
        #expect(output.standardOutput.contains("inherited=absent key=absent\n"))

        let resolved = try fixture.resolve("env", .local(environment: environment))
        let runner = JourneyRunner(resolved: resolved, workspace: fixture.workspace, environment: environment) { _, _ in }
        #expect(runner.baseEnvironment["NAMED_TOKEN"] == nil)
        #expect(runner.baseEnvironment["JOURNEY_KEY"] == nil)
    }

    @Test func aRunStepThatOverrunsItsTimeoutFailsAndTheRestAreSkipped() throws {
        let fixture = try JourneyFixture(label: "steps")
        try fixture.journey(
            "slow",
            """
            steps:
              - name: slow
                run: sleep 30
                timeout: 300ms
              - name: after
                run: touch after-ran
            """)
        let (report, _) = try fixture.run("slow", .local(environment: [:]))
        #expect(report.status == .failed)
        #expect(report.steps.map(\.status) == [.failed, .skipped])
        #expect(report.steps[0].error == "the command did not finish within its timeout of 300ms and was stopped")
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/after-ran"))
    }

    @Test func anHTTPStepChecksStatusAndBodyAndReadsEnvValues() throws {
        let server = try DemoServer(expectedToken: "right")
        let fixture = try JourneyFixture(label: "steps")
        try fixture.journey(
            "http",
            """
            values:
              base: { env: BASE }
            steps:
              - name: payment
                http:
                  method: POST
                  url: ${{ values.base }}/v1/payments
                  headers: { Authorization: "Bearer ${{ secrets.api }}" }
                  body: '{"amount": 42}'
                  expect: { status: 201, body-contains: ['"amount": 42', created] }
              - name: wrong text
                http:
                  url: ${{ values.base }}/health
                  expect: { body-contains: healthy }
            """)
        let environment = ["BASE": server.baseURL]
        let (report, output) = try fixture.run("http", .local(environment: ["API": "right"]), environment: environment)
        #expect(report.steps.map(\.status) == [.passed, .failed], "\(output.all)")
        #expect(report.steps[0].detail == "status 201")
        #expect(report.steps[1].error == "expected the response body to contain \"healthy\"; it does not")
        #expect(server.received == ["right"])
    }
}
