import FileIO
import FoundationEssentials
import Workspace

/// The outcome of a scan, as the reporters print it.
package struct ScanReport: Sendable, Codable {
    package var mode: String
    package var findings: [Finding]
    package var skipped: [SkippedFile]
    package var filesScanned: Int
    package var bytesScanned: Int
    /// Silenced by `journey:allow` on their line.
    package var allowed: Int
    /// Silenced by the baseline file.
    package var baselined: Int

    package init(mode: String) {
        self.mode = mode
        findings = []
        skipped = []
        filesScanned = 0
        bytesScanned = 0
        allowed = 0
        baselined = 0
    }
}

package enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, sarif
}

/// Text for people, JSON for scripts, SARIF 2.1.0 for code-scanning dashboards. Each prints
/// excerpts that were redacted when the finding was made; none sees a value.
package enum Reporter {
    package static func render(_ report: ScanReport, as format: ReportFormat, version: String) -> String {
        switch format {
        // Human text: paths, rule descriptions and names come from the scanned repository.
        case .text: return TerminalText.escaped(text(report), keepingLines: true)
        case .json: return json(report)
        case .sarif: return sarif(report, version: version)
        }
    }

    // MARK: Text

    package static func text(_ report: ScanReport) -> String {
        var out = ""
        for finding in report.findings {
            out += "\(finding.path):\(finding.line):\(finding.column): \(finding.rule): \(finding.message)"
            if let commit = finding.commit { out += " (in commit \(commit.prefix(12)))" }
            out += "\n"
            if !finding.excerpt.isEmpty { out += "    \(finding.excerpt)\n" }
            out += "    fix: \(finding.fix)\n"
        }
        for skipped in report.skipped {
            out += "note: \(skipped.path): not scanned: \(skipped.reason)\n"
        }
        var summary =
            "\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s") in \(report.filesScanned) file\(report.filesScanned == 1 ? "" : "s") (\(report.mode))"
        var silenced: [String] = []
        if report.allowed > 0 { silenced.append("\(report.allowed) allowed inline") }
        if report.baselined > 0 { silenced.append("\(report.baselined) in the baseline") }
        if !silenced.isEmpty { summary += "; " + silenced.joined(separator: ", ") }
        out += summary + "\n"
        if !report.findings.isEmpty {
            out +=
                "To accept a finding on purpose: add 'journey:allow' in a comment on its line, or record the current findings with 'journey scan --write-baseline'.\n"
        }
        return out
    }

    // MARK: JSON

    package static func json(_ report: ScanReport) -> String {
        encode(report)
    }

    // MARK: SARIF 2.1.0

    package static func sarif(_ report: ScanReport, version: String) -> String {
        let used = Set(report.findings.map(\.rule))
        var descriptors: [SARIF.Rule] = []
        var titles: [String: String] = [:]
        for rule in RuleCatalogue.all { titles[rule.id] = rule.title }
        for (id, title) in RuleCatalogue.structuralRules { titles[id] = title }
        for (id, title) in LeakScanner.urlTitles { titles[id] = title }
        for finding in report.findings where titles[finding.rule] == nil { titles[finding.rule] = finding.title }
        for id in used.sorted() {
            let title = titles[id] ?? id
            descriptors.append(
                SARIF.Rule(id: id, name: id, shortDescription: .init(text: title), help: .init(text: report.findings.first { $0.rule == id }?.fix ?? title)))
        }
        let index = Dictionary(uniqueKeysWithValues: descriptors.enumerated().map { ($1.id, $0) })
        let results = report.findings.map { finding in
            SARIF.Result(
                ruleId: finding.rule, ruleIndex: index[finding.rule] ?? 0, level: "error",
                message: .init(text: "\(finding.message). Fix: \(finding.fix)"),
                locations: [
                    .init(
                        physicalLocation: .init(
                            artifactLocation: .init(uri: finding.path),
                            region: .init(
                                startLine: finding.line, startColumn: finding.column, snippet: finding.excerpt.isEmpty ? nil : .init(text: finding.excerpt))))
                ],
                partialFingerprints: ["journeyLocationHash/v1": finding.reportFingerprint],
                properties: finding.commit.map { ["commit": $0] })
        }
        let log = SARIF.Log(
            runs: [
                .init(
                    tool: .init(
                        driver: .init(
                            name: "journey", version: version,
                            rules: descriptors)),
                    results: results, columnKind: "unicodeCodePoints")
            ])
        return encode(log)
    }

    static func encode<Value: Encodable>(_ value: Value) -> String {
        String(decoding: (try? JSONText.encode(value)) ?? [UInt8(ascii: "\n")], as: UTF8.self)
    }
}

/// The parts of SARIF 2.1.0 the scanner writes.
enum SARIF {
    struct Log: Encodable {
        let version = "2.1.0"
        let schema = "https://json.schemastore.org/sarif-2.1.0.json"
        let runs: [Run]

        enum CodingKeys: String, CodingKey {
            case version, runs
            case schema = "$schema"
        }
    }

    struct Run: Encodable {
        let tool: Tool
        let results: [Result]
        let columnKind: String
    }

    struct Tool: Encodable { let driver: Driver }

    struct Driver: Encodable {
        let name: String
        let version: String
        let rules: [Rule]
    }

    struct Text: Encodable { let text: String }

    struct Rule: Encodable {
        let id: String
        let name: String
        let shortDescription: Text
        let help: Text
    }

    struct Result: Encodable {
        let ruleId: String
        let ruleIndex: Int
        let level: String
        let message: Text
        let locations: [Location]
        let partialFingerprints: [String: String]
        let properties: [String: String]?
    }

    struct Location: Encodable { let physicalLocation: PhysicalLocation }

    struct PhysicalLocation: Encodable {
        let artifactLocation: ArtifactLocation
        let region: Region
    }

    struct ArtifactLocation: Encodable { let uri: String }

    struct Region: Encodable {
        let startLine: Int
        let startColumn: Int
        let snippet: Text?
    }
}
