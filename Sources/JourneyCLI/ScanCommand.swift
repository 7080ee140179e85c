import ArgumentParser
import FileIO
import Foundation
import GitStore
import LeakScan
import Workspace

extension ReportFormat: ExpressibleByArgument {}

/// `journey scan`: the leak check, on what is staged, a tree, or the history.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find credentials that are, or would be, committed in plaintext.",
        discussion: """
            Modes (one at a time; default --all):
              --staged           the blobs in the git index: what the next commit holds
              --all [PATH…]      files in the working folder (or PATHs), minus ignored
              --all --rev REV    every file of the tree at REV (e.g. HEAD)
              --history [RANGE]  each blob of the commits in RANGE once (default HEAD)

            Suppressions: 'journey:allow' in a comment on the finding's line, or the
            baseline (.journey-scan-baseline.json at the top of the repository)
            written by --write-baseline. The baseline is keyed by a hash of each
            value, not by line: a new value on a baselined line is caught.

            Inside a git hook the scan reads what git names in GIT_INDEX_FILE, GIT_DIR,
            GIT_WORK_TREE and GIT_OBJECT_DIRECTORY ('commit -a' and 'commit PATH' use a
            temporary index).

            Team rules: a .gitleaks.toml at the top of the repository (the gitleaks
            format: [[rules]] with id, regex, keywords, secretGroup, entropy, path;
            [allowlist] / [[allowlists]] with paths, regexes, stopwords, commits,
            targetRules) adds rules and allowlists; --config FILE reads another file,
            --no-config none. A config that cannot be used is an error (exit 2).

            Exit codes: 0 nothing found; 1 findings; 2 usage error or unreadable input.

            Examples:
              journey scan --staged
              journey scan --all --format sarif > journey.sarif
              journey scan --history origin/main..HEAD     # the pull request check
              journey scan --all --write-baseline
              journey scan --staged --config ci/gitleaks.toml
            """)

    @Flag(name: .long, help: "Scan the blobs staged in the git index (what the next commit holds).")
    var staged = false

    @Flag(name: .long, help: "Scan every file in the working folder, or in PATHs, or of the tree at --rev.")
    var all = false

    @Option(name: .long, help: ArgumentHelp("With --all: scan the tree at this revision instead of the working folder.", valueName: "REV"))
    var rev: String?

    @Flag(name: .long, help: "Scan every blob of a commit range once (RANGE: A..B or a revision; default HEAD).")
    var history = false

    @Argument(help: ArgumentHelp("With --history: the RANGE. With --all: files or folders to scan.", valueName: "RANGE|PATH"))
    var targets: [String] = []

    @Option(name: .long, help: "Output format: text, json or sarif (SARIF 2.1.0).")
    var format: ReportFormat = .text

    @Option(name: .long, help: ArgumentHelp("The baseline file (default: .journey-scan-baseline.json at the top of the repository).", valueName: "FILE"))
    var baseline: String?

    @Flag(name: .long, help: "Write the current findings to the baseline file, accepting them, and exit 0.")
    var writeBaseline = false

    @Flag(name: .long, help: "Ignore the baseline file: report every finding.")
    var noBaseline = false

    @Option(name: .long, help: ArgumentHelp("Skip files larger than this many megabytes, with a note.", valueName: "MB"))
    var maxFileSize: Int = 10

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Team rules and allowlists in the gitleaks format (default: .gitleaks.toml at the top of the repository, if present).", valueName: "FILE"))
    var config: String?

    @Flag(name: .long, help: "Read no team rules file, even if .gitleaks.toml exists.")
    var noConfig = false

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var keyOptions: KeyOptions

    func validate() throws {
        if [staged, all, history].filter({ $0 }).count > 1 { throw ValidationError("choose one of --staged, --all and --history") }
        if rev != nil && (staged || history) { throw ValidationError("--rev goes with --all") }
        if staged && !targets.isEmpty { throw ValidationError("--staged takes no paths: it scans the whole index") }
        if history && targets.count > 1 { throw ValidationError("--history takes one RANGE (A..B, or a revision)") }
        if rev != nil && !targets.isEmpty { throw ValidationError("--all --rev REV takes no paths") }
        if !(1...1_048_576).contains(maxFileSize) { throw ValidationError("--max-file-size must be 1 to 1048576 (megabytes)") }
        if writeBaseline && noBaseline { throw ValidationError("--write-baseline and --no-baseline contradict each other") }
        if config != nil && noConfig { throw ValidationError("--config and --no-config contradict each other") }
    }

    func run() throws {
        let currentFolder = FileManager.default.currentDirectoryPath
        let workspace = try locateWorkspace()
        let repository: Repository?
        // Inside a hook git names the index, git folder and object folders it means in
        // GIT_INDEX_FILE, GIT_DIR, …: `commit -a`, `commit PATH` and `--amend` use a temporary index.
        do {
            repository = try Repository.discover(
                containing: workspace?.root ?? currentFolder, honouring: ProcessInfo.processInfo.environment, currentDirectory: currentFolder)
        } catch {
            throw CommandError(description: "cannot open the git repository: \(error)")
        }
        let top = repository?.workingDirectory.map(Self.resolved)
        let team = noConfig ? nil : try Self.teamConfig(file: config, top: top ?? Self.resolved(currentFolder), currentFolder: currentFolder)
        let sources = Self.sources(
            workspace: workspace, prefix: Self.workspacePrefix(workspace: workspace, repositoryTop: top), keyFile: keyOptions.keyFile,
            maxFileSize: maxFileSize, team: team)

        var report: ScanReport
        do {
            report = try scan(with: sources, repository: repository, top: top, currentFolder: currentFolder)
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError(description: "\(error)")
        }

        let baselinePath =
            baseline.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            ?? (top ?? Self.resolved(currentFolder)) + "/" + Baseline.defaultFileName
        if writeBaseline {
            let accepted = Baseline(findings: report.findings)
            try AtomicFile.write(String(decoding: accepted.encoded(), as: UTF8.self), to: baselinePath)
            Output.note("wrote \(accepted.entries.count) finding\(accepted.entries.count == 1 ? "" : "s") to the baseline \(baselinePath)")
            return
        }
        if !noBaseline { try Self.applyBaseline(at: baselinePath, to: &report) }
        FileHandle.standardOutput.write(Data(Reporter.render(report, as: format, version: JourneyCommand.configuration.version).utf8))
        if !report.findings.isEmpty { throw ExitCode(1) }
    }

    private func scan(with sources: ScanSources, repository: Repository?, top: String?, currentFolder: String) throws -> ScanReport {
        if staged || history || rev != nil {
            guard let repository else {
                throw CommandError(description: "\(currentFolder) is not in a git repository; --staged, --history and --rev need one (scan files with --all)")
            }
            if staged {
                var report = ScanReport(mode: "staged")
                do { try sources.staged(repository, into: &report) } catch let error as GitError {
                    throw CommandError(
                        description: "cannot read what is staged: \(error.description); if the index is damaged, rebuild it with 'rm .git/index && git reset'")
                }
                return report
            }
            if let rev {
                var report = ScanReport(mode: "tree at \(rev)")
                if rev == "HEAD", repository.isHeadUnborn { Output.note("HEAD has no commits yet; nothing to scan") }
                try sources.tree(repository, revision: rev, into: &report)
                return report
            }
            var report = ScanReport(mode: "history")
            let showProgress = isatty(STDERR_FILENO) == 1
            let commits = try sources.history(
                repository, range: targets.first,
                progress: { count in
                    if showProgress && count % 100 == 0 { FileHandle.standardError.write(Data("\rjourney: scanned \(count) commits…".utf8)) }
                }, into: &report)
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            if commits == 0 { Output.note("no commits to scan") }
            report.mode = "history, \(commits) commit\(commits == 1 ? "" : "s")"
            return report
        }
        var report = ScanReport(mode: "all")
        let base = top ?? Self.resolved(currentFolder)
        let paths = targets.isEmpty ? [base] : targets.map { Self.resolved(URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: currentFolder)).path) }
        sources.folders(paths, base: base, repository: repository, into: &report)
        return report
    }

    /// The scanner for `workspace` (journey-aware rules under `prefix`, the values known
    /// locally, the team's rules), fed from any of its sources.
    static func sources(workspace: Workspace?, prefix: String?, keyFile: String?, maxFileSize: Int, team: TeamConfig?) -> ScanSources {
        // Built when the first file is scanned (nothing staged: never).
        ScanSources(
            scanner: LeakScanner(
                knownValues: KnownValues(
                    workspace.map { KnownValueSources.load(for: $0, keyFile: keyFile, maximumFileSize: maxFileSize * 1024 * 1024, note: Output.note) } ?? []),
                options: LeakScanner.Options(maxFileSize: maxFileSize * 1024 * 1024, workspacePrefix: prefix), team: team))
    }

    /// Drops the findings the baseline at `path` accepts (none when there is no such file).
    static func applyBaseline(at path: String, to report: inout ScanReport) throws {
        let loaded: Baseline?
        do { loaded = try Baseline.load(path) } catch { throw CommandError(description: error.description) }
        if let loaded {
            let filtered = loaded.filter(report.findings)
            report.findings = filtered.kept
            report.baselined = filtered.baselined
        }
    }

    /// The team's rules: `file` (`--config`, relative to `currentFolder`; it must exist), else
    /// the `.gitleaks.toml` at the repository's `top` when there is one. A config that cannot
    /// be used is an error, never a reason to scan without the team's rules. The one loader
    /// for `scan` and the hooks.
    static func teamConfig(file: String? = nil, top: String?, currentFolder: String = FileManager.default.currentDirectoryPath) throws -> TeamConfig? {
        let path: String
        if let file {
            path = URL(fileURLWithPath: file, relativeTo: URL(fileURLWithPath: currentFolder)).standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandError(description: "the config \(file) does not exist; fix: give the path of a .gitleaks.toml, or leave --config out")
            }
        } else {
            guard let top else { return nil }
            path = top + "/" + TeamConfig.defaultFileName
            guard FileManager.default.fileExists(atPath: path) else { return nil }
        }
        do { return try TeamConfig.load(path) } catch { throw CommandError(description: error.description) }
    }

    /// The workspace, when there is one: `--workspace` must hold one; otherwise the nearest
    /// above the current folder, or none (the scan then runs without journey-aware rules).
    func locateWorkspace() throws -> Workspace? {
        if workspaceOptions.workspace != nil { return try workspaceOptions.open() }
        do { return try workspaceOptions.open() } catch WorkspaceError.notFound { return nil }
    }

    /// The workspace root relative to the repository's top (`""` or `"ops/"`).
    static func workspacePrefix(workspace: Workspace?, repositoryTop: String?) -> String? {
        guard let workspace else { return nil }
        let root = resolved(workspace.root)
        guard let top = repositoryTop else { return "" }
        if root == top { return "" }
        return root.hasPrefix(top + "/") ? String(root.dropFirst(top.count + 1)) + "/" : nil
    }

    static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }
}
