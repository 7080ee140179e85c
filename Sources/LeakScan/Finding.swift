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
    public var fingerprint: String
    /// The commit that introduced the blob, for history scans.
    public var commit: String?
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
