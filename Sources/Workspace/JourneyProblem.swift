import Diagnostics

/// Something wrong with a journey or its secrets, with where it is and what would fit. Problems
/// are data (check lists them all); `JourneyError` carries them when loading must stop.
package struct JourneyProblem: Sendable, Equatable, CustomStringConvertible {
    package enum Severity: String, Sendable, Equatable {
        case error, warning
    }

    package var location: SourceLocation
    /// What is wrong and what was expected; never a secret value.
    package var message: String
    package var severity: Severity
    /// A stable id of the kind of problem, for scripts (`check --json`): `journey-format` for
    /// anything a journey file's parser reports, a specific id for the store-level checks.
    package var rule: String

    package init(_ location: SourceLocation, _ message: String, severity: Severity = .error, rule: String = "journey-format") {
        self.location = location
        self.message = message
        self.severity = severity
        self.rule = rule
    }

    package var description: String {
        "\(location): \(severity == .warning ? "warning: " : "")\(message)"
    }
}

/// A journey file that does not fit the format, or a journey that cannot be found.
package enum JourneyError: UserFacingError, Sendable {
    /// Every problem found in the file (at least one).
    case invalid([JourneyProblem])
    case notFound(String, known: [String])
    case ambiguous(String, files: [String])

    package var message: String {
        switch self {
        case .invalid(let problems):
            return problems.map(\.description).joined(separator: "\n")
        case .notFound(let name, let known):
            let list = known.isEmpty ? "there are no journeys in journeys/" : "known journeys: \(known.joined(separator: ", "))"
            return "no journey named '\(WorkspaceError.printable(name))' (by name or file in journeys/); \(list)"
        case .ambiguous(let name, let files):
            return
                "journey name '\(WorkspaceError.printable(name))' is used by \(files.joined(separator: " and ")); give each journey its own name, or pass the file path"
        }
    }

    package var problems: [JourneyProblem] {
        if case .invalid(let problems) = self { return problems }
        return []
    }
}
