import Sealing

/// A leak: where it is, which rule, a redacted excerpt, and what to do. Never the value.
package struct Finding: Sendable, Equatable, Codable {
    package var rule: String
    package var title: String
    /// Relative to the repository (or the scanned folder), `/`-separated.
    package var path: String
    /// 1-based; column counts Unicode scalars.
    package var line: Int
    package var column: Int
    /// The line with every value found on it replaced by `***` (a documented prefix such as
    /// `ghp_` may stay visible), trimmed around the finding.
    package var excerpt: String
    /// What was found, when the rule's title does not say enough (a known secret's name).
    package var message: String
    package var fix: String
    /// A hash of rule and value that keys the baseline: a new value on the same line is new.
    /// Kept out of JSON and SARIF output: a fast hash of a weak password can be reversed by
    /// guessing, and reports travel further than the repository.
    package var fingerprint: String = ""
    /// The commit that introduced the blob, for history scans.
    package var commit: String?

    enum CodingKeys: String, CodingKey {
        case rule, title, path, line, column, excerpt, message, fix, commit
    }

    /// For report consumers that track results (SARIF `partialFingerprints`): rule, path and the
    /// redacted excerpt — nothing derived from the value.
    package var reportFingerprint: String {
        Hex.encode(SHA256.hash(Array("journey-report-1\u{0}\(rule)\u{0}\(path)\u{0}\(excerpt)".utf8)).prefix(16))
    }
}

/// A file the scan did not read, and why (binary, too large, unreadable).
package struct SkippedFile: Sendable, Equatable, Codable {
    package var path: String
    package var reason: String
}

/// What one file yielded.
package struct FileResult: Sendable {
    package var findings: [Finding] = []
    /// Findings silenced by a `journey:allow` comment on their line.
    package var allowed: Int = 0
    package var skipped: SkippedFile?
}
