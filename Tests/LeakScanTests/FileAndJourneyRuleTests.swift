import Foundation
import LeakScan
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("File and journey rules")
struct FileAndJourneyRuleTests {
    private let scanner = LeakScanner(options: LeakScanner.Options(workspacePrefix: ""))

    private func findings(_ text: String, path: String) -> [Finding] {
        Array(text.utf8).withUnsafeBytes { scanner.scan(path: path, contents: $0).findings }
    }

    @Test func literalCredentialInAJourneyShowsTheReference() {
        let found = findings("name: db\nvalues:\n  db_password: hunter2hunter2\nsteps: []\n", path: "journeys/db.yaml")
        let finding = found.first { $0.rule == "journey-literal-credential" }
        #expect(finding?.line == 3)
        #expect(finding?.column == 16)
        #expect(finding?.fix.contains("db_password: { secret: db-password }") == true)
        #expect(finding?.excerpt == "db_password: ***")
    }

    @Test func bearerLiteralAndEnvLiteral() {
        let literal = "s3cr3t-" + "pl41n-v4lue"
        let journey = """
            name: pay
            steps:
              - name: call
                http:
                  method: GET
                  url: http://127.0.0.1/x
                  headers: { Authorization: "Bearer abc123def456" }
              - name: notify
                run: ./notify.sh
                env:
                  SLACK_TOKEN: \(literal)
                  LOG_LEVEL: debug
            """
        let found = findings(journey, path: "journeys/pay.yaml")
        #expect(found.contains { $0.rule == "journey-literal-bearer" && $0.line == 7 && $0.fix.contains("Bearer ${{ secrets.api-token }}") })
        #expect(found.contains { $0.rule == "journey-literal-env" && $0.line == 11 && $0.fix.contains("{ secret: slack-token }") })
        #expect(!found.contains { $0.line == 12 })
    }

    @Test func referencesInAJourneyAreNeverFindings() {
        let journey = """
            name: checkout
            values:
              base_url: http://127.0.0.1:8080
              api_key: { secret: payments-api-key }
              token: { env: CI_TOKEN }
            steps:
              - name: create payment
                http:
                  method: POST
                  url: ${{ values.base_url }}/v1/payments
                  headers: { Authorization: "Bearer ${{ values.api_key }}" }
                  expect: { status: 201 }
              - name: notify
                run: ./scripts/notify.sh
                env:
                  SLACK_TOKEN: { secret: slack-token }
                  PASSWORD: ${{ secrets.db-password }}
            """
        #expect(findings(journey, path: "journeys/checkout.yaml").isEmpty)
    }

    @Test func secretsFolderHoldsOnlySealedFilesAndRecipients() throws {
        try withScratchFolder { folder in
            let fixture = try Fixtures.workspace(in: folder.path)
            try fixture.workspace.addSecret(Fixtures.name("api"), value: Fixtures.secret("value-123"), description: "")
            let sealed = try String(contentsOfFile: fixture.workspace.sealedPath(Fixtures.name("api")), encoding: .utf8)
            let recipients = try String(contentsOfFile: fixture.workspace.recipientsPath, encoding: .utf8)
            #expect(findings(sealed, path: "secrets/api.sealed").isEmpty)
            #expect(findings(recipients, path: "secrets/recipients.yaml").isEmpty)
            #expect(findings(sealed, path: "secrets/other.sealed").contains { $0.rule == "secrets-folder-unsealed-file" })
            #expect(findings("api: plain\n", path: "secrets/api.yaml").contains { $0.rule == "secrets-folder-unsealed-file" })
            #expect(findings("format: nope\n", path: "secrets/broken.sealed").contains { $0.rule == "secrets-folder-unsealed-file" })
        }
    }

    @Test func localValuesFileAndPrivateKeyFiles() {
        #expect(findings("a: b\n", path: ".journey/local-secrets.yaml").contains { $0.rule == "local-secrets-file" })
        #expect(findings("x", path: "deploy/id_ed25519").contains { $0.rule == "private-key-file" })
        let result = [UInt8]([0, 1, 2, 3]).withUnsafeBytes { scanner.scan(path: "certs/client.p12", contents: $0) }
        #expect(result.findings.contains { $0.rule == "private-key-file" })
        #expect(result.skipped?.reason == "binary")
        let key = PrivateKey.generate()
        let text = key.text.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        let found = findings(text + "\n", path: "alice.key")
        #expect(found.contains { $0.rule == "journey-private-key" })
        #expect(!found.contains { $0.excerpt.contains(text) })
    }

    @Test func sarifIsValidAndCarriesNoValue() throws {
        let token = Synthetic.githubToken()
        var report = ScanReport(mode: "test")
        report.findings = findings("GITHUB_TOKEN=\(token)\n", path: "ci.env")
        let sarif = Reporter.sarif(report, version: "0.1.0")
        #expect(!sarif.contains(token))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
        #expect(object["version"] as? String == "2.1.0")
        let run = try #require((object["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect((driver["rules"] as? [[String: Any]])?.first?["id"] as? String == "github-pat")
        let result = try #require((run["results"] as? [[String: Any]])?.first)
        #expect(result["ruleId"] as? String == "github-pat")
        let region = (((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any])
        #expect(region?["startLine"] as? Int == 1)
        #expect(region?["startColumn"] as? Int == 14)
    }
}
