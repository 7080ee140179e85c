import Foundation
import LeakScan
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("Known values")
struct KnownValueTests {
    /// A value with characters that change under each encoding.
    private func value(_ canary: Canary) -> String { canary.text + "\"/+ &x" }

    private func findings(_ text: String, known: [KnownSecret]) -> [Finding] {
        let scanner = LeakScanner(knownValues: KnownValues(known))
        return Array(text.utf8).withUnsafeBytes { scanner.scan(path: "notes.txt", contents: $0).findings }
    }

    @Test func findsPlainAndEncodedForms() throws {
        let canary = Canary()
        let plain = value(canary)
        let known = [KnownSecret(name: "payments-api-key", source: "$PAYMENTS_API_KEY", value: SecretBytes(copying: Array(plain.utf8)))]
        let json = String(decoding: try JSONEncoder().encode([plain]), as: UTF8.self)
        let url = plain.addingPercentEncoding(
            withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"))!
        var samples = ["key: \(plain)", "body: \(json)", "url: https://x.invalid/?k=\(url)"]
        for prefix in ["", "a", "ab"] {
            samples.append("blob: " + Data((prefix + plain + "tail").utf8).base64EncodedString())
        }
        samples.append(
            "blob: " + Data(("zz" + plain).utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
        for sample in samples {
            let found = findings(sample, known: known)
            #expect(found.contains { $0.rule == KnownValues.ruleID && $0.message.contains("payments-api-key") }, "not found in: \(sample.prefix(12))…")
            let rendered = Reporter.json(ScanReport(mode: "test").with(found)) + Reporter.text(ScanReport(mode: "test").with(found))
            #expect(!canary.appears(in: rendered))
        }
        #expect(findings("nothing here", known: known).isEmpty)
    }

    @Test func anExcerptHidesAValueThatLostAnOverlapToAnotherFinding() {
        // A known value that is the start of a longer assigned password: the findings overlap,
        // one is kept, and the excerpt must still hide every byte of both.
        let known = KnownSecret(name: "short", source: "test", value: SecretBytes(copying: Array("Zx81Kq".utf8)))
        let found = findings(#"db_password = "Zx81KqW7#kLm9pQ2rT""# + "\n", known: [known])
        #expect(!found.isEmpty)
        for finding in found {
            #expect(!finding.excerpt.contains("Zx81"), "\(finding.rule)")
            #expect(!finding.excerpt.contains("kLm9pQ2rT"), "\(finding.rule)")
        }
    }

    @Test func shortValuesAreLeftOut() {
        let known = [KnownSecret(name: "pin", source: "test", value: SecretBytes(copying: Array("1234".utf8)))]
        #expect(findings("pin 1234", known: known).isEmpty)
    }

    @Test func workspaceSourcesThroughTheBinary() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            let fixture = try Fixtures.workspace(in: folder.path)
            try folder.write("name: pay\nvalues:\n  api_key: { secret: payments-api-key }\nsteps: []\n", to: "journeys/pay.yaml")
            let fromEnvironment = Canary(), fromLocalFile = Canary(), sealed = Canary()
            try folder.write("slack-token: \(fromLocalFile.text)\n", to: ".journey/local-secrets.yaml")
            try fixture.workspace.addSecret(Fixtures.name("db-password"), value: sealed.secret, description: "db")
            let keyFile = try Fixtures.writeKeyFile(fixture.key, to: folder.path("keys/alice.key"))
            try folder.write("a=\(fromEnvironment.text)\nb=\(fromLocalFile.text)\nc=\(sealed.text)\n", to: "pasted.txt")
            try Git.run(["add", "pasted.txt", "journeys", "workspace.yaml", "secrets"], in: folder.path)

            let environment = ["PAYMENTS_API_KEY": fromEnvironment.text]
            let withKey = try Journey.run(["scan", "--staged", "--format", "json", "--key-file", keyFile], in: folder, environment: environment)
            #expect(withKey.exitCode == 1)
            let report = try JSONDecoder().decode(ScanReport.self, from: Data(withKey.stdout))
            #expect(Set(report.findings.filter { $0.rule == KnownValues.ruleID }.map(\.line)) == [1, 2, 3])
            for canary in [fromEnvironment, fromLocalFile, sealed] { #expect(!canary.appears(in: withKey.allOutput)) }

            // Without a key, sealed values are skipped silently.
            let withoutKey = try Journey.run(["scan", "--staged", "--format", "json"], in: folder, environment: environment)
            let partial = try JSONDecoder().decode(ScanReport.self, from: Data(withoutKey.stdout))
            #expect(Set(partial.findings.filter { $0.rule == KnownValues.ruleID }.map(\.line)) == [1, 2])
            #expect(withoutKey.stderrText.isEmpty)
        }
    }
}

extension ScanReport {
    func with(_ findings: [Finding]) -> ScanReport {
        var copy = self
        copy.findings = findings
        return copy
    }
}
