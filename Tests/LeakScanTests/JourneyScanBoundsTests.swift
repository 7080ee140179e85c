import Foundation
import LeakScan
import TestSupport
import Testing

@Suite("Threat: hostile journeys stall the leak check (and so every commit)")
struct JourneyScanBoundsTests {
    /// A journey above `--max-file-size` is skipped before it is parsed — also by the pass
    /// that collects the secret names journeys use, so a name only it holds stays unknown.
    @Test func aJourneyAboveTheMaximumFileSizeIsNeverParsed() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            #expect(try Journey.run(["init"], in: folder).exitCode == 0)
            let value = "Zq9vX2mK7pL4wR8tY1nB6cD3"
            let filler = String(repeating: "# filler line to push the journey past one megabyte\n", count: 22_000)
            try folder.write("steps:\n  - run: ./pay\n    env: { API: { secret: api } }\n" + filler, to: "journeys/big.yaml")
            try folder.write("the value is \(value)\n", to: "notes.txt")
            var seen: [String: Bool] = [:]
            for limit in ["1", "10"] {
                let result = try Journey.run(["scan", "--all", "--max-file-size", limit, "--format", "json"], in: folder, environment: ["API": value])
                let report = try JSONDecoder().decode(ScanReport.self, from: Data(result.stdout))
                #expect(report.skipped.contains { $0.path == "journeys/big.yaml" } == (limit == "1"))
                seen[limit] = report.findings.contains { $0.path == "notes.txt" && $0.rule == "known-secret-value" }
            }
            // Read under the 10 MB limit, the journey names 'api' and its value is found; under
            // 1 MB it is never parsed, so the name is not known.
            #expect(seen == ["1": false, "10": true])
        }
    }

    /// A long quoted literal is checked in time linear in its length (figures in the report of
    /// issue 9: 12 MB of literal, 1 MB/s before); here, that a 4 MB one completes and a
    /// credential beside it is still found.
    @Test func aLongQuotedLiteralIsScannedAndACredentialBesideItFound() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            #expect(try Journey.run(["init"], in: folder).exitCode == 0)
            let literal = String(repeating: "abc def ", count: 500_000)
            try folder.write(
                "description: \"\(literal)\"\nsteps:\n  - run: ./pay\n    env: { NOTE: \"\(literal)\", API_TOKEN: \"Zq9vX2mK7pL4wR8tY1nB6cD3\" }\n",
                to: "journeys/long.yaml")
            let result = try Journey.run(["scan", "--all", "--format", "json"], in: folder)
            let report = try JSONDecoder().decode(ScanReport.self, from: Data(result.stdout))
            #expect(report.findings.contains { $0.path == "journeys/long.yaml" && $0.rule.hasPrefix("journey-") }, "\(result.stderrText)")
        }
    }
}
