import FileIO
import FoundationEssentials
import Workspace

/// The JSON record of one journey run: journey, steps, status, durations, and the names and
/// versions of the secrets used. Every text field is masked when it is set; no value is ever
/// part of a report.
package struct RunReport: Codable, Sendable, Equatable {
    package enum Status: String, Codable, Sendable {
        /// Every step passed.
        case passed
        /// A step failed; the steps after it were skipped.
        case failed
        /// Nothing ran: the journey could not be loaded or resolved.
        case error
    }

    package struct SecretUsed: Codable, Sendable, Equatable {
        /// Where a value came from.
        package enum Source: String, Codable, Sendable {
            case sealed, env
            case localFile = "local-file"
        }

        package var name: String
        package var source: Source
        /// The sealed version opened; absent for local sources.
        package var version: Int?

        package init(name: String, source: Source, version: Int?) {
            self.name = name
            self.source = source
            self.version = version
        }
    }

    package struct Step: Codable, Sendable, Equatable {
        package enum Status: String, Codable, Sendable {
            case passed, failed, skipped
        }

        package enum Kind: String, Codable, Sendable {
            case run, http
        }

        package var name: String
        package var kind: Kind
        package var status: Status
        package var durationMilliseconds: Int
        /// What happened (exit status, HTTP status), masked.
        package var detail: String?
        /// Why it failed, masked; for a run step, the tail of its output.
        package var error: String?
    }

    package var journey: String
    package var file: String
    package var mode: ResolutionMode
    package var status: Status
    /// ISO 8601, UTC.
    package var started: String
    package var durationMilliseconds: Int
    package var secrets: [SecretUsed]
    package var steps: [Step]
    package var error: String?

    package init(
        journey: String, file: String, mode: ResolutionMode, status: Status, started: String, durationMilliseconds: Int,
        secrets: [SecretUsed], steps: [Step], error: String? = nil
    ) {
        self.journey = journey
        self.file = file
        self.mode = mode
        self.status = status
        self.started = started
        self.durationMilliseconds = durationMilliseconds
        self.secrets = secrets
        self.steps = steps
        self.error = error
    }

    static func secretsUsed(_ resolved: ResolvedJourney) -> [SecretUsed] {
        resolved.secrets.map { secret in
            switch secret.origin {
            case .environment: return SecretUsed(name: secret.name.rawValue, source: .env, version: nil)
            case .localFile: return SecretUsed(name: secret.name.rawValue, source: .localFile, version: nil)
            case .sealed(_, let version): return SecretUsed(name: secret.name.rawValue, source: .sealed, version: version)
            }
        }
    }

    /// Pretty, key-sorted JSON.
    package func encoded() -> [UInt8] {
        // Only strings, integers and enums: encoding cannot fail.
        return try! JSONText.encode(self)
    }

    /// Writes the report atomically to `path`.
    package func write(to path: String) throws(FileIOError) {
        try AtomicFile.write(encoded(), to: path)
    }
}

extension Duration {
    /// Whole milliseconds, for reports and messages; every duration journey measures comes from
    /// `ContinuousClock`, which is monotonic (it never jumps with the wall clock).
    package var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

extension RunReport.Step.Kind {
    init(_ kind: JourneyStep.Kind) {
        switch kind {
        case .run: self = .run
        case .http: self = .http
        }
    }
}
