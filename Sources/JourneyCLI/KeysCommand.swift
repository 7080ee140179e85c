import ArgumentParser
import Foundation
import Sealing
import Workspace

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage key pairs and the recipients secrets are sealed for.",
        discussion: """
            Joining a team: run 'journey keys request YOUR-NAME' and send the line it
            prints to someone whose key opens the secrets; they paste it, run 'journey
            secret rekey --all' and commit. Leaving: 'journey keys remove NAME', then
            rotate what it could read.
            """,
        subcommands: [Generate.self, Request.self, Add.self, List.self, Remove.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Create a key pair: the private key goes to the key folder, the public key into secrets/recipients.yaml.",
            discussion: """
                New and updated secrets are sealed for the new key; run 'journey secret
                rekey --all' with an existing key to let it open the secrets sealed before.

                Examples:
                  journey keys generate alice
                  journey keys generate ci-runner --output ./ci-runner.key
                """)

        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @Argument(help: "The recipient's name (a person or a runner).") var name: String
        @Option(help: ArgumentHelp("Where to write the private key (default: <key folder>/NAME.key).", valueName: "FILE"))
        var output: String?

        func run() throws {
            let workspace = try workspaceOptions.open(environmentOptions)
            let key = PrivateKey.generate()
            let path = output ?? KeySource.keyFolder() + "/" + name + ".key"
            let folder = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            // Register first: a name clash must not leave an orphan key file behind.
            try workspace.addRecipient(name: name, key: key.publicKey)
            do {
                try key.write(toFile: path)
            } catch {
                _ = try? workspace.removeRecipient(name: name)
                throw error
            }
            Output.line("Generated key \(key.id) for '\(name)'")
            Output.line("  private key: \(path) (mode 0600; keep it out of git)")
            Output.line("  public key:  \(key.publicKey.text) (added to \(workspace.relative(workspace.recipientsPath)))")
            // A key added to a workspace that already holds secrets opens none of them until a
            // holder of an existing key re-wraps them: say what to send, and to whom.
            let secrets = (try? workspace.secretNames()) ?? []
            if !secrets.isEmpty {
                let holders = KeysCommand.holders(in: workspace, excluding: name)
                Output.line("")
                Output.line("This key opens none of the \(secrets.count) sealed secret\(secrets.count == 1 ? "" : "s") yet. Send this line to \(holders):")
                Output.line("  journey keys add \(name) \(key.publicKey.text)\(workspace.envFlag) && journey secret rekey --all\(workspace.envFlag)")
                Output.line("They run it and commit; then pull. (Commit your recipients.yaml change too: the merge keeps one entry.)")
            }
        }
    }

    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create your key pair to join a team, and print the line a key holder pastes to add you.",
            discussion: """
                The private key goes to the key folder (an existing one of that name is
                reused); recipients.yaml is left to the key holder, so nothing of yours
                conflicts with their change. Standard output is just that line, ready to
                send.

                Examples:
                  journey keys request bob
                  journey keys request ci-runner --output ./ci-runner.key
                """)

        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @Argument(help: "Your name as a recipient (a person or a runner).") var name: String
        @Option(help: ArgumentHelp("Where the private key is (default: <key folder>/NAME.key).", valueName: "FILE"))
        var output: String?

        func run() throws {
            guard !name.isEmpty, !name.contains(where: { $0.isNewline || $0 == " " || $0 == "'" }) else {
                throw CommandError(description: "a recipient name is one word without quotes; got '\(name)'")
            }
            let path = output ?? KeySource.keyFolder() + "/" + name + ".key"
            let key: PrivateKey
            if FileManager.default.fileExists(atPath: path) {
                key = try PrivateKey.load(fromFile: path)
                Output.note("using your existing key \(key.id) in \(path)")
            } else {
                key = PrivateKey.generate()
                let folder = (path as NSString).deletingLastPathComponent
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                try key.write(toFile: path)
                Output.note("created key \(key.id); the private key is \(path) (mode 0600; keep it, never send it)")
            }
            let workspace = try? workspaceOptions.open(environmentOptions)
            if let workspace, let listed = try? workspace.recipients().first(where: { $0.key == key.publicKey }) {
                Output.note(
                    "this key is already a recipient ('\(listed.name)'); if a secret does not open, ask a key holder to run 'journey secret rekey --all'")
            }
            let holders = workspace.map { KeysCommand.holders(in: $0, excluding: name) } ?? "someone whose key opens the secrets"
            let envFlag = workspace?.envFlag ?? ""
            Output.line("journey keys add \(name) \(key.publicKey.text)\(envFlag) && journey secret rekey --all\(envFlag)")
            Output.note("send the line above to \(holders); they run it and commit, then you pull")
        }
    }

    /// Who can let a new key in: the recipients (other than `name`), named.
    static func holders(in workspace: Workspace, excluding name: String) -> String {
        let names = ((try? workspace.recipients()) ?? []).map(\.name).filter { $0 != name }
        if names.isEmpty { return "someone whose key opens the secrets" }
        return "a key holder (\(names.map { "'\($0)'" }.joined(separator: ", ")))"
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add someone's public key as a recipient.",
            discussion: """
                Example:
                  journey keys add bob journey-pk1-…
                  journey secret rekey --all     # let bob open the existing secrets
                """)

        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @Argument(help: "The recipient's name.") var name: String
        @Argument(help: "The public key text ('journey-pk1-…').") var publicKey: String

        func run() throws {
            let workspace = try workspaceOptions.open(environmentOptions)
            let key = try PublicKey(text: publicKey)
            try workspace.addRecipient(name: name, key: key)
            Output.line("Added '\(name)' (key \(key.id)). Existing secrets are not sealed for it yet: run 'journey secret rekey --all\(workspace.envFlag)'.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the recipients.")
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @Flag(help: "Print JSON.") var json = false

        struct Entry: Encodable { var name, keyID, publicKey, added: String }

        func run() throws {
            let workspace = try workspaceOptions.open(environmentOptions)
            let entries = try workspace.recipients().map { Entry(name: $0.name, keyID: $0.id.hex, publicKey: $0.key.text, added: $0.added) }
            if json { return try Output.json(entries) }
            if entries.isEmpty { return Output.line("No recipients. Add one with 'journey keys generate NAME'.") }
            for entry in entries { Output.line("\(entry.name)\t\(entry.keyID)\t\(entry.added)\t\(entry.publicKey)") }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a recipient. Lists the secrets its key could read: rotate those.",
            discussion: """
                Removing a key does not make it forget what it could already open, so
                nothing is re-wrapped silently: rotate every listed secret with 'journey
                secret update NAME'.
                """)
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @Argument(help: "The recipient's name.", completion: NameCompletion.recipients) var name: String
        @Flag(help: "Remove it even when it is your own key or the last key that opens a secret.") var force = false

        func run() throws {
            let workspace = try workspaceOptions.open(environmentOptions)
            if !force { try refuseLosingAccess(workspace) }
            let (removed, readable) = try workspace.removeRecipient(name: name)
            Output.line("Removed '\(removed.name)' (key \(removed.id)). New and updated secrets are no longer sealed for it.")
            if readable.isEmpty {
                Output.line("No sealed secret was wrapped for that key.")
            } else {
                Output.line("That key could read these secrets; rotate each (journey secret update NAME):")
                for name in readable { Output.line("  \(name)") }
            }
        }

        /// Removing your own key, or the only remaining recipient key of a secret, locks
        /// someone out: it needs --force, and the message says what becomes unreadable.
        private func refuseLosingAccess(_ workspace: Workspace) throws {
            let recipients = try workspace.recipients()
            guard let target = recipients.first(where: { $0.name == name }) else { return }
            let remaining = Set(recipients.filter { $0.name != name }.map(\.id))
            var onlyOpener: [String] = []
            for secret in try workspace.secretNames() {
                let wraps = Set(try workspace.readSealed(secret).sealed.wraps.map(\.keyID))
                if wraps.contains(target.id) && wraps.isDisjoint(with: remaining) { onlyOpener.append(secret.rawValue) }
            }
            // Your own key locks you out only when you hold no other recipient's key.
            let held = KeysCommand.ownKeyIDs()
            let own = held.contains(target.id) && held.isDisjoint(with: remaining)
            guard own || !onlyOpener.isEmpty else { return }
            var reasons: [String] = []
            if own {
                reasons.append(
                    "it is your own key (its private key is in \(KeySource.keyFolder())) and you hold no other recipient's key: you could no longer open anything"
                )
            }
            if !onlyOpener.isEmpty {
                reasons.append(
                    "it is the last recipient key that opens \(onlyOpener.map { "'\($0)'" }.joined(separator: ", ")): once it is gone nobody left can rekey or read \(onlyOpener.count == 1 ? "that secret" : "those secrets")"
                )
            }
            throw CommandError(
                description:
                    "not removing '\(name)': \(reasons.joined(separator: "; and ")); add another key holder first ('journey keys add', then 'journey secret rekey --all'), or pass --force to remove it anyway"
            )
        }
    }

    /// The ids of the private keys this machine holds: the key folder and JOURNEY_KEY_FILE.
    static func ownKeyIDs() -> Set<KeyID> {
        let folder = KeySource.keyFolder()
        var paths = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".key") }.map { folder + "/" + $0 }
        if let file = ProcessInfo.processInfo.environment["JOURNEY_KEY_FILE"], !file.isEmpty { paths.append(file) }
        return Set(paths.compactMap { try? PrivateKey.load(fromFile: $0).id })
    }
}
