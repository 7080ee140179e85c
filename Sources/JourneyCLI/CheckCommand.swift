import ArgumentParser
import FoundationEssentials
import Workspace

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check every journey and the sealed store; list every problem.",
        discussion: """
            Checks that every journey parses, every secret a journey names has a sealed file and a
            usable variable name, journey names are unique, and every sealed file is well-formed and
            wrapped for every current recipient. Unused secrets are warnings. Nothing is decrypted.

            Exit codes: 0 no errors (warnings allowed); 1 problems found; 2 bad usage.

            Examples:
              journey check
              journey check --json
            """)

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var environmentOptions: EnvironmentOptions

    @Flag(help: "Print the problems as JSON.")
    var json = false

    func run() throws {
        let workspace = try workspaceOptions.open(environmentOptions, required: false)
        let report = JourneyCheck.run(workspace)
        if json {
            try Output.json(CheckOutput(report))
        } else {
            for problem in report.problems { Output.line(problem.description) }
            let summary =
                "checked \(report.journeyCount) journey\(report.journeyCount == 1 ? "" : "s") and \(report.secretCount) secret\(report.secretCount == 1 ? "" : "s"): \(report.errors.count) error\(report.errors.count == 1 ? "" : "s"), \(report.warnings.count) warning\(report.warnings.count == 1 ? "" : "s")"
            Output.line(summary)
        }
        if !report.errors.isEmpty { throw ExitCode(1) }
    }
}

/// `check --json`: one object per problem.
private struct CheckOutput: Encodable {
    struct Problem: Encodable {
        var file: String
        var line: Int?
        var column: Int?
        var severity: String
        /// What kind of problem, stable for scripts (e.g. secret-missing, merge-conflict).
        var rule: String
        var message: String
    }

    var journeys: Int
    var secrets: Int
    var problems: [Problem]

    init(_ report: JourneyCheck.Report) {
        journeys = report.journeyCount
        secrets = report.secretCount
        problems = report.problems.map {
            Problem(
                file: $0.location.file, line: $0.location.line, column: $0.location.column, severity: $0.severity.rawValue, rule: $0.rule, message: $0.message)
        }
    }
}
