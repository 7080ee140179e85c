import ArgumentParser
import Diagnostics
import FoundationEssentials
import Sealing
import Workspace

struct SecretCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret",
        abstract: "Add, rotate, list and remove sealed secrets.",
        discussion: """
            Values are read from standard input, a no-echo prompt, or --from-file — never from an
            argument. From standard input one trailing newline is dropped (what 'echo' adds);
            --keep-newline keeps it. --from-file keeps every byte. Values are 1 byte to 64 KiB.
            """,
        subcommands: [Add.self, Update.self, List.self, Show.self, Remove.self, Rekey.self, Resolve.self])

    struct ValueOptions: ParsableArguments {
        @Option(help: ArgumentHelp("Read the value from this file, byte for byte.", valueName: "FILE"))
        var fromFile: String?
        @Flag(help: "Keep a trailing newline read from standard input.")
        var keepNewline = false
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Seal a new secret (needs only the public keys).",
            discussion: """
                Examples:
                  journey secret add payments-api-key --description "Payments sandbox key"
                  printf %s "$KEY" | journey secret add payments-api-key
                  journey secret add tls-cert --from-file ./cert.pem
                """)
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @Argument(help: "The secret's name: lowercase letters, digits, '.', '_', '-'.") var name: String
        @Option(help: "What the secret is for (stored in clear).") var description = ""
        @OptionGroup var valueOptions: ValueOptions

        func run() throws {
            let workspace = try workspaceOptions.open(environmentOptions)
            let secret = try SecretName(name)
            _ = try secret.checkedEnvironmentVariable(prefix: workspace.config.envPrefix)
            guard !workspace.hasSecret(secret) else { throw WorkspaceError.secretExists(name, path: workspace.relative(workspace.sealedPath(secret))) }
            let value = try ValueInput.read(secret: name, fromFile: valueOptions.fromFile, keepNewline: valueOptions.keepNewline)
            guard value.count > 0 else { throw CommandError(description: "the value for '\(name)' is empty; an empty secret is refused (nothing was written)") }
            let file = try workspace.addSecret(secret, value: value, description: description)
            Output.line(
                "Sealed '\(name)' version \(file.version) in \(workspace.relative(workspace.sealedPath(secret))) for \(SecretCommand.recipientList(file))")
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Rotate a secret: a new value, version + 1. Every journey gets it on its next run.",
            discussion: """
                Example:
                  journey secret update payments-api-key < new-key.txt
                """)
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @Argument(help: "The secret's name.", completion: NameCompletion.secrets) var name: String
        @Option(help: "A new description (default: keep the current one).") var description: String?
        @OptionGroup var valueOptions: ValueOptions

        func run() throws {
            let workspace = try workspaceOptions.open(environmentOptions)
            let secret = try SecretName(name)
            // The sealed file is read once and the value asked for only then, so a secret that
            // does not exist is named before anyone types a value; the lock is taken after the
            // value is in (see Workspace.updateSecret).
            let (previous, file) = try workspace.updateSecret(secret, description: description) { current in
                let value = try ValueInput.read(secret: name, fromFile: valueOptions.fromFile, keepNewline: valueOptions.keepNewline)
                guard value.count > 0 else {
                    throw CommandError(description: "the value for '\(name)' is empty; an empty secret is refused (version \(current.version) is unchanged)")
                }
                return value
            }
            Output.line("Rotated '\(name)': version \(previous.version) → \(file.version), sealed for \(SecretCommand.recipientList(file))")
        }
    }

    /// Who a file is sealed for, as `name (key id)`, in the file's order: printed by every
    /// command that seals, so a key hand-added to recipients.yaml is seen when it gets a value.
    static func recipientList(_ file: SealedFile) -> String {
        let names = file.sealed.wraps.map { label(file.recipientNames[$0.keyID], $0.keyID) }
        return "\(names.count) recipient\(names.count == 1 ? "" : "s"): \(names.joined(separator: ", "))"
    }

    static func label(_ name: String?, _ keyID: KeyID) -> String {
        "\(name.flatMap { $0.isEmpty ? nil : $0 } ?? "unnamed") (\(keyID))"
    }

    /// Keys a re-wrap gave the value to, and keys it took away, compared with the file before.
    static func recipientChanges(from before: SealedFile, to after: SealedFile) -> (added: [String], dropped: [String]) {
        let old = Set(before.sealed.wraps.map(\.keyID))
        let new = Set(after.sealed.wraps.map(\.keyID))
        let added = after.sealed.wraps.filter { !old.contains($0.keyID) }.map { label(after.recipientNames[$0.keyID], $0.keyID) }
        let dropped = before.sealed.wraps.filter { !new.contains($0.keyID) }.map { label(before.recipientNames[$0.keyID], $0.keyID) }
        return (added, dropped)
    }

    /// What `list` and `show` print: clear metadata only.
    struct Summary: Encodable {
        var name: String
        var description: String
        var version: Int
        var updated: String
        var recipients: [String]
        var usedBy: [String]
        /// Why the sealed file could not be read (`list` goes on with the others).
        var problem: String?
        /// Keys no longer recipients that could open this version: exposed until rotated.
        var exposedTo: [String] = []
    }

    /// One summary per name; with `continuing`, a file that cannot be read gives a summary
    /// holding the problem instead of stopping the whole list.
    static func summaries(_ workspace: Workspace, names: [SecretName], continuing: Bool = false) throws -> [Summary] {
        let uses = SecretUses.scan(workspace)
        let contents = try workspace.recipientsContents()
        let recipientNames = Dictionary(contents.recipients.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        return try names.map { name in
            let journeys = Set(uses.filter { $0.secret == name.rawValue }.map(\.journey)).sorted()
            let file: SealedFile
            do { file = try workspace.readSealed(name) } catch  where continuing {
                return Summary(
                    name: name.rawValue, description: "", version: 0, updated: "", recipients: [], usedBy: journeys, problem: String(describing: error))
            }
            let recipients = file.sealed.wraps.map { wrap in
                let label = recipientNames[wrap.keyID] ?? file.recipientNames[wrap.keyID].map { "\($0) (removed)" } ?? "unknown"
                return "\(label) [\(wrap.keyID)]"
            }
            return Summary(
                name: name.rawValue, description: file.description, version: file.version, updated: file.updated, recipients: recipients, usedBy: journeys,
                exposedTo: workspace.exposure(of: file, in: contents).map { label($0.name, $0.keyID) })
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List secrets: names, descriptions, versions, dates, which journeys use each. Never values.")
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let workspace = try workspaceOptions.open(environmentOptions)
            let summaries = try SecretCommand.summaries(workspace, names: workspace.secretNames(), continuing: true)
            let bad = summaries.filter { $0.problem != nil }
            defer { if !bad.isEmpty { Output.error("\(bad.count) sealed file\(bad.count == 1 ? "" : "s") could not be read (marked above)") } }
            if json {
                try Output.json(summaries)
                if !bad.isEmpty { throw ExitCode(2) }
                return
            }
            if summaries.isEmpty { return Output.line("No secrets yet. Add one with 'journey secret add NAME'.") }
            let width = summaries.map(\.name.count).max() ?? 0
            for summary in summaries {
                let padded = summary.name.padding(toLength: width, withPad: " ", startingAt: 0)
                let used = summary.usedBy.isEmpty ? "unused" : "used by " + summary.usedBy.joined(separator: ", ")
                if let problem = summary.problem {
                    Output.line("\(padded)  UNREADABLE  \(used)  \(problem)")
                    continue
                }
                let exposed = summary.exposedTo.isEmpty ? "" : "  EXPOSED to removed \(summary.exposedTo.joined(separator: ", ")): rotate it"
                Output.line("\(padded)  v\(summary.version)  \(summary.updated)  \(used)\(exposed)  \(summary.description)")
            }
            if !bad.isEmpty { throw ExitCode(2) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one secret's metadata and where it is used. Never the value.")
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @Argument(help: "The secret's name.", completion: NameCompletion.secrets) var name: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let workspace = try workspaceOptions.open(environmentOptions)
            let secret = try SecretName(name)
            guard let summary = try SecretCommand.summaries(workspace, names: [secret]).first else { return }
            if json { return try Output.json(summary) }
            Output.line("name:        \(summary.name)")
            Output.line("description: \(summary.description)")
            Output.line("version:     \(summary.version)")
            Output.line("updated:     \(summary.updated)")
            Output.line("variable:    \(secret.environmentVariable(prefix: workspace.config.envPrefix))")
            Output.line("sealed for:  \(summary.recipients.joined(separator: ", "))")
            Output.line("used by:     \(summary.usedBy.isEmpty ? "no journey" : summary.usedBy.joined(separator: ", "))")
            if !summary.exposedTo.isEmpty {
                Output.line(
                    "exposed:     removed key(s) \(summary.exposedTo.joined(separator: ", ")) could open this version; rotate it with 'journey secret update \(ShellWord.quoted(name))\(workspace.envFlag)'"
                )
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove a secret; refused while a journey references it, unless --force.")
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @Argument(help: "The secret's name.", completion: NameCompletion.secrets) var name: String
        @Flag(help: "Remove it even though journeys reference it.") var force = false

        func run() throws {
            let workspace = try workspaceOptions.open(environmentOptions)
            let secret = try SecretName(name)
            let users = SecretUses.scan(workspace).filter { $0.secret == name }
            if !users.isEmpty && !force {
                throw WorkspaceError.secretInUse(name, journeys: users.map { "\($0.journey) (\($0.location))" })
            }
            try workspace.removeSecret(secret)
            Output.line("Removed '\(name)'.\(users.isEmpty ? "" : " Journeys still referencing it will fail until it is added again.")")
        }
    }

    struct Rekey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rekey",
            abstract: "Re-wrap data keys for the current recipients (needs a key that opens them).",
            discussion: """
                The ciphertext and version stay; only the recipients block changes. Use it after
                'journey keys add'. After 'journey keys remove', rotate instead ('secret update').

                Examples:
                  journey secret rekey --all
                  journey secret rekey payments-api-key --key-file ~/.config/journey/keys/alice.key
                """)
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @OptionGroup var keyOptions: KeyOptions
        @Argument(help: "The secrets to re-wrap.", completion: NameCompletion.secrets) var names: [String] = []
        @Flag(help: "Re-wrap every secret.") var all = false

        func validate() throws {
            if all == !names.isEmpty { throw ValidationError("name the secrets to re-wrap, or pass --all (not both)") }
        }

        func run() throws {
            let workspace = try workspaceOptions.open(environmentOptions)
            // recipients.yaml is read once (under its lock) for the key lookup and every
            // re-wrap; each sealed file once.
            let edit = try workspace.editRecipients()
            let key = try KeySource.load(keyFile: keyOptions.keyFile, recipients: edit.recipients)
            let targets = all ? try edit.secretNames() : try names.map { try SecretName($0) }
            var failures = 0
            for (name, outcome) in edit.rekey(targets, with: key) {
                switch outcome {
                case .success(let rewrap):
                    Output.line("Re-wrapped '\(name)' (version \(rewrap.after.version)) for \(SecretCommand.recipientList(rewrap.after))")
                    let (added, dropped) = SecretCommand.recipientChanges(from: rewrap.before, to: rewrap.after)
                    if !added.isEmpty { Output.line("  added:   \(added.joined(separator: ", "))") }
                    if !dropped.isEmpty {
                        Output.line(
                            "  dropped: \(dropped.joined(separator: ", ")) (they can still open this version: rotate with 'journey secret update \(ShellWord.quoted(name.rawValue))\(workspace.envFlag)')"
                        )
                    }
                case .failure(let error):
                    failures += 1
                    Output.error("\(error)")
                }
            }
            if failures > 0 { throw ExitCode(2) }
        }
    }
}
