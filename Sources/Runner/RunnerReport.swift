import Foundation

/// The runner's JSON report: where the journey came from (repository, ref, exact commit), which
/// sealed versions it used, which key opened them, and how long each phase took, around the
/// journey's own run report. Names, versions, ids and timings only — never a value.
public struct RunnerReport<JourneyRun: Encodable & Sendable>: Encodable, Sendable {
    public static var formatTag: String { "journey-runner-report-1" }

    public struct SecretVersion: Encodable, Sendable, Equatable {
        public var name: String
        public var version: Int

        public init(name: String, version: Int) {
            self.name = name
            self.version = version
        }
    }

    public struct StepTiming: Encodable, Sendable, Equatable {
        public var name: String
        public var milliseconds: Int

        public init(name: String, milliseconds: Int) {
            self.name = name
            self.milliseconds = milliseconds
        }
    }

    public struct Timings: Encodable, Sendable, Equatable {
        /// Connecting, listing the remote's refs, and cloning or fetching (0 when skipped).
        public var fetchMilliseconds: Int
        /// Resolving the ref and writing the commit's tree into the work folder.
        public var checkoutMilliseconds: Int
        /// Finding the journey and opening its secrets.
        public var resolveMilliseconds: Int
        public var steps: [StepTiming]
        /// From the command's start to the report.
        public var totalMilliseconds: Int

        public init(fetchMilliseconds: Int, checkoutMilliseconds: Int, resolveMilliseconds: Int, steps: [StepTiming], totalMilliseconds: Int) {
            self.fetchMilliseconds = fetchMilliseconds
            self.checkoutMilliseconds = checkoutMilliseconds
            self.resolveMilliseconds = resolveMilliseconds
            self.steps = steps
            self.totalMilliseconds = totalMilliseconds
        }
    }

    public var format: String = Self.formatTag
    /// The repository as given (a password in its URL shown as `***`).
    public var repo: String
    /// The ref as given.
    public var ref: String
    /// The full ref name it resolved through (`refs/heads/main`); absent for a commit id.
    public var refName: String?
    /// The exact commit the journey ran at, 40 hex digits.
    public var commit: String
    /// `cloned`, `rebuilt`, `fetched` or `up-to-date`.
    public var mirror: MirrorUpdate
    public var workspacePath: String
    public var workspaceID: String
    public var journey: String
    /// The key id of the runner's private key.
    public var runnerKeyID: String
    /// `passed` or `failed`.
    public var status: String
    /// Every secret the journey used, with the sealed version opened.
    public var secrets: [SecretVersion]
    public var timings: Timings
    /// The journey's own run report, as `journey run --report` writes it.
    public var run: JourneyRun

    public init(
        checkout: CheckedOutCommit, workspacePath: String, workspaceID: String, journey: String, runnerKeyID: String,
        passed: Bool, secrets: [SecretVersion], timings: Timings, run: JourneyRun
    ) {
        repo = checkout.repo
        ref = checkout.ref
        refName = checkout.resolved.refName
        commit = checkout.resolved.commit
        mirror = checkout.update
        self.workspacePath = workspacePath
        self.workspaceID = workspaceID
        self.journey = journey
        self.runnerKeyID = runnerKeyID
        status = passed ? "passed" : "failed"
        self.secrets = secrets
        self.timings = timings
        self.run = run
    }

    /// Pretty, key-sorted JSON with a final newline.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [10]
    }
}

/// Milliseconds from seconds, for reports.
public func wholeMilliseconds(_ seconds: Double) -> Int { Int((seconds * 1000).rounded()) }
