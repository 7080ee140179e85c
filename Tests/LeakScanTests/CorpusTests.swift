import Foundation
import LeakScan
import Testing

@Suite("Labelled corpus")
struct CorpusTests {
    /// Recall (leaks found by their rule) and false alarms (clean samples with any finding),
    /// printed and held to the targets: recall ≥ 98 %, false alarms ≤ 2 %.
    @Test func recallAndFalseAlarmRateMeetTargets() throws {
        let samples = try Corpus.load()
        let scanner = LeakScanner(options: LeakScanner.Options(workspacePrefix: ""))
        var found = 0, leaks = 0, alarms = 0, cleans = 0
        var misses: [String] = [], falseAlarms: [String] = []
        // Per class: found, leaks, alarms, cleans.
        var byClass: [String: (found: Int, leaks: Int, alarms: Int, cleans: Int)] = [:]
        for sample in samples {
            let findings = Array(sample.text.utf8).withUnsafeBytes { scanner.scan(path: sample.path, contents: $0).findings }
            var tally = byClass[sample.kind] ?? (0, 0, 0, 0)
            switch sample.label {
            case .leak:
                leaks += 1
                tally.leaks += 1
                if findings.contains(where: { $0.rule == sample.rule }) {
                    found += 1
                    tally.found += 1
                } else {
                    misses.append("line \(sample.line) (\(sample.rule)): got \(findings.map(\.rule))")
                }
            case .clean:
                cleans += 1
                tally.cleans += 1
                if !findings.isEmpty {
                    alarms += 1
                    tally.alarms += 1
                    falseAlarms.append("line \(sample.line) (\(sample.rule)): \(findings.map(\.rule))")
                }
            }
            byClass[sample.kind] = tally
            // Excerpts never hold a generated value, nor does any other field of a finding.
            for finding in findings {
                for value in sample.generated {
                    #expect(!finding.excerpt.contains(value) && !finding.message.contains(value), "line \(sample.line): \(finding.rule) shows a value")
                }
            }
        }
        for (kind, tally) in byClass.sorted(by: { $0.key < $1.key }) {
            print(
                String(
                    format: "corpus class %@: recall %.1f%% (%d/%d), false alarms %.1f%% (%d/%d)", kind,
                    Double(tally.found) / Double(max(tally.leaks, 1)) * 100,
                    tally.found, tally.leaks, Double(tally.alarms) / Double(max(tally.cleans, 1)) * 100, tally.alarms, tally.cleans))
            #expect(Double(tally.found) >= 0.95 * Double(tally.leaks), "class \(kind)")
            #expect(Double(tally.alarms) <= 0.05 * Double(tally.cleans), "class \(kind)")
        }
        let recall = Double(found) / Double(leaks)
        let falseAlarmRate = Double(alarms) / Double(cleans)
        print("corpus: \(leaks) leak samples, \(cleans) clean samples")
        print(String(format: "corpus: recall %.1f%% (%d/%d), false alarms %.1f%% (%d/%d)", recall * 100, found, leaks, falseAlarmRate * 100, alarms, cleans))
        for miss in misses { print("corpus: missed \(miss)") }
        for alarm in falseAlarms { print("corpus: false alarm \(alarm)") }
        #expect(recall >= 0.98)
        #expect(falseAlarmRate <= 0.02)
    }

    /// Every rule of the catalogue has at least one true and one false sample.
    @Test func everyRuleHasTrueAndFalseSamples() throws {
        let samples = try Corpus.load()
        let leakRules = Set(samples.filter { $0.label == .leak }.map(\.rule))
        let cleanRules = Set(samples.filter { $0.label == .clean }.map(\.rule))
        let urlRules = ["postgres-url-password", "mysql-url-password", "mongodb-url-password", "redis-url-password", "amqp-url-password"]
        for rule in RuleCatalogue.all.map(\.id) + urlRules {
            #expect(leakRules.contains(rule), "no leak sample for \(rule)")
            #expect(cleanRules.contains(rule), "no clean sample for \(rule)")
        }
        #expect(RuleCatalogue.all.count >= 100)
    }
}
