import ArgumentParser
import FileIO
import Foundation
import GitStore
import LeakScan
import Workspace

/// `journey hook install|uninstall|check-push|merge-file`: the git hooks that block leaks
/// however a commit is made, merged or pushed, and the merge driver for sealed files.
struct HookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Install the git hooks that block leaks, and the merge driver for sealed files.",
        discussion: """
            'install' puts 'journey scan --staged' in the pre-commit and
            pre-merge-commit hooks, so every form of commit is checked: 'commit -a',
            'commit PATH', '--amend' (git's temporary index is read) and merge commits.
            Hooks go where git runs them: core.hooksPath when set, else the repository's
            common git folder, which linked worktrees share. An existing hook is kept as
            NAME.journey-chained and runs first; uninstall puts it back.

            --pre-push adds a pre-push hook that scans the commits being pushed.
            --pre-receive, in a bare repository on a git server, rejects a push whose
            new commits hold a leak, with the findings in the pusher's output.

            'install' also registers the journey merge driver for secrets/*.sealed and
            secrets/recipients.yaml (.gitattributes beside workspace.yaml, and the
            repository's git config): see 'journey secret resolve'.

            Examples:
              journey hook install
              journey hook install --pre-push
              journey hook install --pre-receive      # in a bare repository
              journey hook uninstall
            """,
        subcommands: [Install.self, Uninstall.self, CheckPush.self, MergeFile.self])

    /// The line that marks a hook as ours.
    static let marker = "# journey-hook v2"
    /// Markers of hooks earlier versions wrote.
    static let formerMarkers = ["# journey-pre-commit-hook v1"]
    static let chainedSuffix = ".journey-chained"

    /// The hooks `install` writes, by what the user asked for.
    enum Hook: String, CaseIterable {
        case preCommit = "pre-commit"
        case preMergeCommit = "pre-merge-commit"
        case prePush = "pre-push"
        case preReceive = "pre-receive"

        /// Whether git feeds the hook ref lines on standard input (which a chained hook must see too).
        var readsStandardInput: Bool { self == .prePush || self == .preReceive }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install", abstract: "Install the leak-check hooks and the sealed-file merge driver (idempotent).")

        @OptionGroup var workspaceOptions: WorkspaceOptions

        @Flag(help: "Also install a pre-push hook that scans the commits being pushed.")
        var prePush = false

        @Flag(help: "Install the server-side pre-receive hook (in a bare repository): reject pushes holding a leak.")
        var preReceive = false

        func run() throws {
            let (repository, hooks) = try HookCommand.hooksFolder(workspaceOptions)
            if repository.isBare && !preReceive {
                throw CommandError(
                    description:
                        "\(repository.gitDirectory) is a bare repository: nobody commits there; install the server-side check with 'journey hook install --pre-receive'"
                )
            }
            if (try? repository.isConfiguredOutsideRepository("core.hooksPath")) == true {
                Output.note(
                    "warning: core.hooksPath comes from your global git config, so \(hooks) holds the hooks of every repository you use: the leak check will run for all of them; to guard only this one, set it here ('git config --local core.hooksPath .git/hooks') and install again"
                )
            }
            var wanted: [Hook] = repository.isBare ? [] : [.preCommit, .preMergeCommit]
            if prePush { wanted.append(.prePush) }
            if preReceive { wanted.append(.preReceive) }
            let workspace = repository.isBare ? nil : HookCommand.workspaceArgument(workspaceOptions, repository: repository)
            try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
            for hook in wanted {
                try HookCommand.install(hook, in: hooks, workspace: workspace)
            }
            Output.line("Installed the journey \(wanted.map(\.rawValue).joined(separator: ", ")) hook\(wanted.count == 1 ? "" : "s") in \(hooks).")
            if !repository.isBare, let opened = try? workspaceOptions.open() {
                try MergeDriver.register(workspace: opened, repository: repository)
                Output.line("Registered the journey merge driver for secrets/*.sealed and secrets/recipients.yaml (commit .gitattributes).")
            }
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "uninstall", abstract: "Remove the journey hooks and restore the ones they chained.")

        @OptionGroup var workspaceOptions: WorkspaceOptions

        func run() throws {
            let (_, hooks) = try HookCommand.hooksFolder(workspaceOptions)
            var removed: [String] = []
            for hook in Hook.allCases {
                let path = hooks + "/" + hook.rawValue
                guard FileManager.default.fileExists(atPath: path), HookCommand.isOurs(path) else { continue }
                guard unlink(path) == 0 else { throw CommandError(description: "cannot remove \(path): \(String(cString: strerror(errno)))") }
                let chained = path + HookCommand.chainedSuffix
                if FileManager.default.fileExists(atPath: chained) {
                    guard rename(chained, path) == 0 else {
                        throw CommandError(
                            description: "removed the journey hook but cannot restore \(chained) as \(path): \(String(cString: strerror(errno)))")
                    }
                    removed.append(hook.rawValue + " (restored the previous one)")
                } else {
                    removed.append(hook.rawValue)
                }
            }
            if removed.isEmpty { return Output.line("No journey hook in \(hooks); nothing to remove.") }
            Output.line("Removed the journey hooks from \(hooks): \(removed.joined(separator: ", ")).")
        }
    }

    /// Writes `hook` into `hooks`, keeping another tool's hook of that name as the chained one.
    static func install(_ hook: Hook, in hooks: String, workspace: String?) throws {
        let path = hooks + "/" + hook.rawValue
        let chained = path + chainedSuffix
        if FileManager.default.fileExists(atPath: path), !isOurs(path) {
            guard !FileManager.default.fileExists(atPath: chained) else {
                throw CommandError(
                    description: "\(path) is another tool's hook and \(chained) already exists; merge them by hand, then run 'journey hook install' again")
            }
            guard rename(path, chained) == 0 else {
                throw CommandError(description: "cannot keep the existing hook as \(chained): \(String(cString: strerror(errno)))")
            }
            Output.note("kept the existing \(hook.rawValue) hook as \(chained); it runs before the leak check")
        }
        try AtomicFile.write(script(hook, journey: executablePath(), workspace: workspace), to: path, mode: 0o755)
    }

    static func hooksFolder(_ options: WorkspaceOptions) throws -> (Repository, String) {
        let current = FileManager.default.currentDirectoryPath
        let start = options.workspace.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? current
        guard let repository = try Repository.discover(containing: start, honouring: ProcessInfo.processInfo.environment, currentDirectory: current) else {
            throw CommandError(description: "\(start) is not in a git repository; run 'git init' first")
        }
        return (repository, try repository.hooksDirectory())
    }

    static func isOurs(_ hook: String) -> Bool {
        guard let text = try? String(contentsOfFile: hook, encoding: .utf8) else { return false }
        return ([marker] + formerMarkers).contains(where: text.contains)
    }

    /// This executable's absolute path (`/proc/self/exe` on Linux), so the hook does not depend
    /// on PATH; the hook falls back to PATH when the binary has moved.
    static func executablePath() -> String {
        if let real = realpath("/proc/self/exe", nil) {
            defer { free(real) }
            return String(cString: real)
        }
        let argument = CommandLine.arguments[0]
        if argument.contains("/") { return URL(fileURLWithPath: argument).standardizedFileURL.path }
        return argument
    }

    /// `--workspace` relative to the repository top, when the workspace is a sub-folder.
    static func workspaceArgument(_ options: WorkspaceOptions, repository: Repository) -> String? {
        guard let workspace = try? options.open(), let top = repository.workingDirectory.map(ScanCommand.resolved) else { return nil }
        let root = ScanCommand.resolved(workspace.root)
        guard root.hasPrefix(top + "/") else { return nil }
        return String(root.dropFirst(top.count + 1))
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    static func script(_ hook: Hook, journey: String, workspace: String?) -> String {
        let workspaceOption = workspace.map { " --workspace \"$(git rev-parse --show-toplevel)\"/\(quoted($0))" } ?? ""
        let check: String
        let purpose: String
        switch hook {
        case .preCommit, .preMergeCommit:
            purpose = "scanning what the commit will hold (git's index, or the temporary one GIT_INDEX_FILE names)"
            check = "scan --staged" + workspaceOption
        case .prePush:
            purpose = "scanning the commits being pushed"
            check = "hook check-push --pre-push \"$1\"" + workspaceOption
        case .preReceive:
            purpose = "rejecting a push whose new commits hold one (server side)"
            check = "hook check-push --pre-receive"
        }
        let chainedName = hook.rawValue + chainedSuffix
        // Hooks fed on stdin keep the ref lines, so the chained hook and the check both read them.
        let runChained =
            hook.readsStandardInput
            ? """
            input=$(cat)
            if [ -x "$hooks_dir/\(chainedName)" ]; then
                printf '%s\\n' "$input" | "$hooks_dir/\(chainedName)" "$@" || exit $?
            fi
            """
            : """
            if [ -x "$hooks_dir/\(chainedName)" ]; then
                "$hooks_dir/\(chainedName)" "$@" || exit $?
            fi
            """
        let runCheck = hook.readsStandardInput ? "printf '%s\\n' \"$input\" | \"$journey\" \(check)" : "exec \"$journey\" \(check)"
        return """
            #!/bin/sh
            \(marker) \(hook.rawValue)
            # Blocks a plaintext credential from reaching git, \(purpose).
            # Installed by 'journey hook install'; remove it with 'journey hook uninstall'. To commit
            # a finding on purpose, add 'journey:allow' in a comment on its line, or record it with
            # 'journey scan --all --write-baseline'.
            hooks_dir=$(dirname -- "$0")
            \(runChained)
            journey=\(quoted(journey))
            if [ ! -x "$journey" ]; then
                journey=$(command -v journey) || {
                    echo "journey \(hook.rawValue) hook: journey is not at $journey nor on PATH; reinstall it, or remove this hook with 'journey hook uninstall'" >&2
                    exit 2
                }
            fi
            \(runCheck)

            """
    }
}
