import Foundation
import Run
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("Rotation")
struct RotationTests {
    /// Run, rotate with `updateSecret`, run again: the server saw the new value, the report
    /// names the new version, and no journey file changed.
    @Test func aRotatedValueReachesTheNextRunWithNoJourneyEdit() throws {
        let server = try DemoServer()
        let fixture = try JourneyFixture(label: "rotate")
        let first = Canary(), second = Canary()
        try fixture.seal("payments-api-key", first.text)
        let path = try fixture.journey(
            "checkout",
            """
            name: checkout
            values:
              base_url: \(server.baseURL)
            steps:
              - name: create payment
                http:
                  method: POST
                  url: ${{ values.base_url }}/v1/payments
                  headers: { Authorization: "Bearer ${{ secrets.payments-api-key }}" }
                  body: '{"amount": 1000}'
                  expect: { status: 201, body-contains: created }
            """)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let (firstReport, firstOutput) = try fixture.run("checkout", fixture.sealedSource)
        #expect(firstReport.status == .passed, "\(firstOutput.all)")
        #expect(firstReport.secrets == [RunReport.SecretUsed(name: "payments-api-key", source: .sealed, version: 1)])

        try fixture.workspace.updateSecret(Fixtures.name("payments-api-key"), value: second.secret)
        let (secondReport, secondOutput) = try fixture.run("checkout", fixture.sealedSource)
        #expect(secondReport.status == .passed, "\(secondOutput.all)")
        #expect(secondReport.secrets == [RunReport.SecretUsed(name: "payments-api-key", source: .sealed, version: 2)])

        #expect(server.received == [first.text, second.text])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        for text in [firstOutput.all, secondOutput.all] + [firstReport, secondReport].map({ String(decoding: $0.encoded(), as: UTF8.self) }) {
            #expect(!first.appears(in: text) && !second.appears(in: text))
        }
    }

    /// The same through the binary: `secret update` from stdin, with a server that only
    /// accepts the new value.
    @Test func rotationThroughTheCommandLine() throws {
        let fixture = try JourneyFixture(label: "rotate")
        let old = Canary(), new = Canary()
        let server = try DemoServer(expectedToken: new.text)
        let config = try fixture.scratch.folder("config")
        let keyFile = try Fixtures.writeKeyFile(fixture.fixture.key, to: fixture.scratch.path("runner.key"))
        try fixture.seal("payments-api-key", old.text)
        try fixture.journey(
            "checkout",
            """
            steps:
              - http:
                  method: POST
                  url: \(server.baseURL)/v1/payments
                  headers: { Authorization: "Bearer ${{ secrets.payments-api-key }}" }
                  expect: { status: 201 }
            """)
        let report = fixture.scratch.path("report.json")
        let rejected = try JourneyBinary.run(["run", "checkout", "--sealed", "--key-file", keyFile, "--report", report], in: fixture.root, configHome: config)
        #expect(rejected.exitCode == 1, "\(rejected.allOutput)")
        #expect(rejected.allOutput.contains("expected status 201, got 401"))

        let update = try JourneyBinary.run(
            ["secret", "update", "payments-api-key"], in: fixture.root, configHome: config, stdin: Array((new.text + "\n").utf8))
        #expect(update.exitCode == 0, "\(update.allOutput)")
        let accepted = try JourneyBinary.run(["run", "checkout", "--sealed", "--key-file", keyFile, "--report", report], in: fixture.root, configHome: config)
        #expect(accepted.exitCode == 0, "\(accepted.allOutput)")
        #expect(server.received == [old.text, new.text])

        let written = try String(contentsOfFile: report, encoding: .utf8)
        #expect(written.contains("\"version\" : 2"))
        for text in [rejected.allOutput, accepted.allOutput, written] {
            #expect(!old.appears(in: text) && !new.appears(in: text))
        }
    }
}
