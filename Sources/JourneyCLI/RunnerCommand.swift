import ArgumentParser
import FileIO
import FoundationEssentials
import Run
import Runner
import Sealing
import Workspace

/// `journey runner`: one stateless command a CI job or scheduler runs to fetch a repository,
/// check a ref out, and run one journey from the sealed store.
struct RunnerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "Check a repository out at a ref and run one journey with values from its sealed store.",
        discussion: """
            The repository is cloned into the cache on first use (a bare mirror per
            URL) and fetched later only when the ref has moved. The ref's commit is
            checked out into a fresh work folder, removed afterwards; the journey is
            resolved and run exactly as 'journey run --sealed' does. A sealed
            version lower than one this cache has opened is refused (the rollback
            guard) unless --allow-rollback.

            --env (else JOURNEY_ENV) chooses the environment whose secrets are
            opened; it comes from the runner's own configuration, never from the
            checkout, and is required when the checked-out workspace.yaml lists
            environments. Rollback marks are kept per environment.

            The key comes from --key-file, JOURNEY_KEY_FILE or JOURNEY_KEY (the key
            text, removed from the environment before any step starts). The runner
            makes itself non-dumpable before it opens anything, and every step runs
            isolated from the key (own user, mount and PID namespaces); where that
            cannot be set up the runner refuses (exit 2) unless --no-isolation.

            Exit codes: 0 the journey passed; 1 it failed; 2 bad input (unreachable
            repository, unknown ref, missing workspace or journey, a key that opens
            nothing, a tampered sealed file, a rollback).

            Examples:
              journey runner --repo https://git.example.com/team/journeys.git \\
                --ref main --journey checkout --key-file /run/secrets/journey.key
              JOURNEY_KEY_FILE=runner.key journey runner --repo /srv/git/j.git \\
                --ref v1.4.0 --journey nightly --report report.json
              journey runner --repo /srv/git/j.git --ref main --journey checkout \\
                --env production --key-file /run/secrets/prod-runner.key
              journey runner --repo file:///srv/git/mono.git --ref 3f2a9c1 \\
                --workspace-path ops/journeys --journey smoke --key-file runner.key
            """)

    @Option(help: ArgumentHelp("The repository: a local path, or a file://, https:// or ssh:// URL.", valueName: "URL"))
    var repo: String

    @Option(help: ArgumentHelp("A branch, a tag, a full ref name (refs/…), or a commit id (4 to 40 hex digits).", valueName: "REF"))
    var ref: String

    @Option(help: ArgumentHelp("The journey to run: its name or its file's stem.", valueName: "NAME"))
    var journey: String

    @Option(help: ArgumentHelp("Private key file (else JOURNEY_KEY_FILE, else JOURNEY_KEY).", valueName: "FILE"))
    var keyFile: String?

    @Option(help: ArgumentHelp("The runner's cache (default: $XDG_CACHE_HOME/journey/runner).", valueName: "DIR"))
    var cache: String?

    @Option(help: ArgumentHelp("Write the JSON run report here (never holds a value).", valueName: "FILE"))
    var report: String?

    @Option(help: ArgumentHelp("The workspace's folder inside the repository.", valueName: "PATH"))
    var workspacePath: String = "."

    @OptionGroup var isolationOptions: IsolationOptions

    @OptionGroup var environmentOptions: EnvironmentOptions

    @Flag(help: "Accept sealed versions lower than this cache has seen (an intended rollback); they become the new marks.")
    var allowRollback = false

    func validate() throws {
        if repo.isEmpty { throw ValidationError("--repo is empty; give a local path or a URL") }
        if ref.isEmpty { throw ValidationError("--ref is empty; give a branch, a tag or a commit id") }
        if ref.hasPrefix("-") { throw ValidationError("--ref '\(ref)' starts with '-'; give a branch, a tag or a commit id") }
    }

    func run() throws {
        let started = ContinuousClock().now
        // Before anything is opened: no core dump or same-user ptrace can reach a value.
        try ProcessHardening.makeNonDumpable()
        let isolation = try isolationOptions.isolation(keyFile: keyFile)
        let key = try KeySource.load(keyFile: keyFile, fallback: .none)
        let request = RunnerRequest(
            repo: repo, ref: ref, workspacePath: workspacePath,
            cacheRoot: cache.map(Self.absolute) ?? RunnerCache.defaultRoot(), allowRollback: allowRollback,
            environment: try environmentOptions.chosen.map { try EnvironmentName($0) })
        let reportPath = report.map(Self.absolute)
        let outcome = try Runner(request: request).run(
            journey: journey, key: key, isolation: isolation, started: started,
            checkedOut: { checkout in
                Output.note(
                    "runner: \(checkout.repo) \(checkout.ref) → \(checkout.resolved.commit) "
                        + "(mirror \(checkout.update.rawValue), \(checkout.fetchDuration.wholeMilliseconds) ms; "
                        + "checkout \(checkout.checkoutDuration.wholeMilliseconds) ms)")
            },
            output: { stream, bytes in StandardStreams.write(bytes, to: stream == .standardOutput ? 1 : 2) })
        if let reportPath {
            do { try AtomicFile.write(try outcome.report.encoded(), to: reportPath) } catch {
                throw CommandError(description: "cannot write the report to \(reportPath): \(error)")
            }
        }
        if !outcome.passed { throw ExitCode(1) }
    }

    /// Paths given on the command line, made absolute against the current folder.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
