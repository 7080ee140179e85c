import Foundation
import LeakScan
import TestSupport
import Testing

@Suite("Baseline fingerprints stay stable")
struct BaselineFingerprintTests {
    /// The repository's own baseline was written by the earlier, hand-written SHA-256: scanning
    /// the same files must still produce exactly those fingerprints, or every existing baseline
    /// would stop matching.
    @Test func theCheckedInBaselineStillMatchesItsFindings() throws {
        let root = PackagePaths.root
        let baseline = try #require(try Baseline.load(root + "/.journey-scan-baseline.json"))
        #expect(!baseline.entries.isEmpty)
        let scanner = LeakScanner()
        for path in Set(baseline.entries.map(\.path)) {
            let bytes = try #require(FileManager.default.contents(atPath: root + "/" + path))
            let findings = Array(bytes).withUnsafeBytes { scanner.scan(path: path, contents: $0).findings }
            for entry in baseline.entries where entry.path == path {
                #expect(findings.contains { baseline.contains($0) && $0.rule == entry.rule }, "\(entry.rule) in \(path) no longer matches its baseline entry")
            }
        }
    }

    /// A fingerprint pinned before the move to libsodium (computed independently with Python's
    /// hashlib over "journey-leak-1\0RULE\0VALUE"), for a finding built here.
    @Test func aKnownFindingHasItsPinnedFingerprint() {
        let text = "key = \"sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc" + "\"\n"
        let findings = Array(text.utf8).withUnsafeBytes { LeakScanner().scan(path: "notes.txt", contents: $0).findings }
        let stripe = findings.first { $0.rule == "stripe-secret-key" }
        #expect(stripe?.fingerprint == Self.pinned)
    }

    static let pinned = "410e10246333861ee190162fa3650ecb"
}
