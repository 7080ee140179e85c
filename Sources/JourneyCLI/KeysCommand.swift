import ArgumentParser
import Foundation
import Sealing
import Workspace

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage key pairs and the recipients secrets are sealed for.",
        subcommands: [Generate.self, Add.self, List.self, Remove.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Create a key pair: the private key goes to the key folder, the public key into secrets/recipients.yaml.",
            discussion: """
                New and updated secrets are sealed for the new key; run 'journey secret rekey --all'
                with an existing key to let it open the secrets sealed before.

                Examples:
                  journey keys generate alice
                  journey keys generate ci-runner --output ./ci-runner.key
                """)

        @OptionGroup var workspaceOptions: WorkspaceOptions
        @Argument(help: "The recipient's name (a person or a runner).") var name: String
        @Option(help: ArgumentHelp("Where to write the private key (default: <key folder>/NAME.key).", valueName: "FILE"))
        var output: String?

        func run() throws {
            let workspace = try workspaceOptions.open()
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
        }
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
        @Argument(help: "The recipient's name.") var name: String
        @Argument(help: "The public key text ('journey-pk1-…').") var publicKey: String

        func run() throws {
            let workspace = try workspaceOptions.open()
            let key = try PublicKey(text: publicKey)
            try workspace.addRecipient(name: name, key: key)
            Output.line("Added '\(name)' (key \(key.id)). Existing secrets are not sealed for it yet: run 'journey secret rekey --all'.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the recipients.")
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @Flag(help: "Print JSON.") var json = false

        struct Entry: Encodable { var name, keyID, publicKey, added: String }

        func run() throws {
            let workspace = try workspaceOptions.open()
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
                Removing a key does not make it forget what it could already open, so nothing is
                re-wrapped silently: rotate every listed secret with 'journey secret update NAME'.
                """)
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @Argument(help: "The recipient's name.", completion: NameCompletion.recipients) var name: String

        func run() throws {
            let workspace = try workspaceOptions.open()
            let (removed, readable) = try workspace.removeRecipient(name: name)
            Output.line("Removed '\(removed.name)' (key \(removed.id)). New and updated secrets are no longer sealed for it.")
            if readable.isEmpty {
                Output.line("No sealed secret was wrapped for that key.")
            } else {
                Output.line("That key could read these secrets; rotate each (journey secret update NAME):")
                for name in readable { Output.line("  \(name)") }
            }
        }
    }
}
