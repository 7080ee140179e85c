import ArgumentParser
import Foundation
import GitStore
import Workspace

/// `journey hook install|uninstall`: the git pre-commit hook that runs `journey scan --staged`.
struct HookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Install or remove the pre-commit hook that blocks leaks.",
        discussion: """
            The hook runs 'journey scan --staged' before every commit and blocks
            the commit on a finding. It goes in the folder git runs hooks from
            (core.hooksPath when set). An existing pre-commit hook is kept as
            pre-commit.journey-chained and runs first; uninstall puts it back.

            Examples:
              journey hook install
              journey hook uninstall
            """,
        subcommands: [Install.self, Uninstall.self])

    /// The line that marks a hook as ours.
    static let marker = "# journey-pre-commit-hook v1"
    static let chainedName = "pre-commit.journey-chained"

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "install", abstract: "Install the pre-commit hook (idempotent).")

        @OptionGroup var workspaceOptions: WorkspaceOptions

        func run() throws {
            let (repository, hooks) = try HookCommand.hooksFolder(workspaceOptions)
            let hook = hooks + "/pre-commit"
            let chained = hooks + "/" + HookCommand.chainedName
            try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
            if FileManager.default.fileExists(atPath: hook), !HookCommand.isOurs(hook) {
                guard !FileManager.default.fileExists(atPath: chained) else {
                    throw CommandError(
                        description: "\(hook) is another tool's hook and \(chained) already exists; merge them by hand, then run 'journey hook install' again")
                }
                guard rename(hook, chained) == 0 else {
                    throw CommandError(description: "cannot keep the existing hook as \(chained): \(String(cString: strerror(errno)))")
                }
                Output.note("kept the existing pre-commit hook as \(chained); it runs before the leak check")
            }
            let script = HookCommand.script(
                journey: HookCommand.executablePath(), workspace: HookCommand.workspaceArgument(workspaceOptions, repository: repository))
            try AtomicFile.write(script, to: hook, mode: 0o755)
            Output.line("Installed the journey pre-commit hook in \(hook).")
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "uninstall", abstract: "Remove the pre-commit hook and restore the one it chained.")

        @OptionGroup var workspaceOptions: WorkspaceOptions

        func run() throws {
            let (_, hooks) = try HookCommand.hooksFolder(workspaceOptions)
            let hook = hooks + "/pre-commit"
            let chained = hooks + "/" + HookCommand.chainedName
            guard FileManager.default.fileExists(atPath: hook), HookCommand.isOurs(hook) else {
                Output.line("No journey pre-commit hook in \(hooks); nothing to remove.")
                return
            }
            guard unlink(hook) == 0 else { throw CommandError(description: "cannot remove \(hook): \(String(cString: strerror(errno)))") }
            if FileManager.default.fileExists(atPath: chained) {
                guard rename(chained, hook) == 0 else {
                    throw CommandError(description: "removed the journey hook but cannot restore \(chained) as \(hook): \(String(cString: strerror(errno)))")
                }
                Output.line("Removed the journey pre-commit hook and restored the previous one.")
            } else {
                Output.line("Removed the journey pre-commit hook.")
            }
        }
    }

    static func hooksFolder(_ options: WorkspaceOptions) throws -> (Repository, String) {
        let start = options.workspace.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? FileManager.default.currentDirectoryPath
        guard let repository = try Repository.discover(containing: start) else {
            throw CommandError(description: "\(start) is not in a git repository; run 'git init' first")
        }
        return (repository, try repository.hooksDirectory())
    }

    static func isOurs(_ hook: String) -> Bool {
        (try? String(contentsOfFile: hook, encoding: .utf8))?.contains(marker) ?? false
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

    static func script(journey: String, workspace: String?) -> String {
        let workspaceOption = workspace.map { " --workspace \"$(git rev-parse --show-toplevel)\"/\(quoted($0))" } ?? ""
        return """
            #!/bin/sh
            \(marker)
            # Blocks a commit that would put a plaintext credential into the repository, by
            # scanning what is staged. Installed by 'journey hook install'; remove it with
            # 'journey hook uninstall'. To commit a finding on purpose, add 'journey:allow' in a
            # comment on its line, or record it with 'journey scan --all --write-baseline'.
            hooks_dir=$(dirname -- "$0")
            if [ -x "$hooks_dir/\(chainedName)" ]; then
                "$hooks_dir/\(chainedName)" "$@" || exit $?
            fi
            journey=\(quoted(journey))
            if [ ! -x "$journey" ]; then
                journey=$(command -v journey) || {
                    echo "journey pre-commit hook: journey is not at $journey nor on PATH; reinstall it, or remove this hook with 'journey hook uninstall'" >&2
                    exit 2
                }
            fi
            exec "$journey" scan --staged\(workspaceOption)

            """
    }
}
