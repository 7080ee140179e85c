/// A leak: where it is, which rule, a redacted excerpt, and what to do. Never the value.
public struct Finding: Sendable, Equatable, Codable {
    public var rule: String
    public var title: String
    /// Relative to the repository (or the scanned folder), `/`-separated.
    public var path: String
    /// 1-based; column counts Unicode scalars.
    public var line: Int
    public var column: Int
    /// The line with every value found on it replaced by `***` (a documented prefix such as
    /// `ghp_` may stay visible), trimmed around the finding.
    public var excerpt: String
    /// What was found, when the rule's title does not say enough (a known secret's name).
    public var message: String
    public var fix: String
    /// A hash of rule and value that keys the baseline: a new value on the same line is new.
    /// Kept out of JSON and SARIF output: a fast hash of a weak password can be reversed by
    /// guessing, and reports travel further than the repository.
    public var fingerprint: String = ""
    /// The commit that introduced the blob, for history scans.
    public var commit: String?

    enum CodingKeys: String, CodingKey {
        case rule, title, path, line, column, excerpt, message, fix, commit
    }

    /// For report consumers that track results (SARIF `partialFingerprints`): rule, path and the
    /// redacted excerpt — nothing derived from the value.
    public var reportFingerprint: String {
        SHA256.hex(Array(SHA256.hash(Array("journey-report-1\u{0}\(rule)\u{0}\(path)\u{0}\(excerpt)".utf8)).prefix(16)))
    }
}

/// A file the scan did not read, and why (binary, too large, unreadable).
public struct SkippedFile: Sendable, Equatable, Codable {
    public var path: String
    public var reason: String
}

/// What one file yielded.
public struct FileResult: Sendable {
    public var findings: [Finding] = []
    /// Findings silenced by a `journey:allow` comment on their line.
    public var allowed: Int = 0
    public var skipped: SkippedFile?
}
