import Foundation
import TestSupport
import Testing

/// The pre-commit hook, driven through a real `git commit` in scratch repositories.
@Suite("Pre-commit hook")
struct HookTests {
    /// A repository with the hook installed and one clean commit.
    private func repository(in folder: ScratchFolder) throws {
        try Git.initRepository(at: folder.path)
        try folder.write("# app\n", to: "README.md")
        try Git.commitAll(in: folder.path, message: "start")
        let install = try Journey.run(["hook", "install"], in: folder)
        #expect(install.exitCode == 0, "\(install.allOutput)")
    }

    private func commit(in folder: ScratchFolder) throws -> ProcessResult {
        try Subprocess.run("git", ["commit", "-m", "change"], environment: Git.environment(home: folder.path), currentDirectory: folder.path)
    }

    @Test func stagedLeakBlocksTheCommit() throws {
        try withScratchFolder { folder in
            try repository(in: folder)
            let token = Synthetic.githubToken()
            try folder.write("GITHUB_TOKEN=\(token)\n", to: "deploy.env")
            try Git.run(["add", "deploy.env"], in: folder.path)
            let result = try commit(in: folder)
            #expect(result.exitCode != 0)
            #expect(result.allOutput.contains("deploy.env:1:14: github-pat"))
            #expect(!result.allOutput.contains(token))
            #expect(try Git.run(["rev-list", "--count", "HEAD"], in: folder.path).trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        }
    }

    @Test func leakFixedOnlyInTheWorkingTreeStillBlocks() throws {
        try withScratchFolder { folder in
            try repository(in: folder)
            try folder.write("STRIPE_KEY=\(Synthetic.stripeKey())\n", to: "app.env")
            try Git.run(["add", "app.env"], in: folder.path)
            // Fixed in the working folder, not re-staged: the commit would still hold the leak.
            try folder.write("STRIPE_KEY=${STRIPE_KEY}\n", to: "app.env")
            let blocked = try commit(in: folder)
            #expect(blocked.exitCode != 0)
            #expect(blocked.allOutput.contains("stripe-secret-key"))
            // Staging the fix lets the commit through.
            try Git.run(["add", "app.env"], in: folder.path)
            let passed = try commit(in: folder)
            #expect(passed.exitCode == 0, "\(passed.allOutput)")
        }
    }

    @Test func leakOnlyInTheWorkingTreeDoesNotBlock() throws {
        try withScratchFolder { folder in
            try repository(in: folder)
            try folder.write("notes\n", to: "notes.txt")
            try Git.run(["add", "notes.txt"], in: folder.path)
            // A leak in the working folder that is not staged is not part of the commit.
            try folder.write("GITHUB_TOKEN=\(Synthetic.githubToken())\n", to: "notes.txt")
            try folder.write("GITHUB_TOKEN=\(Synthetic.githubToken())\n", to: "untracked.env")
            let result = try commit(in: folder)
            #expect(result.exitCode == 0, "\(result.allOutput)")
        }
    }

    @Test func aLeakAlreadyCommittedDoesNotBlockAnUnrelatedCommitButAChangeToItsFileDoes() throws {
        try withScratchFolder { folder in
            try repository(in: folder)
            try folder.write("GITHUB_TOKEN=\(Synthetic.githubToken())\n", to: "old.env")
            try Git.run(["add", "old.env"], in: folder.path)
            try Git.run(["commit", "--quiet", "--no-verify", "-m", "leak that slipped past"], in: folder.path)
            // --staged checks what the commit adds or changes; the old leak is history's business.
            try folder.write("notes\n", to: "notes.txt")
            try Git.run(["add", "notes.txt"], in: folder.path)
            let unrelated = try commit(in: folder)
            #expect(unrelated.exitCode == 0, "\(unrelated.allOutput)")
            // Touching the file that holds it puts it in the commit again: blocked.
            try folder.write("GITHUB_TOKEN=\(Synthetic.githubToken())\nMORE=1\n", to: "old.env")
            try Git.run(["add", "old.env"], in: folder.path)
            #expect(try commit(in: folder).exitCode != 0)
            let history = try Journey.run(["scan", "--history"], in: folder)
            #expect(history.exitCode == 1)
        }
    }

    @Test func existingHookIsChainedAndRestored() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            let original = "#!/bin/sh\necho chained-hook-ran >> \"$(git rev-parse --show-toplevel)/hook.log\"\n"
            try folder.write(original, to: ".git/hooks/pre-commit", mode: 0o755)
            #expect(try Journey.run(["hook", "install"], in: folder).exitCode == 0)
            // Installing twice changes nothing.
            #expect(try Journey.run(["hook", "install"], in: folder).exitCode == 0)
            #expect(try String(contentsOfFile: folder.path(".git/hooks/pre-commit.journey-chained"), encoding: .utf8) == original)
            try folder.write("ok\n", to: "a.txt")
            try Git.run(["add", "a.txt"], in: folder.path)
            #expect(try commit(in: folder).exitCode == 0)
            #expect(try String(contentsOfFile: folder.path("hook.log"), encoding: .utf8) == "chained-hook-ran\n")
            #expect(try Journey.run(["hook", "uninstall"], in: folder).exitCode == 0)
            #expect(try String(contentsOfFile: folder.path(".git/hooks/pre-commit"), encoding: .utf8) == original)
            #expect(!FileManager.default.fileExists(atPath: folder.path(".git/hooks/pre-commit.journey-chained")))
        }
    }

    @Test func honoursCoreHooksPath() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            try Git.run(["config", "core.hooksPath", "tools/hooks"], in: folder.path)
            #expect(try Journey.run(["hook", "install"], in: folder).exitCode == 0)
            #expect(FileManager.default.isExecutableFile(atPath: folder.path("tools/hooks/pre-commit")))
            #expect(!FileManager.default.fileExists(atPath: folder.path(".git/hooks/pre-commit")))
            try folder.write("token: \(Synthetic.githubToken())\n", to: "config.yaml")
            try Git.run(["add", "config.yaml"], in: folder.path)
            #expect(try commit(in: folder).exitCode != 0)
        }
    }

    @Test func inlineAllowLetsTheCommitThrough() throws {
        try withScratchFolder { folder in
            try repository(in: folder)
            try folder.write("TEST_TOKEN=\(Synthetic.githubToken())  # journey:allow test fixture\n", to: "fixture.env")
            try Git.run(["add", "fixture.env"], in: folder.path)
            #expect(try commit(in: folder).exitCode == 0)
        }
    }

    @Test func workspaceInASubFolderGetsTheJourneyRules() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            _ = try Fixtures.workspace(in: folder.path("ops"))
            let install = try Journey.run(["hook", "install"], in: folder, at: "ops")
            #expect(install.exitCode == 0, "\(install.allOutput)")
            let password = "hunter2" + "hunter2"
            try folder.write("name: db\nvalues:\n  db_password: \(password)\nsteps: []\n", to: "ops/journeys/db.yaml")
            try folder.write("plain value\n", to: "ops/secrets/notes.txt")
            try Git.run(["add", "--all"], in: folder.path)
            let result = try commit(in: folder)
            #expect(result.exitCode != 0)
            #expect(result.allOutput.contains("ops/journeys/db.yaml:3:16: journey-literal-credential"))
            #expect(result.allOutput.contains("db_password: { secret: db-password }"))
            #expect(result.allOutput.contains("ops/secrets/notes.txt:1:1: secrets-folder-unsealed-file"))
            #expect(!result.allOutput.contains(password))
        }
    }

    @Test func teamRuleFromGitleaksConfigBlocksAndAllowlistedPathPasses() throws {
        try withScratchFolder { folder in
            try repository(in: folder)
            try folder.write(
                """
                [[rules]]
                id = "acme-service-token"
                description = "ACME service token"
                regex = '''\\b(acme_[a-z0-9]{32})\\b'''
                keywords = ["acme_"]

                [allowlist]
                paths = ['''^testdata/''']
                """, to: ".gitleaks.toml")
            try Git.run(["add", ".gitleaks.toml"], in: folder.path)
            #expect(try commit(in: folder).exitCode == 0)
            let token = "acme_" + Synthetic.random(32, from: "abcdefghijklmnopqrstuvwxyz0123456789")
            // An allowlisted path: the team rule and the built-in rules stay silent.
            try folder.write("ACME=\(token)\nGITHUB_TOKEN=\(Synthetic.githubToken())\n", to: "testdata/fixture.env")
            try Git.run(["add", "testdata/fixture.env"], in: folder.path)
            let allowed = try commit(in: folder)
            #expect(allowed.exitCode == 0, "\(allowed.allOutput)")
            // Anywhere else the team rule blocks the commit, without printing the value.
            try folder.write("ACME=\(token)\n", to: "deploy.env")
            try Git.run(["add", "deploy.env"], in: folder.path)
            let blocked = try commit(in: folder)
            #expect(blocked.exitCode != 0)
            #expect(blocked.allOutput.contains("deploy.env:1:6: acme-service-token: ACME service token"))
            #expect(!blocked.allOutput.contains(token))
            // A config that cannot be used stops the commit with its line.
            try folder.write("[[rules]]\nid = 'x'\nregex = '(open'\n", to: ".gitleaks.toml")
            let broken = try commit(in: folder)
            #expect(broken.exitCode != 0)
            #expect(broken.allOutput.contains(".gitleaks.toml:3: the regex in 'regex' cannot be used"))
        }
    }
}
