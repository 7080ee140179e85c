import ArgumentParser
import FileIO
import FoundationEssentials
import GitStore
import Glibc
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

            A repository is untrusted input: pin the workspaces the runner serves
            (--workspace-id) and the refs it trusts (--allow-ref; only their runs
            raise the rollback marks). Links out of the checkout are refused, and
            the checkout is bounded (--max-file-size, --max-checkout-size,
            --max-checkout-files) before anything is written.

            Exit codes: 0 the journey passed; 1 it failed; 2 bad input, and nothing
            ran (unreachable repository or no answer within --network-timeout,
            unknown or untrusted ref, missing workspace or journey, a workspace
            not served, a key that opens nothing, a tampered sealed file, a
            rollback, an unwritable --report path).

            Examples:
              journey runner --repo https://git.example.com/team/journeys.git \\
                --ref main --journey checkout --key-file /run/secrets/journey.key
              JOURNEY_KEY_FILE=runner.key journey runner --repo /srv/git/j.git \\
                --ref v1.4.0 --journey nightly --report report.json
              journey runner --repo /srv/git/j.git --ref main --journey checkout \\
                --env production --key-file /run/secrets/prod-runner.key
              journey runner --repo file:///srv/git/mono.git --ref 3f2a9c1 \\
                --workspace-path ops/journeys --journey smoke --key-file runner.key
              journey runner --repo https://git.example.com/team/journeys.git \\
                --ref main --journey checkout --key-file runner.key \\
                --workspace-id 28d61633aaed9e798d7f4fea375497aa \\
                --allow-ref main --allow-ref 'release/*'
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

    @Option(
        name: .customLong("workspace-id"),
        help: ArgumentHelp("Serve only this workspace id (repeatable; else JOURNEY_WORKSPACE_IDS, comma-separated).", valueName: "ID"))
    var workspaceIDs: [String] = []

    @Option(
        name: .customLong("allow-ref"),
        help: ArgumentHelp(
            "Trust refs matching this glob: only they run and raise the rollback marks (repeatable; else JOURNEY_ALLOW_REFS).",
            valueName: "PATTERN"))
    var allowedRefs: [String] = []

    @Option(help: ArgumentHelp("The largest file the checkout may hold (default 32M; K, M, G suffixes).", valueName: "SIZE"))
    var maxFileSize: String?

    @Option(help: ArgumentHelp("The most bytes the checkout may hold (default 256M).", valueName: "SIZE"))
    var maxCheckoutSize: String?

    @Option(help: ArgumentHelp("The most files and folders the checkout may hold (default 50000).", valueName: "N"))
    var maxCheckoutFiles: Int?

    @Option(help: ArgumentHelp("Give up on a remote silent for this long (default 60).", valueName: "SECONDS"))
    var networkTimeout: Int = Int(RunnerRequest.defaultNetworkTimeout.components.seconds)

    func validate() throws {
        if repo.isEmpty { throw ValidationError("--repo is empty; give a local path or a URL") }
        if ref.isEmpty { throw ValidationError("--ref is empty; give a branch, a tag or a commit id") }
        if ref.hasPrefix("-") { throw ValidationError("--ref '\(ref)' starts with '-'; give a branch, a tag or a commit id") }
        for id in servedWorkspaceIDs where !Self.isWorkspaceID(id) {
            throw ValidationError("workspace id '\(id)' (--workspace-id or JOURNEY_WORKSPACE_IDS) must be 32 lowercase hex digits, as in workspace.yaml")
        }
        if networkTimeout < 1 { throw ValidationError("--network-timeout must be at least 1 second") }
        if let maxCheckoutFiles, maxCheckoutFiles < 1 { throw ValidationError("--max-checkout-files must be at least 1") }
        _ = try limits()
    }

    /// `--workspace-id`, else `JOURNEY_WORKSPACE_IDS`.
    var servedWorkspaceIDs: [String] {
        workspaceIDs.isEmpty ? RefPolicy.listFromEnvironment(ProcessInfo.processInfo.environment["JOURNEY_WORKSPACE_IDS"]) : workspaceIDs
    }

    static func isWorkspaceID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    func limits() throws -> CheckoutLimits {
        var limits = CheckoutLimits.defaults
        if let maxFileSize { limits.maxFileBytes = try Self.size(maxFileSize, flag: "--max-file-size") }
        if let maxCheckoutSize { limits.maxTotalBytes = try Self.size(maxCheckoutSize, flag: "--max-checkout-size") }
        if let maxCheckoutFiles { limits.maxEntries = maxCheckoutFiles }
        return limits
    }

    /// `4096`, `512K`, `32M` or `2G` (powers of 1024) in bytes.
    static func size(_ text: String, flag: String) throws -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "k": 1 << 10, "M": 1 << 20, "m": 1 << 20, "G": 1 << 30, "g": 1 << 30]
        let unit = text.last.flatMap { units[$0] }
        guard let number = Int(unit == nil ? text : String(text.dropLast())), number > 0 else {
            throw ValidationError("\(flag) '\(text)' is not a size; give bytes, or a number with K, M or G (e.g. 64M)")
        }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: unit ?? 1)
        guard !overflow else { throw ValidationError("\(flag) '\(text)' is too large") }
        return bytes
    }

    func run() throws {
        let started = ContinuousClock().now
        // Before anything is opened: no core dump or same-user ptrace can reach a value.
        try ProcessHardening.makeNonDumpable()
        // Output paths first: exit 2 must mean nothing ran.
        let reportPath = report.map(Self.absolute)
        if let reportPath { try OutputPath.checkWritable(reportPath, flag: "--report") }
        let isolation = try isolationOptions.isolation(keyFile: keyFile)
        let key = try KeySource.load(keyFile: keyFile, fallback: .none)
        let request = RunnerRequest(
            repo: repo, ref: ref, workspacePath: workspacePath,
            cacheRoot: cache.map(Self.absolute) ?? RunnerCache.defaultRoot(), allowRollback: allowRollback,
            workspaceIDs: servedWorkspaceIDs,
            refPolicy: RefPolicy.from(flags: allowedRefs, environment: ProcessInfo.processInfo.environment),
            limits: try limits(), networkTimeout: .seconds(networkTimeout),
            environment: try environmentOptions.chosen.map { try EnvironmentName($0) })
        if request.refPolicy.isEmpty {
            Output.note("runner: no --allow-ref (or JOURNEY_ALLOW_REFS): this run is checked against the rollback marks but does not raise them")
        }
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

    /// Checking that a file can be written before anything runs.
    enum OutputPath {
        /// Refuses (exit 2) a path that is a folder, or whose folder is missing or refuses a
        /// new file: a probe file is created beside it and removed.
        static func checkWritable(_ path: String, flag: String) throws {
            var status = stat()
            if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
                throw CommandError(description: "cannot write \(flag) \(path): it is a folder (nothing was run)", fix: "give a file path")
            }
            let slash = path.lastIndex(of: "/")
            let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            let probe = folder + "/" + AtomicFile.tempPrefix + "probe.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
            let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                let reason = String(cString: strerror(errno))
                throw CommandError(
                    description: "cannot write \(flag) \(path): its folder \(folder) does not take a new file (\(reason)); nothing was run",
                    fix: "create the folder or choose another path")
            }
            close(descriptor)
            unlink(probe)
        }
    }

    /// Paths given on the command line, made absolute against the current folder.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
