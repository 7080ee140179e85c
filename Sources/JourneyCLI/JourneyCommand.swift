import ArgumentParser
import Foundation
import Runner
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
        InitCommand.self, KeysCommand.self, SecretCommand.self, ExecCommand.self,
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
        // Most commands hold a value or a key at some point: no core dump, no ptrace by other
        // processes of the user, no /proc/PID/environ reads, from the start. (The runner checks
        // this again and refuses to go on without it.)
        try? ProcessHardening.makeNonDumpable()
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let error as ExitCode {
            return error.rawValue
        } catch let error as CommandError {
            Output.error(error.description)
            return error.exitCode
        } catch {
            if isOwnError(error) {
                Output.error(String(describing: error))
                return 2
            }
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

    /// Errors of this project's modules carry a message written for users.
    private static func isOwnError(_ error: Error) -> Bool {
        let module = String(reflecting: type(of: error))
        return ["Workspace.", "Sealing.", "GitStore.", "Run.", "JourneyCLI.", "AdminUI."].contains(where: module.hasPrefix)
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

/// Where the private key comes from, for commands that open values.
struct KeyOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("Private key file (else JOURNEY_KEY_FILE, JOURNEY_KEY, or a recipient's key in the key folder).", valueName: "FILE"))
    var keyFile: String?
}

/// An error the CLI reports itself, with its exit code.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32 = 2
}

/// Messages to the terminal. Nothing passed here may hold a value.
enum Output {
    static func line(_ text: String = "") { print(text) }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data("journey: error: \(text)\n".utf8))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data("journey: \(text)\n".utf8))
    }

    /// Prints `value` as pretty, key-sorted JSON.
    static func json<Value: Encodable>(_ value: Value) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// Shell completion of names from the workspace around the current folder.
enum NameCompletion {
    static let secrets = CompletionKind.custom { _, _, prefix in
        let names = (try? Workspace.locate(startingAt: FileManager.default.currentDirectoryPath).secretNames()) ?? []
        return names.map(\.rawValue).filter { $0.hasPrefix(prefix) }
    }

    static let recipients = CompletionKind.custom { _, _, prefix in
        let names = (try? Workspace.locate(startingAt: FileManager.default.currentDirectoryPath).recipients()) ?? []
        return names.map(\.name).filter { $0.hasPrefix(prefix) }
    }
}
