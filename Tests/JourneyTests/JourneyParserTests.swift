import Foundation
import TestSupport
import Testing
import Workspace

/// One malformed journey and where its first problem must be reported.
struct MalformedJourney: CustomTestStringConvertible, Sendable {
    var label: String
    var yaml: String
    var line: Int
    var column: Int
    /// Words the message must hold (what was expected).
    var mentions: [String]

    var testDescription: String { label }
}

@Suite("Journey format")
struct JourneyParserTests {
    static let valid = """
        name: checkout
        description: Pay for a basket
        values:
          base_url: http://127.0.0.1:8080
          api_key: { secret: payments-api-key }
          auth: "Bearer ${{ values.api_key }}"
          region: { env: REGION }
        steps:
          - name: create payment
            http:
              method: post
              url: ${{ values.base_url }}/v1/payments
              headers: { Authorization: "${{ values.auth }}", X-Trace: "${{ secrets.trace-id }}" }
              body: '{"amount": 1000}'
              expect: { status: [200, 201], body-contains: created }
              timeout: 5s
          - name: notify
            run: ./scripts/notify.sh "$CHANNEL"
            env:
              SLACK_TOKEN: { secret: slack-token }
              CHANNEL: payments-${{ values.region }}
            timeout: 1.5
        """

    @Test func parsesEveryPartWithItsPosition() throws {
        let journey = try JourneyParser.parse(path: "journeys/checkout.yaml", text: Self.valid, defaultName: "x")
        #expect(journey.name == "checkout")
        #expect(journey.values.map(\.name) == ["base_url", "api_key", "auth", "region"])
        #expect(journey.steps.count == 2)
        guard case .http(let http) = journey.steps[0].kind else { Issue.record("first step is not http"); return }
        #expect(http.method == "POST")
        #expect(http.expect.statuses == [200, 201])
        #expect(http.expect.bodyContains == ["created"])
        #expect(journey.steps[0].timeout == .seconds(5))
        #expect(journey.steps[1].timeout == .milliseconds(1500))
        guard case .run(let run) = journey.steps[1].kind else { Issue.record("second step is not run"); return }
        #expect(run.environment.map(\.name) == ["SLACK_TOKEN", "CHANNEL"])

        // References, in file order, each at the position of the name or of its `${{`.
        let references = journey.secretReferences.map { "\($0.name)@\($0.location.line!):\($0.location.column!)" }
        #expect(references == ["payments-api-key@5:22", "trace-id@13:65", "slack-token@20:30"])
        #expect(journey.secretNames.map(\.rawValue) == ["payments-api-key", "slack-token", "trace-id"])
    }

    @Test func aJourneyWithoutANameTakesItsFileName() throws {
        let journey = try JourneyParser.parse(path: "journeys/smoke.yaml", text: "steps:\n  - run: 'true'\n", defaultName: "smoke")
        #expect(journey.name == "smoke")
        #expect(journey.steps[0].name == "step 1")
        #expect(journey.steps[0].timeout == JourneyStep.defaultRunTimeout)
    }

    static let malformed: [MalformedJourney] = [
        .init(label: "not YAML", yaml: "steps: [\n", line: 2, column: 1, mentions: ["invalid YAML"]),
        .init(label: "root is a list", yaml: "- run: ls\n", line: 1, column: 1, mentions: ["expected a journey"]),
        .init(
            label: "unknown top-level key", yaml: "name: x\nstep:\n  - run: ls\nsteps:\n  - run: ls\n", line: 2, column: 1,
            mentions: ["unknown key 'step'", "steps"]),
        .init(label: "no steps", yaml: "name: x\n", line: 1, column: 1, mentions: ["missing 'steps'"]),
        .init(label: "steps is a string", yaml: "name: x\nsteps: run ls\n", line: 2, column: 8, mentions: ["non-empty list"]),
        .init(label: "step is a string", yaml: "steps:\n  - ls -la\n", line: 2, column: 5, mentions: ["step 1", "mapping"]),
        .init(label: "step without a kind", yaml: "steps:\n  - name: nothing\n", line: 2, column: 5, mentions: ["no kind", "'run"]),
        .init(
            label: "step with two kinds", yaml: "steps:\n  - name: both\n    run: ls\n    http: { url: http://x }\n", line: 4, column: 5,
            mentions: ["exactly one kind", "both"]),
        .init(label: "unknown step key", yaml: "steps:\n  - run: ls\n    envs: {}\n", line: 3, column: 5, mentions: ["unknown key 'envs'", "env"]),
        .init(label: "run is a list", yaml: "steps:\n  - run: [ls, -la]\n", line: 2, column: 10, mentions: ["command line"]),
        .init(label: "env is a list", yaml: "steps:\n  - run: ls\n    env: [A, B]\n", line: 3, column: 10, mentions: ["'env' to be a mapping"]),
        .init(
            label: "bad env variable name", yaml: "steps:\n  - run: ls\n    env: { 1BAD: x }\n", line: 3, column: 12, mentions: ["environment variable name"]),
        .init(label: "http is a string", yaml: "steps:\n  - http: GET /\n", line: 2, column: 11, mentions: ["'http' to be a mapping"]),
        .init(label: "http without url", yaml: "steps:\n  - http:\n      method: GET\n", line: 3, column: 7, mentions: ["missing 'url'"]),
        .init(
            label: "unknown http method", yaml: "steps:\n  - http: { method: FETCH, url: http://x }\n", line: 2, column: 21, mentions: ["unknown HTTP method"]),
        .init(
            label: "unknown key in http", yaml: "steps:\n  - http:\n      url: http://x\n      header: {}\n", line: 4, column: 7,
            mentions: ["unknown key 'header'", "headers"]),
        .init(
            label: "status is not a number", yaml: "steps:\n  - http:\n      url: http://x\n      expect: { status: ok }\n", line: 4, column: 25,
            mentions: ["status code"]),
        .init(
            label: "status out of range", yaml: "steps:\n  - http:\n      url: http://x\n      expect: { status: [200, 999] }\n", line: 4, column: 31,
            mentions: ["100–599"]),
        .init(
            label: "unknown key in expect", yaml: "steps:\n  - http:\n      url: http://x\n      expect: { code: 200 }\n", line: 4, column: 17,
            mentions: ["unknown key 'code'", "status"]),
        .init(label: "bad timeout", yaml: "steps:\n  - run: ls\n    timeout: soon\n", line: 3, column: 14, mentions: ["timeout", "30s"]),
        .init(label: "zero timeout", yaml: "steps:\n  - run: ls\n    timeout: 0\n", line: 3, column: 14, mentions: ["more than 0"]),
        .init(
            label: "two timeouts", yaml: "steps:\n  - http: { url: http://x, timeout: 1s }\n    timeout: 2s\n", line: 2, column: 11, mentions: ["timeout once"]),
        .init(
            label: "env on an http step", yaml: "steps:\n  - http: { url: http://x }\n    env: { A: b }\n", line: 3, column: 5,
            mentions: ["'env' applies to run steps"]),
        .init(
            label: "unknown ${{ }} name", yaml: "steps:\n  - run: echo ${{ vars.x }}\n", line: 2, column: 15,
            mentions: ["unknown name 'vars.x'", "values.NAME"]),
        .init(
            label: "unknown value", yaml: "values:\n  a: 1\nsteps:\n  - run: echo ${{ values.b }}\n", line: 4, column: 15,
            mentions: ["unknown value 'b'", "known values: a"]),
        .init(
            label: "second interpolation in a quoted string", yaml: "values:\n  a: 1\nsteps:\n  - run: \"echo ${{ values.a }} ${{ values.zz }}\"\n", line: 4,
            column: 32, mentions: ["unknown value 'zz'"]),
        .init(
            label: "interpolation in a block scalar", yaml: "values:\n  a: 1\nsteps:\n  - run: |\n      echo one\n      echo ${{ values.nope }}\n", line: 6,
            column: 12, mentions: ["unknown value 'nope'"]),
        .init(label: "unclosed ${{", yaml: "steps:\n  - run: echo ${{ values.a\n", line: 2, column: 15, mentions: ["without a closing '}}'"]),
        .init(
            label: "bad secret name in ${{ }}", yaml: "steps:\n  - http: { url: \"http://x/${{ secrets.Bad_Name }}\" }\n", line: 2, column: 28,
            mentions: ["invalid secret name", "lowercase"]),
        .init(
            label: "bad secret name in a reference", yaml: "values:\n  k: { secret: \"../etc/passwd\" }\nsteps:\n  - run: ls\n", line: 2, column: 16,
            mentions: ["invalid secret name"]),
        .init(
            label: "reference with two keys", yaml: "values:\n  k: { secret: a, env: B }\nsteps:\n  - run: ls\n", line: 2, column: 6,
            mentions: ["exactly one of 'secret' or 'env'"]),
        .init(
            label: "unknown reference kind", yaml: "values:\n  k: { vault: a }\nsteps:\n  - run: ls\n", line: 2, column: 8,
            mentions: ["unknown key 'vault'", "{ secret: NAME }"]),
        .init(label: "value is a list", yaml: "values:\n  k: [1, 2]\nsteps:\n  - run: ls\n", line: 2, column: 6, mentions: ["not a list"]),
        .init(label: "empty value", yaml: "values:\n  k:\nsteps:\n  - run: ls\n", line: 2, column: 5, mentions: ["it is empty"]),
        .init(label: "values is a list", yaml: "values: [a]\nsteps:\n  - run: ls\n", line: 1, column: 9, mentions: ["'values' to be a mapping"]),
        .init(
            label: "cycle in values", yaml: "values:\n  a: x${{ values.b }}\n  b: y${{ values.a }}\nsteps:\n  - run: ls\n", line: 2, column: 3,
            mentions: ["cycle", "a → b → a"]),
        .init(
            label: "value that includes itself", yaml: "values:\n  a: x${{ values.a }}\nsteps:\n  - run: ls\n", line: 2, column: 3,
            mentions: ["cycle", "a → a"]),
        .init(
            label: "secret in a run command line", yaml: "steps:\n  - name: deploy\n    run: deploy --token ${{ secrets.deploy-token }}\n", line: 3, column: 25,
            mentions: ["command line", "env: { DEPLOY_TOKEN: { secret: deploy-token } }", "\"$DEPLOY_TOKEN\""]),
        .init(
            label: "secret through a value in a run command line",
            yaml: "values:\n  auth: \"Bearer ${{ secrets.api }}\"\nsteps:\n  - run: 'curl -H \"Authorization: ${{ values.auth }}\" http://x'\n", line: 4,
            column: 35, mentions: ["secret 'api'", "through value 'auth'", "command line"]),
        .init(
            label: "secret into PATH", yaml: "steps:\n  - run: ls\n    env: { PATH: { secret: tools } }\n", line: 3, column: 12,
            mentions: ["PATH", "programs depend on"]),
        .init(
            label: "the runner's key into a step", yaml: "steps:\n  - run: ls\n    env: { K: { env: JOURNEY_KEY } }\n", line: 3, column: 22,
            mentions: ["JOURNEY_KEY", "private key", "may not read it"]),
        .init(
            label: "the key file's path as a value", yaml: "values:\n  k: { env: JOURNEY_KEY_FILE }\nsteps:\n  - run: ls\n", line: 2, column: 13,
            mentions: ["JOURNEY_KEY_FILE", "may not read it"]),
        .init(label: "duplicate key", yaml: "name: a\nname: b\nsteps:\n  - run: ls\n", line: 1, column: 1, mentions: ["duplicate key 'name'"]),
        .init(label: "name is a mapping", yaml: "name: { a: b }\nsteps:\n  - run: ls\n", line: 1, column: 7, mentions: ["'name' to be a string"]),
        .init(
            label: "bad header name", yaml: "steps:\n  - http:\n      url: http://x\n      headers: { \"Bad Header\": x }\n", line: 4, column: 18,
            mentions: ["header name"]),
    ]

    @Test(arguments: malformed)
    func aMalformedJourneyIsReportedWhereItIsWrong(_ bad: MalformedJourney) throws {
        #expect(Self.malformed.count >= 20)
        let error = #expect(throws: JourneyError.self) {
            try JourneyParser.parse(path: "journeys/bad.yaml", text: bad.yaml, defaultName: "bad")
        }
        let problem = try #require(error?.problems.first)
        #expect(problem.location.file == "journeys/bad.yaml")
        #expect("\(problem.location.line ?? 0):\(problem.location.column ?? 0)" == "\(bad.line):\(bad.column)", "\(problem)")
        for word in bad.mentions {
            #expect(problem.message.contains(word), "\(problem.message) should mention \(word)")
        }
        // The message as users see it starts with file:line:column.
        #expect(problem.description.hasPrefix("journeys/bad.yaml:\(bad.line):\(bad.column): "))
    }

    @Test func everyProblemInAFileIsListedNotJustTheFirst() throws {
        let yaml = "nam: x\nsteps:\n  - run: echo ${{ values.a }}\n  - http: { url: http://x, method: FETCH }\n"
        let error = #expect(throws: JourneyError.self) {
            try JourneyParser.parse(path: "j.yaml", text: yaml, defaultName: "j")
        }
        let positions = error?.problems.map { "\($0.location.line!):\($0.location.column!)" }
        #expect(positions == ["1:1", "3:15", "4:36"])
    }

    @Test func errorsNeverQuoteALiteralFromTheFile() throws {
        let canary = Canary()
        // A credential pasted where a reference belongs, in several broken shapes.
        let yaml = """
            values:
              k: { secret: a, password: "\(canary.text)" }
              j: ["\(canary.text)"]
            steps:
              - run: echo "\(canary.text)"
                timeout: "\(canary.text)"
                env: { "\(canary.text)": x }
            """
        let error = #expect(throws: JourneyError.self) {
            try JourneyParser.parse(path: "j.yaml", text: yaml, defaultName: "j")
        }
        let text = error?.description ?? ""
        #expect(error?.problems.count ?? 0 >= 4)
        #expect(!canary.appears(in: text))
    }

    @Test func aYAMLSyntaxErrorNeverQuotesTheLine() throws {
        let canary = Canary()
        let error = #expect(throws: JourneyError.self) {
            try JourneyParser.parse(path: "j.yaml", text: "values:\n  token: \"\(canary.text)\n steps: [", defaultName: "j")
        }
        #expect(!canary.appears(in: error?.description ?? canary.text))
    }
}
