import FileIO
import FoundationEssentials
import GitStore
import Run

/// The runner's JSON report: where the journey came from (repository, ref, exact commit), which
/// sealed versions it used, which key opened them, and how long each phase took, around the
/// journey's own run report. Names, versions, ids and timings only — never a value.
package struct RunnerReport: Encodable, Sendable {
    package static let formatTag = "journey-runner-report-1"

    package struct SecretVersion: Encodable, Sendable, Equatable {
        package var name: String
        package var version: Int

        package init(name: String, version: Int) {
            self.name = name
            self.version = version
        }
    }

    package struct StepTiming: Encodable, Sendable, Equatable {
        package var name: String
        package var milliseconds: Int

        package init(name: String, milliseconds: Int) {
            self.name = name
            self.milliseconds = milliseconds
        }
    }

    package struct Timings: Encodable, Sendable, Equatable {
        /// Connecting, listing the remote's refs, and cloning or fetching (0 when skipped).
        package var fetchMilliseconds: Int
        /// Resolving the ref and writing the commit's tree into the work folder.
        package var checkoutMilliseconds: Int
        /// Finding the journey and opening its secrets.
        package var resolveMilliseconds: Int
        package var steps: [StepTiming]
        /// From the command's start to the report.
        package var totalMilliseconds: Int

        package init(fetchMilliseconds: Int, checkoutMilliseconds: Int, resolveMilliseconds: Int, steps: [StepTiming], totalMilliseconds: Int) {
            self.fetchMilliseconds = fetchMilliseconds
            self.checkoutMilliseconds = checkoutMilliseconds
            self.resolveMilliseconds = resolveMilliseconds
            self.steps = steps
            self.totalMilliseconds = totalMilliseconds
        }
    }

    package var format: String = Self.formatTag
    /// The repository as given (a password in its URL shown as `***`).
    package var repo: String
    /// The ref as given.
    package var ref: String
    /// The full ref name it resolved through (`refs/heads/main`); absent for a commit id.
    package var refName: String?
    /// The exact commit the journey ran at (40 hex digits in the JSON).
    package var commit: ObjectID
    /// `cloned`, `rebuilt`, `fetched` or `up-to-date`.
    package var mirror: MirrorUpdate
    package var workspacePath: String
    package var workspaceID: String
    package var journey: String
    /// The key id of the runner's private key.
    package var runnerKeyID: String
    package var status: RunReport.Status
    /// Every secret the journey used, with the sealed version opened.
    package var secrets: [SecretVersion]
    package var timings: Timings
    /// The journey's own run report, as `journey run --report` writes it.
    package var run: RunReport

    package init(
        checkout: CheckedOutCommit, workspacePath: String, workspaceID: String, journey: String, runnerKeyID: String,
        secrets: [SecretVersion], timings: Timings, run: RunReport
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
        status = run.status
        self.secrets = secrets
        self.timings = timings
        self.run = run
    }

    /// Pretty, key-sorted JSON with a final newline.
    package func encoded() throws -> [UInt8] {
        try JSONText.encode(self)
    }
}
