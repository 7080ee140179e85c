import Foundation
import GitStore
import TestSupport
import Testing

@Suite("Repository: discovery and hooks folder")
struct RepositoryTests {
    @Test("a repository is discovered from a sub-folder of its working tree")
    func discoverFromSubfolder() throws {
        try withScratchFolder { scratch in
            let root = try scratch.folder("repo")
            try Git.initRepository(at: root)
            let deep = try scratch.folder("repo/workspace/journeys/nested")
            let repository = try #require(try Repository.discover(containing: deep))
            #expect(repository.workingDirectory == root)
            #expect(repository.gitDirectory == root + "/.git")
        }
    }

    @Test("discovery from the root of the working tree and from inside .git finds the same repository")
    func discoverFromRootAndGitDir() throws {
        try withScratchFolder { scratch in
            let root = try scratch.folder("repo")
            try Git.initRepository(at: root)
            #expect(try Repository.discover(containing: root)?.workingDirectory == root)
            #expect(try Repository.discover(containing: root + "/.git/refs")?.gitDirectory == root + "/.git")
        }
    }

    @Test("a folder in no repository gives nil")
    func outsideAnyRepository() throws {
        try withScratchFolder { scratch in
            let plain = try scratch.folder("not/a/repo")
            // The scratch folder must itself be outside any repository for this test to mean anything.
            let check = try Subprocess.run("git", ["rev-parse", "--git-dir"], environment: Git.environment(), currentDirectory: plain)
            try #require(check.exitCode != 0, "scratch folder \(plain) is inside a git repository")
            #expect(try Repository.discover(containing: plain) == nil)
        }
    }

    @Test("a nested repository is found before the one around it")
    func nestedRepository() throws {
        try withScratchFolder { scratch in
            let outer = try scratch.folder("outer")
            try Git.initRepository(at: outer)
            let inner = try scratch.folder("outer/vendor/inner")
            try Git.initRepository(at: inner)
            #expect(try Repository.discover(containing: inner + "/..")?.workingDirectory == outer)
            #expect(try Repository.discover(containing: try scratch.folder("outer/vendor/inner/src"))?.workingDirectory == inner)
        }
    }

    @Test("hooksDirectory is .git/hooks when core.hooksPath is unset")
    func defaultHooks() throws {
        try withScratchFolder { scratch in
            let root = try scratch.folder("repo")
            try Git.initRepository(at: root)
            let repository = try Repository.open(at: root)
            #expect(try repository.configString("core.hooksPath") == nil)
            #expect(try repository.hooksDirectory() == root + "/.git/hooks")
        }
    }

    @Test("hooksDirectory honours a relative core.hooksPath, from the top of the working tree")
    func relativeHooksPath() throws {
        try withScratchFolder { scratch in
            let root = try scratch.folder("repo")
            try Git.initRepository(at: root)
            try Git.run(["config", "core.hooksPath", "tools/githooks"], in: root)
            let repository = try #require(try Repository.discover(containing: try scratch.folder("repo/sub")))
            #expect(try repository.hooksDirectory() == root + "/tools/githooks")
            // git itself agrees: a hook placed there runs.
            try scratch.write("#!/bin/sh\necho ran > \"$(git rev-parse --show-toplevel)/hook-ran\"\n", to: "repo/tools/githooks/pre-commit", mode: 0o755)
            try Git.commitAll(in: root)
            #expect(FileManager.default.fileExists(atPath: root + "/hook-ran"))
        }
    }

    @Test("hooksDirectory honours an absolute core.hooksPath")
    func absoluteHooksPath() throws {
        try withScratchFolder { scratch in
            let root = try scratch.folder("repo")
            try Git.initRepository(at: root)
            let shared = try scratch.folder("shared-hooks")
            try Git.run(["config", "core.hooksPath", shared], in: root)
            #expect(try Repository.open(at: root).hooksDirectory() == shared)
        }
    }

    @Test("hooksDirectory expands ~/ in core.hooksPath to HOME")
    func homeHooksPath() throws {
        try withScratchFolder { scratch in
            let root = try scratch.folder("repo")
            try Git.initRepository(at: root)
            try Git.run(["config", "core.hooksPath", "~/my-hooks"], in: root)
            let home = try #require(ProcessInfo.processInfo.environment["HOME"])
            #expect(try Repository.open(at: root).hooksDirectory() == home + "/my-hooks")
        }
    }

    @Test("opening a folder that is not a repository is an error naming it")
    func openNonRepository() throws {
        try withScratchFolder { scratch in
            let plain = try scratch.folder("plain")
            let error = #expect(throws: GitError.self) { try Repository.open(at: plain) }
            #expect(try #require(error).description.contains(plain))
        }
    }
}
