import Diagnostics
import FileIO
import FoundationEssentials

/// Findings accepted on purpose, keyed by content: the rule, the file and a hash of the value.
/// A line number is never part of the key, so a new value on a baselined line is reported.
package struct Baseline: Sendable, Equatable, Codable {
    package struct Entry: Sendable, Hashable, Codable {
        package var rule: String
        package var path: String
        package var fingerprint: String
    }

    package static let defaultFileName = ".journey-scan-baseline.json"
    package static let currentVersion = 1

    package var version: Int
    package var entries: [Entry]

    package init(findings: [Finding]) {
        version = Self.currentVersion
        entries = Array(Set(findings.map { Entry(rule: $0.rule, path: $0.path, fingerprint: $0.fingerprint) }))
            .sorted { ($0.path, $0.rule, $0.fingerprint) < ($1.path, $1.rule, $1.fingerprint) }
    }

    package func contains(_ finding: Finding) -> Bool {
        keys.contains(Entry(rule: finding.rule, path: finding.path, fingerprint: finding.fingerprint))
    }

    private var keys: Set<Entry> { Set(entries) }

    /// The findings not in the baseline, and how many were.
    package func filter(_ findings: [Finding]) -> (kept: [Finding], baselined: Int) {
        let keys = self.keys
        let kept = findings.filter { !keys.contains(Entry(rule: $0.rule, path: $0.path, fingerprint: $0.fingerprint)) }
        return (kept, findings.count - kept.count)
    }

    /// Reads a baseline; a missing file is an empty baseline, a malformed one an error.
    package static func load(_ path: String) throws(BaselineError) -> Baseline? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
        do {
            let baseline = try JSONDecoder().decode(Baseline.self, from: data)
            guard baseline.version == currentVersion else { throw BaselineError.unsupportedVersion(path: path, version: baseline.version) }
            return baseline
        } catch let error as BaselineError {
            throw error
        } catch {
            throw .malformed(path: path)
        }
    }

    package func encoded() -> Data {
        Data((try? JSONText.encode(self)) ?? [UInt8(ascii: "\n")])
    }
}

package enum BaselineError: UserFacingError {
    case unreadable(path: String)
    case malformed(path: String)
    case unsupportedVersion(path: String, version: Int)

    package var message: String {
        switch self {
        case .unreadable(let path): return "cannot read the baseline \(path)"
        case .malformed(let path):
            return
                "\(path) is not a journey scan baseline: expected JSON with 'version' and 'entries' (rule, path, fingerprint); write a new one with 'journey scan --write-baseline'"
        case .unsupportedVersion(let path, let version):
            return
                "\(path) is a baseline of version \(version); this journey reads version \(Baseline.currentVersion) (write a new one with 'journey scan --write-baseline')"
        }
    }
}
