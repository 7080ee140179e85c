import ArgumentParser
import FoundationEssentials
import Run
import Sealing
import Workspace

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a journey's steps in order; output masked, JSON report on request.",
        discussion: """
            Every reference is resolved before the first step: a missing value stops the run
            with an error naming the journey, the place, the secret and the fix. 'run' steps go
            through /bin/sh -c in the workspace folder with their env; 'http' steps send one
            request and check 'expect'. Step output, HTTP bodies, the report and every error are
            masked (the value, each line, base64, URL-encoded and JSON-escaped forms → ***).
            Each 'run' step starts isolated from the private key (its own user, mount and PID
            namespaces; docs/SECURITY.md); where that cannot be set up, run refuses (exit 2)
            unless --no-isolation.

            Exit codes: 0 every step passed; 1 a step failed; 2 bad input or a value that could
            not be resolved (nothing ran).

            Examples:
              journey run checkout --local
              JOURNEY_KEY_FILE=runner.key journey run checkout --sealed --report run.json
              journey run checkout --local --no-isolation
            """)

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var environmentOptions: EnvironmentOptions
    @OptionGroup var resolution: ResolutionOptions
    @OptionGroup var isolationOptions: IsolationOptions

    @Argument(help: "The journey: its name, file name without .yaml, or path.")
    var journey: String

    @Option(help: ArgumentHelp("Write a JSON run report here (names and versions of secrets, never values).", valueName: "FILE"))
    var report: String?

    func run() throws {
        try ProcessHardening.makeNonDumpable()  // values are opened below: refuse to go on dumpable
        let workspace = try workspaceOptions.open(environmentOptions, required: !resolution.local)
        let isolation = try isolationOptions.isolation(keyFile: resolution.keyOptions.keyFile)
        let resolved: ResolvedJourney
        do {
            resolved = try resolution.resolve(journey, in: workspace)
        } catch {
            if let report {
                try? RunReport(
                    journey: journey, file: "", mode: resolution.local ? .local : .sealed, status: .error,
                    started: Timestamp.now(), durationMilliseconds: 0, secrets: [], steps: [],
                    error: String(describing: error)
                ).write(to: report)
            }
            throw error
        }
        let runner = JourneyRunner(resolved: resolved, workspace: workspace, isolation: isolation) { stream, bytes in
            StandardStreams.write(bytes, to: stream == .standardOutput ? 1 : 2)
        }
        let result = runner.run()
        if let report {
            try result.write(to: report)
            Output.note("report written to \(report)")
        }
        if result.status != .passed { throw ExitCode(1) }
    }
}
