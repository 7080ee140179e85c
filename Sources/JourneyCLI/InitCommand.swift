import ArgumentParser
import Foundation
import GitStore
import Workspace

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a workspace: workspace.yaml, journeys/, secrets/ and .gitignore entries.",
        discussion: """
            Examples:
              journey init
              journey init --name payments ./automation
            """)

    @Option(help: "A name for the workspace (default: the folder's name).")
    var name: String?

    @Argument(help: "The folder to create the workspace in (default: the current folder).")
    var folder: String?

    func run() throws {
        let path = URL(fileURLWithPath: folder ?? FileManager.default.currentDirectoryPath).standardizedFileURL.path
        let workspace = try Workspace.create(at: path, name: name ?? (path as NSString).lastPathComponent)
        Output.line("Created workspace '\(workspace.config.name)' (id \(workspace.config.id)) in \(path)")
        let repository = try? Repository.discover(containing: workspace.root)
        try MergeDriver.register(workspace: workspace, repository: repository)
        if let top = repository?.workingDirectory {
            Output.line("It lives in the git repository at \(top); commit workspace.yaml, .gitattributes, journeys/ and secrets/.")
        } else {
            Output.line("It is not in a git repository yet: run 'git init' to keep journeys and sealed secrets in git.")
        }
        Output.line("Next steps:")
        Output.line("  journey keys generate YOUR-NAME     your key pair (or 'journey keys request YOUR-NAME' to join a team)")
        Output.line("  journey secret add NAME             seal a value; journeys name it as { secret: NAME }")
        Output.line("  journey hook install                block plaintext credentials in every commit, and merge sealed files")
    }
}
