import ArgumentParser
import Diagnostics
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

    /// What `generate` and `request` share: the recipient's name, where its private key is,
    /// and the line a key holder pastes to add it.
    struct NewKeyOptions: ParsableArguments {
        @Argument(help: "The recipient's name (a person or a runner): letters, digits, '.', '_', '-' and '@', starting with a letter or digit.")
        var name: String
        @Option(help: ArgumentHelp("The private key file (default: <key folder>/NAME.key).", valueName: "FILE"))
        var output: String?

        /// Refuses a name outside `RecipientName`'s rule before anything is written: the name
        /// becomes a file name and a word of a command line someone pastes.
        func checkName() throws {
            if let problem = RecipientName.problem(name) { throw CommandError(description: problem) }
        }

        var keyPath: String { output ?? KeySource.keyFolder() + "/" + name + ".key" }

        /// Writes `key` to `keyPath` (mode 0600, in a folder of mode 0700); an existing file
        /// there is never overwritten.
        func write(_ key: PrivateKey) throws {
            let folder = (keyPath as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try key.write(toFile: keyPath)
        }

        /// The line a key holder pastes to add `key` and let it open the secrets; each value
        /// in it is one shell word.
        func addLine(_ key: PublicKey, in workspace: Workspace?) -> String {
            let envFlag = workspace?.envFlag ?? ""
            return "journey keys add \(ShellWord.quoted(name)) \(ShellWord.quoted(key.text))\(envFlag) && journey secret rekey --all\(envFlag)"
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Create a key pair: the private key goes to the key folder, the public key into secrets/recipients.yaml.",
            discussion: """
                New and updated secrets are sealed for the new key; run 'journey secret
                rekey --all' with an existing key to let it open the secrets sealed before.
                An existing key file is never overwritten; a failure leaves recipients.yaml
                and the key folder as they were.

                Examples:
                  journey keys generate alice
                  journey keys generate ci-runner --output ./ci-runner.key
                """)

        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @OptionGroup var newKey: NewKeyOptions

        func run() throws {
            try newKey.checkName()
            let workspace = try workspaceOptions.open(environmentOptions)
            // recipients.yaml is read once, under its lock: a name or key already there is
            // refused before any key file exists. Then the key file, and only once it is
            // written, the recipient: a key file that cannot be written leaves recipients.yaml
            // as it was, and a recipient that cannot be added takes the new key file with it.
            let edit = try workspace.editRecipients()
            let key = PrivateKey.generate()
            try edit.checkNew(name: newKey.name, key: key.publicKey)
            try newKey.write(key)
            do {
                try edit.add(name: newKey.name, key: key.publicKey)
            } catch {
                unlink(newKey.keyPath)
                throw error
            }
            Output.line("Generated key \(key.id) for '\(newKey.name)'")
            Output.line("  private key: \(newKey.keyPath) (mode 0600; keep it out of git)")
            Output.line("  public key:  \(key.publicKey.text) (added to \(workspace.relative(workspace.recipientsPath)))")
            // A key added to a workspace that already holds secrets opens none of them until a
            // holder of an existing key re-wraps them: say what to send, and to whom.
            let secrets = (try? workspace.secretNames()) ?? []
            if !secrets.isEmpty {
                Output.line("")
                Output.line(
                    "This key opens none of the \(secrets.count) sealed secret\(secrets.count == 1 ? "" : "s") yet. Send this line to \(KeysCommand.holders(edit.recipients, excluding: newKey.name)):"
                )
                Output.line("  " + newKey.addLine(key.publicKey, in: workspace))
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
        @OptionGroup var newKey: NewKeyOptions

        func run() throws {
            try newKey.checkName()
            let key: PrivateKey
            if FileManager.default.fileExists(atPath: newKey.keyPath) {
                key = try PrivateKey.load(fromFile: newKey.keyPath)
                Output.note("using your existing key \(key.id) in \(newKey.keyPath)")
            } else {
                key = PrivateKey.generate()
                try newKey.write(key)
                Output.note("created key \(key.id); the private key is \(newKey.keyPath) (mode 0600; keep it, never send it)")
            }
            let workspace = try? workspaceOptions.open(environmentOptions)
            let recipients = workspace.flatMap { try? $0.recipients() }
            if let workspace, let listed = recipients?.first(where: { $0.key == key.publicKey }) {
                Output.note(
                    "this key is already a recipient ('\(listed.name)'); if a secret does not open, ask a key holder to run 'journey secret rekey --all\(workspace.envFlag)'"
                )
            }
            let holders = KeysCommand.holders(recipients ?? [], excluding: newKey.name)
            Output.line(newKey.addLine(key.publicKey, in: workspace))
            Output.note("send the line above to \(holders); they run it and commit, then you pull")
        }
    }

    /// Who can let a new key in: the recipients (other than `name`), named.
    static func holders(_ recipients: [Recipient], excluding name: String) -> String {
        let names = recipients.map(\.name).filter { $0 != name }
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
        @Argument(help: "The recipient's name: letters, digits, '.', '_', '-' and '@', starting with a letter or digit.") var name: String
        @Argument(help: "The public key text ('journey-pk1-…').") var publicKey: String

        func run() throws {
            if let problem = RecipientName.problem(name) { throw CommandError(description: problem) }
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
            // recipients.yaml and each sealed file are read once, under the recipients lock,
            // for both the check and the removal.
            let edit = try workspace.editRecipients()
            if !force { try refuseLosingAccess(edit) }
            let (removed, readable) = try edit.remove(name: name)
            Output.line("Removed '\(removed.name)' (key \(removed.id)). New and updated secrets are no longer sealed for it.")
            if readable.isEmpty {
                Output.line("No sealed secret was wrapped for that key.")
            } else {
                Output.line("That key could read these secrets; rotate each (journey secret update NAME\(workspace.envFlag)):")
                for name in readable { Output.line("  \(name)") }
            }
        }

        /// Removing your own key, or the only remaining recipient key of a secret, locks
        /// someone out: it needs --force, and the message says what becomes unreadable.
        private func refuseLosingAccess(_ edit: RecipientsEdit) throws {
            let recipients = edit.recipients
            guard let target = recipients.first(where: { $0.name == name }) else { return }
            let remaining = Set(recipients.filter { $0.name != name }.map(\.id))
            var onlyOpener: [String] = []
            for secret in try edit.secretNames() {
                let wraps = Set(try edit.sealedFile(secret).sealed.wraps.map(\.keyID))
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
