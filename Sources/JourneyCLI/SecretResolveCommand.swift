import ArgumentParser
import Diagnostics
import Foundation
import Sealing
import Workspace

extension SecretCommand {
    /// `journey secret resolve NAME --ours|--theirs`: settles a sealed file both sides of a
    /// merge rotated.
    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Settle a merge conflict in a sealed file: keep one side's value, sealed again at the next version.",
            discussion: """
                When two branches rotate the same secret to the same version, the merge
                leaves both in secrets/NAME.sealed, and every command names the file. Keep
                one value: it is opened with your key and sealed again for the current
                recipients at one more than the higher version, so nobody mistakes it for
                either side. Then 'git add' the file and finish the merge.

                Examples:
                  journey secret resolve payments-api-key --theirs
                  journey secret resolve payments-api-key --ours
                  git add secrets/payments-api-key.sealed && git commit --no-edit
                """)
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @OptionGroup var environmentOptions: EnvironmentOptions
        @OptionGroup var keyOptions: KeyOptions
        @Argument(help: "The conflicted secret.", completion: NameCompletion.secrets) var name: String
        @Flag(help: "Keep the value of the branch you are on.") var ours = false
        @Flag(help: "Keep the value of the branch being merged in.") var theirs = false

        func validate() throws {
            if ours == theirs { throw ValidationError("pass --ours (keep your branch's value) or --theirs (keep the merged branch's value)") }
        }

        func run() throws {
            let workspace = try workspaceOptions.open(environmentOptions)
            let secret = try SecretName(name)
            let key = try KeySource.load(keyFile: keyOptions.keyFile, recipients: workspace.recipients())
            let file = try workspace.resolveConflict(secret, keeping: ours ? .ours : .theirs, with: key)
            let path = workspace.relative(workspace.sealedPath(secret))
            Output.line(
                "Resolved '\(name)': kept \(ours ? "our" : "their") value, sealed again as version \(file.version) for \(file.sealed.wraps.count) recipient(s). Next: git add \(ShellWord.quoted(path))"
            )
        }
    }
}
