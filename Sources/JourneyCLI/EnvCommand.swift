import ArgumentParser
import Diagnostics
import Foundation
import GitStore
import Sealing
import Workspace

/// `journey env`: the environments of a workspace (DESIGN §9).
struct EnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Add and list environments: one sealed store, with its own recipients, per environment.",
        discussion: """
            A workspace with environments keeps each one's secrets in secrets/ENV/ with its
            own recipients.yaml; journeys still name 'payments-api-key', and the environment
            is chosen at run time with --env ENV or JOURNEY_ENV. A value sealed for one
            environment never opens in another.
            """,
        subcommands: [Add.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an environment: secrets/NAME/ and its name in workspace.yaml.",
            discussion: """
                The new environment starts with no recipients: add its readers with 'journey
                keys generate NAME --env ENV' or 'journey keys add NAME PUBKEY --env ENV'.

                --move-default moves the flat layout's secrets and recipients.yaml into the
                new environment: every value is opened with your key and sealed again for the
                environment (same version). It is all or nothing: when a value does not open,
                nothing changes. Adding the first environment while flat secrets exist needs
                --move-default (or removing them first), since no environment reads the flat
                store.

                Exit codes: 0 created; 2 bad input (nothing changed).

                Examples:
                  journey env add staging --move-default
                  journey env add production
                  journey keys generate prod-runner --env production --output ./prod-runner.key
                """)

        @OptionGroup var workspaceOptions: WorkspaceOptions
        @Argument(help: "The environment's name: lowercase letters, digits, '_' and '-'.") var name: String
        @Flag(help: "Move the flat layout's secrets and recipients into the new environment (needs a key that opens them).")
        var moveDefault = false
        @OptionGroup var keyOptions: KeyOptions

        func run() throws {
            let workspace = try workspaceOptions.open()
            let environment = try EnvironmentName(name)
            let flat = workspace.flatStore()
            let moved = moveDefault ? try flat.secretNames() : []
            // A key is needed only to open secrets; moving recipients alone needs none.
            let key = moved.isEmpty ? nil : try KeySource.load(keyFile: keyOptions.keyFile, recipients: flat.recipients())
            // Sealed files one folder down must reach the merge driver too. Registered first and
            // undone when the environment cannot be added: a failed command leaves
            // .gitattributes and the git config as they were (adding the environment is all or
            // nothing by itself).
            guard !workspace.config.environments.contains(environment) else { throw WorkspaceError.environmentExists(name) }
            let registration = try MergeDriver.register(workspace: workspace, repository: try? Repository.discover(containing: workspace.root))
            let created: Workspace
            do {
                created = try workspace.addEnvironment(environment, movingFlatStore: moveDefault, openingWith: key)
            } catch {
                // Added meanwhile by another command, which registered the same driver: its
                // environment needs it, so it stays (undoing would put back the files as they
                // were before both commands).
                if case .environmentExists = error {} else { registration.undo() }
                throw error
            }
            Output.line("Created environment '\(name)' in \(created.relative(created.secretsFolder))/")
            if moveDefault {
                let names = moved.isEmpty ? "" : ": " + moved.map(\.rawValue).joined(separator: ", ")
                Output.line("Moved the recipients and \(moved.count) secret\(moved.count == 1 ? "" : "s") into it\(names)")
            } else {
                Output.line("It has no recipients yet: 'journey keys generate NAME\(created.envFlag)' or 'journey keys add NAME PUBKEY\(created.envFlag)'.")
            }
            Output.line("Commit workspace.yaml and secrets/; commands now need --env ENV or JOURNEY_ENV.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List environments: recipients, secrets, and names journeys reference that an environment lacks.",
            discussion: """
                Exit codes: 0 listed (missing names are shown, not an error; 'journey check'
                fails on them); 2 bad input.

                Examples:
                  journey env list
                  journey env list --json
                """)

        @OptionGroup var workspaceOptions: WorkspaceOptions
        @Flag(help: "Print JSON.") var json = false

        struct Entry: Encodable {
            var name: String
            var recipients: [String]
            var secrets: [String]
            var missing: [String]
        }

        func run() throws {
            let workspace = try workspaceOptions.open()
            let entries = try workspace.environmentSummaries().map {
                Entry(name: $0.name.rawValue, recipients: $0.recipients.map(\.name), secrets: $0.secrets.map(\.rawValue), missing: $0.missing.map(\.rawValue))
            }
            if json { return try Output.json(entries) }
            if entries.isEmpty { return Output.line("No environments: the workspace uses the flat layout. Add one with 'journey env add NAME'.") }
            func list(_ names: [String]) -> String { names.isEmpty ? "(none)" : names.joined(separator: ", ") }
            for entry in entries {
                Output.line("\(entry.name)")
                Output.line("  recipients: \(list(entry.recipients))")
                Output.line("  secrets:    \(list(entry.secrets))")
                if !entry.missing.isEmpty {
                    Output.line(
                        "  missing:    \(list(entry.missing)) (referenced by journeys; add with 'journey secret add NAME --env \(ShellWord.quoted(entry.name))')"
                    )
                }
            }
        }
    }
}
