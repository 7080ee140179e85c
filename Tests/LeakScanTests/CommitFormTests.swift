import Foundation
import TestSupport
import Testing

/// Every way a commit is made, merged or pushed goes through the leak check (issue 9, items
/// 1–3): real git, real hooks, the built binary.
@Suite("Every commit form is scanned")
struct CommitFormTests {
    private func gitResult(_ arguments: [String], in directory: String, home: String) throws -> ProcessResult {
        try Subprocess.run("git", arguments, environment: Git.environment(home: home), currentDirectory: directory)
    }

    /// A repository with the hook installed, one clean commit holding `app.env`.
    private func repository(in folder: ScratchFolder, install: [String] = ["hook", "install"]) throws {
        try Git.initRepository(at: folder.path)
        try folder.write("API_URL=https://example.invalid\n", to: "app.env")
        try Git.commitAll(in: folder.path, message: "start")
        let installed = try Journey.run(install, in: folder)
        #expect(installed.exitCode == 0, "\(installed.allOutput)")
    }

    private func commitCount(_ directory: String) throws -> String {
        try Git.run(["rev-list", "--count", "HEAD"], in: directory).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `commit -a`: git stages into a temporary index (`GIT_INDEX_FILE=.git/index.lock`).
    @Test func commitAllWithAnUnstagedLeakIsBlocked() throws {
        try withScratchFolder { folder in
            try repository(in: folder)
            let token = Synthetic.githubToken()
            try folder.write("GITHUB_TOKEN=\(token)\n", to: "app.env")
            let result = try gitResult(["commit", "-a", "-m", "leak"], in: folder.path, home: folder.path)
            #expect(result.exitCode != 0)
            #expect(result.allOutput.contains("app.env:1:14: github-pat"), "\(result.allOutput)")
            #expect(!result.allOutput.contains(token))
            #expect(try commitCount(folder.path) == "1")
        }
    }

    /// `commit PATH`: git builds a second temporary index (`next-index-*.lock`).
    @Test func commitOfAPathIsBlocked() throws {
        try withScratchFolder { folder in
            try repository(in: folder)
            try folder.write("STRIPE_KEY=\(Synthetic.stripeKey())\n", to: "app.env")
            let result = try gitResult(["commit", "-m", "leak", "app.env"], in: folder.path, home: folder.path)
            #expect(result.exitCode != 0)
            #expect(result.allOutput.contains("stripe-secret-key"), "\(result.allOutput)")
            // `--include PATH` stages into index.lock on top of the index.
            let include = try gitResult(["commit", "--include", "-m", "leak", "app.env"], in: folder.path, home: folder.path)
            #expect(include.exitCode != 0)
            #expect(include.allOutput.contains("stripe-secret-key"), "\(include.allOutput)")
            #expect(try commitCount(folder.path) == "1")
        }
    }

    @Test func amendAllIsBlocked() throws {
        try withScratchFolder { folder in
            try repository(in: folder)
            let before = try Git.run(["rev-parse", "HEAD"], in: folder.path)
            try folder.write("GITHUB_TOKEN=\(Synthetic.githubToken())\n", to: "app.env")
            let result = try gitResult(["commit", "--amend", "-a", "-m", "amended"], in: folder.path, home: folder.path)
            #expect(result.exitCode != 0)
            #expect(result.allOutput.contains("github-pat"), "\(result.allOutput)")
            #expect(try Git.run(["rev-parse", "HEAD"], in: folder.path) == before)
        }
    }

    /// The clean forms still pass: the temporary index is read, not merely refused.
    @Test func cleanCommitFormsPass() throws {
        try withScratchFolder { folder in
            try repository(in: folder)
            try folder.write("API_URL=https://one.invalid\n", to: "app.env")
            #expect(try gitResult(["commit", "-a", "-m", "a"], in: folder.path, home: folder.path).exitCode == 0)
            try folder.write("API_URL=https://two.invalid\n", to: "app.env")
            #expect(try gitResult(["commit", "-m", "b", "app.env"], in: folder.path, home: folder.path).exitCode == 0)
            try folder.write("API_URL=https://three.invalid\n", to: "app.env")
            #expect(try gitResult(["commit", "--amend", "-a", "-m", "c"], in: folder.path, home: folder.path).exitCode == 0)
            #expect(try commitCount(folder.path) == "3")
        }
    }

    /// `hook install` run inside a linked worktree installs where git looks: the common folder.
    @Test func linkedWorktreeInstallGuardsItsCommits() throws {
        try withScratchFolder { folder in
            let main = try folder.folder("main")
            try Git.initRepository(at: main)
            try folder.write("start\n", to: "main/README.md")
            try Git.commitAll(in: main, message: "start")
            try Git.run(["worktree", "add", "--quiet", "-b", "feature", folder.path("feature")], in: main)
            let install = try Journey.run(["hook", "install"], in: folder, at: "feature")
            #expect(install.exitCode == 0, "\(install.allOutput)")
            #expect(FileManager.default.isExecutableFile(atPath: folder.path("main/.git/hooks/pre-commit")))
            #expect(!FileManager.default.fileExists(atPath: folder.path("main/.git/worktrees/feature/hooks/pre-commit")))
            try folder.write("GITHUB_TOKEN=\(Synthetic.githubToken())\n", to: "feature/deploy.env")
            try Git.run(["add", "deploy.env"], in: folder.path("feature"))
            let blocked = try gitResult(["commit", "-m", "leak"], in: folder.path("feature"), home: folder.path)
            #expect(blocked.exitCode != 0)
            #expect(blocked.allOutput.contains("deploy.env:1:14: github-pat"), "\(blocked.allOutput)")
            // The worktree's own index is read: a clean file there commits.
            try folder.write("ok\n", to: "feature/deploy.env")
            try Git.run(["add", "deploy.env"], in: folder.path("feature"))
            #expect(try gitResult(["commit", "-m", "clean"], in: folder.path("feature"), home: folder.path).exitCode == 0)
        }
    }

    /// A `core.hooksPath` from the user's global config makes the hook run for every
    /// repository: installing there is said out loud.
    @Test func globalHooksPathIsNamedInAWarning() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path("repo"))
            // The user's global config ($HOME/.gitconfig; HOME is the scratch folder).
            try folder.write("[core]\n\thooksPath = \(folder.path("global-hooks"))\n", to: ".gitconfig")
            let install = try Journey.run(["hook", "install"], in: folder, at: "repo")
            #expect(install.exitCode == 0, "\(install.allOutput)")
            #expect(FileManager.default.isExecutableFile(atPath: folder.path("global-hooks/pre-commit")))
            #expect(install.allOutput.contains("core.hooksPath comes from your global git config"), "\(install.allOutput)")
            try Git.run(["config", "--local", "core.hooksPath", ".git/hooks"], in: folder.path("repo"))
            let local = try Journey.run(["hook", "install"], in: folder, at: "repo")
            #expect(!local.allOutput.contains("global git config"), "\(local.allOutput)")
            #expect(FileManager.default.isExecutableFile(atPath: folder.path("repo/.git/hooks/pre-commit")))
        }
    }

    /// A branch holding a leak (committed with --no-verify) merged with a merge commit:
    /// `pre-merge-commit` runs the same check.
    @Test func mergeCommitOfALeakIsBlocked() throws {
        try withScratchFolder { folder in
            try repository(in: folder)
            #expect(FileManager.default.isExecutableFile(atPath: folder.path(".git/hooks/pre-merge-commit")))
            try Git.run(["checkout", "--quiet", "-b", "topic"], in: folder.path)
            try folder.write("GITHUB_TOKEN=\(Synthetic.githubToken())\n", to: "deploy.env")
            try Git.run(["add", "deploy.env"], in: folder.path)
            try Git.run(["commit", "--quiet", "--no-verify", "-m", "leak"], in: folder.path)
            try Git.run(["checkout", "--quiet", "main"], in: folder.path)
            try folder.write("other\n", to: "other.txt")
            try Git.commitAll(in: folder.path, message: "main moves on")
            let merge = try gitResult(["merge", "--no-ff", "-m", "merge topic", "topic"], in: folder.path, home: folder.path)
            #expect(merge.exitCode != 0)
            #expect(merge.allOutput.contains("deploy.env:1:14: github-pat"), "\(merge.allOutput)")
            #expect(try commitCount(folder.path) == "2")
            // Uninstall takes both hooks away.
            #expect(try Journey.run(["hook", "uninstall"], in: folder).exitCode == 0)
            #expect(!FileManager.default.fileExists(atPath: folder.path(".git/hooks/pre-merge-commit")))
            #expect(!FileManager.default.fileExists(atPath: folder.path(".git/hooks/pre-commit")))
        }
    }

    /// Opt-in `pre-push`: the commits being pushed are scanned, not the whole history.
    @Test func prePushBlocksAPushedLeakAndLetsACleanPushThrough() throws {
        try withScratchFolder { folder in
            try Git.run(["init", "--quiet", "--bare", folder.path("remote.git")], in: folder.path)
            try repository(in: folder, install: ["hook", "install", "--pre-push"])
            #expect(FileManager.default.isExecutableFile(atPath: folder.path(".git/hooks/pre-push")))
            try Git.run(["remote", "add", "origin", folder.path("remote.git")], in: folder.path)
            #expect(try gitResult(["push", "--quiet", "origin", "main"], in: folder.path, home: folder.path).exitCode == 0)
            let token = Synthetic.githubToken()
            try folder.write("GITHUB_TOKEN=\(token)\n", to: "deploy.env")
            try Git.run(["add", "deploy.env"], in: folder.path)
            try Git.run(["commit", "--quiet", "--no-verify", "-m", "leak"], in: folder.path)
            let blocked = try gitResult(["push", "origin", "main"], in: folder.path, home: folder.path)
            #expect(blocked.exitCode != 0)
            #expect(blocked.allOutput.contains("deploy.env:1:14: github-pat"), "\(blocked.allOutput)")
            #expect(!blocked.allOutput.contains(token))
            // A new branch holding the leak is refused as well.
            #expect(try gitResult(["push", "origin", "main:refs/heads/other"], in: folder.path, home: folder.path).exitCode != 0)
            // Fixed in a new commit, the leak is still in the pushed commits: history is scanned.
            try folder.write("GITHUB_TOKEN=${GITHUB_TOKEN}\n", to: "deploy.env")
            try Git.commitAll(in: folder.path, message: "fix")
            #expect(try gitResult(["push", "origin", "main"], in: folder.path, home: folder.path).exitCode != 0)
            // Rewritten without the leak, the push goes through.
            try Git.run(["reset", "--quiet", "--hard", "origin/main"], in: folder.path)
            try folder.write("notes\n", to: "notes.txt")
            try Git.commitAll(in: folder.path, message: "clean")
            let clean = try gitResult(["push", "origin", "main"], in: folder.path, home: folder.path)
            #expect(clean.exitCode == 0, "\(clean.allOutput)")
        }
    }
}

/// `journey scan --history BASE..HEAD`, the pull request check of the CI snippets
/// (docs/TEAMS.md), on a clone as CI checks it out.
@Suite("Pull request check")
struct PullRequestCheckTests {
    @Test func onlyTheBranchsCommitsAreScannedAndALeakInThemFails() throws {
        try withScratchFolder { folder in
            let origin = try folder.folder("origin")
            try Git.initRepository(at: origin)
            // An old leak on main, before the branch point: not the pull request's business.
            try folder.write("GITHUB_TOKEN=\(Synthetic.githubToken())\n", to: "origin/old.env")
            try Git.commitAll(in: origin, message: "old leak")
            let base = try Git.commitAll(in: origin, message: "base")
            try Git.run(["checkout", "--quiet", "-b", "topic"], in: origin)
            try folder.write("notes\n", to: "origin/notes.txt")
            let clean = try Git.commitAll(in: origin, message: "clean change")
            #expect(try Journey.run(["scan", "--history", "\(base)..\(clean)"], in: folder, at: "origin").exitCode == 0)

            try folder.write("STRIPE_KEY=\(Synthetic.stripeKey())\n", to: "origin/pay.env")
            let leak = try Git.commitAll(in: origin, message: "leak")
            let bySHA = try Journey.run(["scan", "--history", "\(base)..\(leak)"], in: folder, at: "origin")
            #expect(bySHA.exitCode == 1)
            #expect(bySHA.allOutput.contains("pay.env:1:12: stripe-secret-key"), "\(bySHA.allOutput)")
            #expect(!bySHA.allOutput.contains("old.env"))

            // As GitHub Actions checks out with fetch-depth 0: the base branch as origin/main.
            try Git.run(["clone", "--quiet", "--branch", "topic", origin, folder.path("ci")], in: folder.path)
            let ci = try Journey.run(["scan", "--history", "origin/main..HEAD"], in: folder, at: "ci")
            #expect(ci.exitCode == 1)
            #expect(ci.allOutput.contains("stripe-secret-key"))
            #expect(!ci.allOutput.contains("old.env"))
        }
    }
}

/// The server side: `hook install --pre-receive` in a bare repository, pushed to by real git.
@Suite("Pre-receive hook on a bare repository")
struct PreReceiveTests {
    @Test func aPushHoldingALeakIsRejectedWithTheFindingAndACleanPushAccepted() throws {
        try withScratchFolder { folder in
            let server = folder.path("server.git")
            try Git.run(["init", "--quiet", "--bare", "--initial-branch=main", server], in: folder.path)
            let install = try Journey.run(["hook", "install", "--pre-receive"], in: folder, at: "server.git")
            #expect(install.exitCode == 0, "\(install.allOutput)")
            #expect(FileManager.default.isExecutableFile(atPath: server + "/hooks/pre-receive"))
            // A bare repository takes only the server-side hook.
            #expect(try Journey.run(["hook", "install"], in: folder, at: "server.git").exitCode == 2)

            let work = try folder.folder("work")
            try Git.initRepository(at: work)
            try Git.run(["remote", "add", "origin", server], in: work)
            try folder.write("# app\n", to: "work/README.md")
            try Git.commitAll(in: work, message: "start")
            func push(_ refspec: String = "main") throws -> ProcessResult {
                try Subprocess.run("git", ["push", "origin", refspec], environment: Git.environment(home: folder.path), currentDirectory: work)
            }
            let clean = try push()
            #expect(clean.exitCode == 0, "\(clean.allOutput)")
            let accepted = try Git.run(["rev-parse", "main"], in: server)

            let token = Synthetic.githubToken()
            try folder.write("GITHUB_TOKEN=\(token)\n", to: "work/deploy.env")
            try Git.commitAll(in: work, message: "leak")
            try folder.write("GITHUB_TOKEN=${GITHUB_TOKEN}\n", to: "work/deploy.env")
            try Git.commitAll(in: work, message: "hide it again")
            let rejected = try push()
            #expect(rejected.exitCode != 0)
            #expect(rejected.allOutput.contains("remote: deploy.env:1:14: github-pat"), "\(rejected.allOutput)")
            #expect(rejected.allOutput.contains("pre-receive hook declined"))
            #expect(!rejected.allOutput.contains(token))
            #expect(try Git.run(["rev-parse", "main"], in: server) == accepted)
            // The same commits as a new branch: refused too.
            #expect(try push("main:refs/heads/topic").exitCode != 0)

            // History rewritten without the leak: accepted.
            try Git.run(["reset", "--quiet", "--hard", "HEAD~2"], in: work)
            try folder.write("API_URL=https://example.invalid\n", to: "work/deploy.env")
            try Git.commitAll(in: work, message: "clean deploy config")
            let fixed = try push()
            #expect(fixed.exitCode == 0, "\(fixed.allOutput)")
        }
    }
}
