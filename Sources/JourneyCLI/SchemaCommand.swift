import AdminUI
import ArgumentParser
import Foundation
import Workspace

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print a JSON Schema of the journey format; secret references list this workspace's names.",
        discussion: """
            YAML language servers (VS Code's YAML extension, Neovim, JetBrains)
            use it to complete and check journeys, including { secret: NAME }
            from this workspace's names. Regenerate it after adding a secret.
            Outside a workspace, names are checked by their form only.

            Examples:
              journey schema > .journey-schema.json
              # .vscode/settings.json:
              #   { "yaml.schemas": { ".journey-schema.json": "journeys/*.yaml" } }
            """)

    @OptionGroup var workspaceOptions: WorkspaceOptions

    func run() throws {
        let workspace = try? workspaceOptions.open()
        if workspace == nil, workspaceOptions.workspace != nil { _ = try workspaceOptions.open() }
        print(try JourneySchema.text(for: workspace), terminator: "")
    }
}
