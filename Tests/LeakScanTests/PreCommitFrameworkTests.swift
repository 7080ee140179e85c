import Foundation
import TestSupport
import Testing

/// The real pre-commit framework (PyPI `pre-commit`, installed by `make deps`) using this
/// repository's `.pre-commit-hooks.yaml` from a local clone, pinned to a commit id.
@Suite("The pre-commit framework")
struct PreCommitFrameworkTests {
    /// A clone of this repository whose HEAD carries the working copy's hook definitions.
    private func hookRepository(in folder: ScratchFolder) throws -> (url: String, rev: String) {
        let clone = folder.path("journey-src")
        try Git.run(["clone", "--quiet", PackagePaths.root, clone], in: folder.path)
        let definitions = try String(contentsOfFile: PackagePaths.root + "/.pre-commit-hooks.yaml", encoding: .utf8)
        try definitions.write(toFile: clone + "/.pre-commit-hooks.yaml", atomically: true, encoding: .utf8)
        try Git.run(["add", ".pre-commit-hooks.yaml"], in: clone)
        try Git.run(["commit", "--quiet", "--allow-empty", "--no-verify", "-m", "hooks as in the working copy"], in: clone)
        return (clone, try Git.run(["rev-parse", "HEAD"], in: clone).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func environment(_ folder: ScratchFolder) -> [String: String] {
        var environment = Git.environment(home: folder.path)
        let binaryFolder = (JourneyBinary.path as NSString).deletingLastPathComponent
        environment["PATH"] = binaryFolder + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["PRE_COMMIT_HOME"] = folder.path(".pre-commit-cache")
        environment["XDG_CONFIG_HOME"] = folder.path(".config-home")
        return environment
    }

    private func run(_ tool: String, _ arguments: [String], in directory: String, _ folder: ScratchFolder) throws -> ProcessResult {
        try Subprocess.run(tool, arguments, environment: environment(folder), currentDirectory: directory)
    }

    @Test func stagedAndAllFilesRunsBlockALeakAndTheInstalledHookGuardsCommitAll() throws {
        try withScratchFolder { folder in
            let hooks = try hookRepository(in: folder)
            let project = try folder.folder("project")
            try Git.initRepository(at: project)
            try folder.write(
                """
                repos:
                  - repo: \(hooks.url)
                    rev: \(hooks.rev)
                    hooks:
                      - id: journey-scan
                      - id: journey-scan-files

                """, to: "project/.pre-commit-config.yaml")
            try folder.write("API_URL=https://example.invalid\n", to: "project/app.env")
            try Git.commitAll(in: project, message: "start")
            let cleanRun = try run("pre-commit", ["run", "--all-files"], in: project, folder)
            #expect(cleanRun.exitCode == 0, "\(cleanRun.allOutput)")

            // Staged: `pre-commit run` blocks it.
            let token = Synthetic.githubToken()
            try folder.write("GITHUB_TOKEN=\(token)\n", to: "project/deploy.env")
            try Git.run(["add", "deploy.env"], in: project)
            let staged = try run("pre-commit", ["run"], in: project, folder)
            #expect(staged.exitCode != 0)
            #expect(staged.allOutput.contains("deploy.env:1:14: github-pat"), "\(staged.allOutput)")
            #expect(!staged.allOutput.contains(token))

            // Committed past the hook: `pre-commit run --all-files`, the CI form, still blocks it.
            try Git.run(["commit", "--quiet", "--no-verify", "-m", "leak"], in: project)
            let all = try run("pre-commit", ["run", "--all-files"], in: project, folder)
            #expect(all.exitCode != 0)
            #expect(all.allOutput.contains("journey leak check (files)"))
            #expect(all.allOutput.contains("deploy.env:1:14: github-pat"), "\(all.allOutput)")

            // Installed as the git hook, the framework's journey-scan alone (which reads the
            // index, not the files) sees the temporary index of `commit -a`.
            try Git.run(["rm", "--quiet", "deploy.env"], in: project)
            try folder.write(
                """
                repos:
                  - repo: \(hooks.url)
                    rev: \(hooks.rev)
                    hooks:
                      - id: journey-scan

                """, to: "project/.pre-commit-config.yaml")
            try Git.run(["add", ".pre-commit-config.yaml"], in: project)
            try Git.run(["commit", "--quiet", "--no-verify", "-m", "remove"], in: project)
            #expect(try run("pre-commit", ["install"], in: project, folder).exitCode == 0)
            try folder.write("STRIPE_KEY=\(Synthetic.stripeKey())\n", to: "project/app.env")
            let commitAll = try run("git", ["commit", "-a", "-m", "leak"], in: project, folder)
            #expect(commitAll.exitCode != 0)
            #expect(commitAll.allOutput.contains("stripe-secret-key"), "\(commitAll.allOutput)")
            #expect(!commitAll.allOutput.contains("journey leak check (files)"))
        }
    }

    /// The README's `.pre-commit-config.yaml`, pasted as it is.
    @Test func theReadmeSnippetWorksAsPasted() throws {
        try withScratchFolder { folder in
            let readme = try String(contentsOfFile: PackagePaths.root + "/README.md", encoding: .utf8)
            let start = try #require(readme.range(of: "```yaml\nrepos:\n  - repo: local\n"))
            let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
            let snippet = String(readme[readme.index(start.lowerBound, offsetBy: "```yaml\n".count)..<end.lowerBound])
            let project = try folder.folder("project")
            try Git.initRepository(at: project)
            try folder.write(snippet, to: "project/.pre-commit-config.yaml")
            try folder.write("# app\n", to: "project/README.md")
            try Git.commitAll(in: project, message: "start")
            #expect(try run("pre-commit", ["run", "--all-files"], in: project, folder).exitCode == 0)
            try folder.write("GITHUB_TOKEN=\(Synthetic.githubToken())\n", to: "project/deploy.env")
            try Git.run(["add", "deploy.env"], in: project)
            let staged = try run("pre-commit", ["run"], in: project, folder)
            #expect(staged.exitCode != 0)
            #expect(staged.allOutput.contains("github-pat"), "\(staged.allOutput)")
            try Git.run(["commit", "--quiet", "--no-verify", "-m", "leak"], in: project)
            let all = try run("pre-commit", ["run", "--all-files"], in: project, folder)
            #expect(all.exitCode != 0)
            #expect(all.allOutput.contains("deploy.env:1:14: github-pat"), "\(all.allOutput)")
        }
    }
}
