import ArgumentParser
import Diagnostics
import FileIO
import Foundation
import Sealing
import Workspace

/// The `journey` command: a declaration of its subcommands, one file per group.
package struct JourneyCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "journey",
        abstract: "Journeys in git, credentials sealed beside them.",
        discussion: """
            Exit codes: 0 ok; 1 findings or a failed journey; 2 usage or bad input.

            Examples:
              journey init
              journey keys generate alice
              journey secret add payments-api-key < key.txt
              journey exec --secret payments-api-key -- ./deploy.sh
            """,
        version: "0.1.0",
        subcommands: JourneyCommand.subcommandList
    )

    package init() {}

    /// Every subcommand; a new group adds itself here.
    static let subcommandList: [ParsableCommand.Type] = [
        InitCommand.self, KeysCommand.self, SecretCommand.self, EnvCommand.self, ExecCommand.self,
        CheckCommand.self, ResolveCommand.self, RunCommand.self,
        ScanCommand.self, HookCommand.self,
        RunnerCommand.self,
        UICommand.self, SchemaCommand.self,
    ]

    /// Runs the command line and exits with its code.
    package static func main(arguments: [String]? = nil) -> Never {
        Foundation.exit(execute(arguments))
    }

    /// Runs the command line and returns the exit code: 0 ok, 1 findings or a failed journey,
    /// 2 usage or bad input (with the message on stderr).
    package static func execute(_ arguments: [String]? = nil) -> Int32 {
        // First of all, before anything copies the environment into Strings that are never
        // wiped (`ProcessInfo.processInfo.environment`): JOURNEY_KEY's text into wiped memory,
        // and out of the environment every child inherits.
        KeySource.takeKeyTextFromEnvironment()
        // Most commands hold a value or a key at some point: no core dump, no ptrace by other
        // processes of the user, no /proc/PID/environ reads, from the start. (The runner checks
        // this again and refuses to go on without it.)
        try? ProcessHardening.makeNonDumpable()
        // `--version` answers before the parser builds its command tree: that walk looks up
        // protocol conformances at run time and is most of a start-up's work.
        if (arguments ?? Array(CommandLine.arguments.dropFirst())) == ["--version"] {
            print(configuration.version)
            return 0
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let error as ExitCode {
            return error.rawValue
        } catch let error as UserFacingError {
            // Every module's error type says its message, fix and exit code itself.
            Output.error(error.description)
            return error.exitCode
        } catch {
            // The parser's own errors, help and version: its message; usage errors exit 2.
            let message = fullMessage(for: error)
            let code = exitCode(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                return 0
            }
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            return 2
        }
    }
}

/// Options every workspace command takes.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The workspace folder (default: the nearest folder above holding workspace.yaml).", valueName: "DIR"))
    var workspace: String?

    func open() throws -> Workspace {
        if let workspace { return try Workspace(root: URL(fileURLWithPath: workspace).standardizedFileURL.path) }
        return try Workspace.locate(startingAt: FileManager.default.currentDirectoryPath)
    }
}

/// `--env ENV` (else `JOURNEY_ENV`): the environment whose secrets and keys a command reads
/// and writes. Required when the workspace lists environments.
struct EnvironmentOptions: ParsableArguments {
    static let variable = "JOURNEY_ENV"

    @Option(
        name: .customLong("env"),
        help: ArgumentHelp("The environment (else JOURNEY_ENV); required when workspace.yaml lists environments.", valueName: "ENV"),
        completion: NameCompletion.environments)
    var env: String?

    /// `--env`, else a non-empty `JOURNEY_ENV`.
    var chosen: String? {
        if let env { return env }
        let fromEnvironment = ProcessInfo.processInfo.environment[Self.variable] ?? ""
        return fromEnvironment.isEmpty ? nil : fromEnvironment
    }
}

extension WorkspaceOptions {
    /// Opens the workspace and selects the chosen environment's store. Unless `required` is
    /// false, a workspace with environments needs one chosen (the error lists them).
    func open(_ environment: EnvironmentOptions, required: Bool = true) throws -> Workspace {
        let workspace = try open()
        guard let name = environment.chosen else {
            if required { try workspace.requireEnvironmentChosen() }
            return workspace
        }
        return try workspace.selecting(EnvironmentName(name))
    }
}

/// Where the private key comes from, for commands that open values.
struct KeyOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("Private key file (else JOURNEY_KEY_FILE, JOURNEY_KEY, or a recipient's key in the key folder).", valueName: "FILE"))
    var keyFile: String?
}

/// An error the CLI reports itself, with its exit code.
struct CommandError: UserFacingError {
    var message: String
    var fix: String?
    var exitCode: Int32 = ExitStatus.badInput

    init(description: String, fix: String? = nil, exitCode: Int32 = ExitStatus.badInput) {
        message = description
        self.fix = fix
        self.exitCode = exitCode
    }
}

/// Messages to the terminal. Nothing passed here may hold a value.
/// Human output. Names, descriptions, labels, paths and messages in it come from files no one
/// authenticated, so control characters are shown escaped (`TerminalText`), never sent raw.
enum Output {
    static func line(_ text: String = "") { print(TerminalText.escaped(text, keepingLines: true)) }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data("journey: error: \(TerminalText.escaped(text, keepingLines: true))\n".utf8))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data("journey: \(TerminalText.escaped(text, keepingLines: true))\n".utf8))
    }

    /// Prints `value` as pretty, key-sorted JSON.
    static func json<Value: Encodable>(_ value: Value) throws {
        print(String(decoding: try JSONText.encode(value), as: UTF8.self), terminator: "")
    }
}

/// Shell completion of names from the workspace around the current folder.
enum NameCompletion {
    static let secrets = CompletionKind.custom { words, _, prefix in
        let names = (try? store(words).secretNames()) ?? []
        return names.map(\.rawValue).filter { $0.hasPrefix(prefix) }
    }

    static let recipients = CompletionKind.custom { words, _, prefix in
        let names = (try? store(words).recipients()) ?? []
        return names.map(\.name).filter { $0.hasPrefix(prefix) }
    }

    static let environments = CompletionKind.custom { _, _, prefix in
        let names = (try? Workspace.locate(startingAt: FileManager.default.currentDirectoryPath).config.environments) ?? []
        return names.map(\.rawValue).filter { $0.hasPrefix(prefix) }
    }

    /// The store the command line being completed names: `--env ENV` among its words, else
    /// `JOURNEY_ENV`, else the flat one.
    static func store(_ words: [String]) throws -> Workspace {
        let workspace = try Workspace.locate(startingAt: FileManager.default.currentDirectoryPath)
        var chosen = ProcessInfo.processInfo.environment[EnvironmentOptions.variable].flatMap { $0.isEmpty ? nil : $0 }
        for (index, word) in words.enumerated() {
            if word == "--env", index + 1 < words.count { chosen = words[index + 1] }
            if word.hasPrefix("--env=") { chosen = String(word.dropFirst("--env=".count)) }
        }
        return try workspace.selecting(chosen.map { try EnvironmentName($0) })
    }
}
