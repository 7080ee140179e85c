import Foundation
import GitStore
import Testing
import TestSupport

@Suite("Bare mirrors: clone, compare, fetch, resolve, check out")
final class BareMirrorTests {
    let folder: String
    let published: RunnerFixtures.PublishedRepo
    let first: String

    init() throws {
        folder = try RunnerFixtures.scratchFolder("mirror")
        published = try RunnerFixtures.publishedRepo(in: folder)
        try RunnerFixtures.write("hello\n", to: "README", in: published.work)
        try RunnerFixtures.write("#!/bin/sh\necho hi\n", to: "scripts/hi.sh", in: published.work)
        chmod(published.work + "/scripts/hi.sh", 0o755)
        try FileManager.default.createSymbolicLink(atPath: published.work + "/link", withDestinationPath: "README")
        first = try published.commitAndPush("first")
        try RunnerFixtures.git("tag", "-a", "-m", "release", "v1", in: published.work)
        try RunnerFixtures.git("push", "-q", "origin", "v1", in: published.work)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    @Test func clonesEveryRefAndResolvesBranchTagAndCommitIDs() throws {
        let mirror = try BareMirror.clone(from: published.remote, into: folder + "/mirror")
        #expect(try mirror.originURL() == published.remote)
        #expect(try mirror.resolve("main") == ResolvedRef(refName: "refs/heads/main", commit: first))
        #expect(try mirror.resolve("v1") == ResolvedRef(refName: "refs/tags/v1", commit: first))
        #expect(try mirror.resolve("refs/heads/main")?.commit == first)
        #expect(try mirror.resolve(first) == ResolvedRef(refName: nil, commit: first))
        #expect(try mirror.resolve(String(first.prefix(7))) == ResolvedRef(refName: nil, commit: first))
        #expect(try mirror.resolve("no-such-branch") == nil)
        #expect(try mirror.resolve("deadbeef") == nil)
    }

    @Test func refusesANameThatIsBothABranchAndATag() throws {
        try RunnerFixtures.git("branch", "v1", in: published.work)
        try RunnerFixtures.git("push", "-q", "origin", "refs/heads/v1:refs/heads/v1", in: published.work)
        let mirror = try BareMirror.clone(from: published.remote, into: folder + "/mirror")
        #expect(throws: GitError.self) { try mirror.resolve("v1") }
        #expect(try mirror.resolve("refs/heads/v1")?.commit == first)
    }

    @Test func advertisedRefsMatchUntilTheRemoteMovesAndAFetchCatchesUp() throws {
        let mirror = try BareMirror.clone(from: "file://" + published.remote, into: folder + "/mirror")
        let before = try OriginConnection(to: mirror).advertisedRefs()
        #expect(before["refs/heads/main"] == first)
        #expect(mirror.localTarget(ofRef: "refs/heads/main") == first)
        #expect(mirror.localTarget(ofRef: "refs/tags/v1") == before["refs/tags/v1"])

        try RunnerFixtures.write("two\n", to: "README", in: published.work)
        let second = try published.commitAndPush("second")
        try RunnerFixtures.git("push", "-q", "origin", "--delete", "v1", in: published.work)
        let connection = try OriginConnection(to: mirror)
        #expect(try connection.advertisedRefs()["refs/heads/main"] == second)
        #expect(mirror.localTarget(ofRef: "refs/heads/main") == first)
        try connection.fetch()
        #expect(mirror.localTarget(ofRef: "refs/heads/main") == second)
        #expect(mirror.localTarget(ofRef: "refs/tags/v1") == nil, "a ref deleted on the remote is pruned")
    }

    @Test func checksACommitOutIntoAFreshFolderWithModesAndLinks() throws {
        try RunnerFixtures.write("two\n", to: "README", in: published.work)
        try published.commitAndPush("second")
        let mirror = try BareMirror.clone(from: published.remote, into: folder + "/mirror")
        let target = folder + "/checkout"
        try mirror.checkOut(commit: first, into: target)
        #expect(try String(contentsOfFile: target + "/README", encoding: .utf8) == "hello\n")
        #expect(FileManager.default.isExecutableFile(atPath: target + "/scripts/hi.sh"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target + "/link") == "README")
        #expect(!FileManager.default.fileExists(atPath: target + "/.git"))
        #expect(!FileManager.default.fileExists(atPath: mirror.path + "/index"), "the mirror's index is untouched")
    }

    @Test func anUnreachableRemoteIsAGitError() throws {
        #expect(throws: GitError.self) {
            try BareMirror.clone(from: folder + "/does-not-exist.git", into: folder + "/mirror")
        }
    }

    @Test func openingAFolderThatIsNoMirrorFails() throws {
        try FileManager.default.createDirectory(atPath: folder + "/junk", withIntermediateDirectories: true)
        #expect(throws: GitError.self) { try BareMirror.open(at: folder + "/junk") }
        #expect(throws: GitError.self) { try BareMirror.open(at: published.work) }
        _ = try BareMirror.clone(from: published.remote, into: folder + "/mirror")
        #expect(try BareMirror.open(at: folder + "/mirror").originURL() == published.remote)
    }
}
