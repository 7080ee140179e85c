import ArgumentParser
import Foundation
import GitStore
import LeakScan
import Workspace

extension HookCommand {
    /// What the pre-push and pre-receive hooks run: the ref lines git passes on standard input
    /// name the commits a push brings; each blob they add is scanned once.
    struct CheckPush: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-push",
            abstract: "Scan the commits a push brings (run by the pre-push and pre-receive hooks).",
            discussion: """
                Reads the lines git gives the hook on standard input. --pre-push REMOTE:
                '<local ref> <local id> <remote ref> <remote id>'; the commits not yet on
                REMOTE are scanned. --pre-receive: '<old id> <new id> <ref>'; the commits no
                ref of the repository holds yet are scanned (git keeps them in quarantine
                until the hook accepts, which is read through GIT_OBJECT_DIRECTORY). Exit
                codes: 0 nothing found (the push goes on); 1 findings (it is refused).
                """)

        @Option(name: .customLong("pre-push"), help: ArgumentHelp("Check a push to this remote (git passes its name).", valueName: "REMOTE"))
        var remote: String?

        @Flag(name: .customLong("pre-receive"), help: "Check a push received by this (bare) repository.")
        var preReceive = false

        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var keyOptions: KeyOptions

        func validate() throws {
            if (remote == nil) == !preReceive { throw ValidationError("pass one of --pre-push REMOTE and --pre-receive") }
        }

        func run() throws {
            let current = FileManager.default.currentDirectoryPath
            let environment = ProcessInfo.processInfo.environment
            let workspace: Workspace? = preReceive ? nil : try? workspaceOptions.open()
            guard let repository = try Repository.discover(containing: workspace?.root ?? current, honouring: environment, currentDirectory: current) else {
                throw CommandError(description: "\(current) is not in a git repository")
            }
            let updates = PushUpdates(standardInput: FileHandle.standardInput.readDataToEndOfFile(), preReceive: preReceive)
            guard !updates.tips.isEmpty else { return }
            let top = repository.workingDirectory.map(ScanCommand.resolved)
            let prefix =
                workspace != nil
                ? ScanCommand.workspacePrefix(workspace: workspace, repositoryTop: top)
                : Self.workspacePrefix(inTreeOf: updates.tips[0], repository: repository)
            // The team's rules from the working tree; a bare server repository has none to read.
            let team = try ScanCommand.teamConfig(top: top)
            let sources = ScanCommand.sources(workspace: workspace, prefix: prefix, keyFile: keyOptions.keyFile, maxFileSize: 10, team: team)
            var report = ScanReport(mode: "pushed commits")
            let commits: Int
            do {
                commits = try sources.pushed(
                    repository, tips: updates.tips, hiddenCommits: updates.hidden,
                    hiddenRefGlobs: preReceive ? ["refs/*"] : ["refs/remotes/\(remote!)/*"], into: &report)
            } catch {
                throw CommandError(description: "cannot read the pushed commits: \(error)")
            }
            report.mode = "\(commits) pushed commit\(commits == 1 ? "" : "s")"
            if let top { try ScanCommand.applyBaseline(at: top + "/" + Baseline.defaultFileName, to: &report) }
            guard !report.findings.isEmpty else { return }
            // git shows the hook's standard error to the pusher (prefixed 'remote:' on a server).
            FileHandle.standardError.write(Data(Reporter.render(report, as: .text, version: JourneyCommand.configuration.version).utf8))
            let fix =
                preReceive
                ? "the push is refused: remove the value from those commits (rewrite them, e.g. 'git rebase -i'), make it a reference ('journey secret add'), and rotate the credential, since it left your machine"
                : "the push is stopped: remove the value from those commits (e.g. 'git rebase -i' or 'git commit --amend'), make it a reference, and push again; 'git push --no-verify' skips this check"
            Output.error(fix)
            throw ExitCode(1)
        }

        /// In a bare repository there is no workspace folder: the journey-aware rules apply
        /// under the shallowest folder of the pushed tree that holds `workspace.yaml`.
        static func workspacePrefix(inTreeOf tip: String, repository: Repository) -> String? {
            guard let blobs = try? repository.treeBlobs(at: tip) else { return nil }
            let folders = blobs.map(\.path).filter { $0 == Workspace.configFileName || $0.hasSuffix("/" + Workspace.configFileName) }
                .map { String($0.dropLast(Workspace.configFileName.count)) }
            return folders.min { $0.split(separator: "/").count < $1.split(separator: "/").count }
        }
    }

    /// The ref updates of a push, from the hook's standard input.
    struct PushUpdates {
        var tips: [String] = []
        var hidden: [String] = []

        init(standardInput: Data, preReceive: Bool) {
            let zero = String(repeating: "0", count: 40)
            for line in String(decoding: standardInput, as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: " ").map(String.init)
                guard fields.count >= 3 else { continue }
                // pre-push: local ref, local id, remote ref, remote id; pre-receive: old, new, ref.
                let (new, old) = preReceive ? (fields[1], fields[0]) : (fields[1], fields.count > 3 ? fields[3] : zero)
                if new != zero && !new.allSatisfy({ $0 == "0" }) { tips.append(new) }
                if !old.allSatisfy({ $0 == "0" }) { hidden.append(old) }
            }
        }
    }
}
