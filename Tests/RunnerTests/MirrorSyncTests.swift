import Foundation
import GitStore
import Runner
import TestSupport
import Testing

@Suite("Runner cache: clone once, fetch only when the ref moved, check out fresh")
struct MirrorSyncTests {
    func checkOut(_ fixture: RunnerFixture, ref: String, repo: String? = nil) throws -> (CheckedOutCommit, String) {
        let cache = try RunnerCache(root: fixture.cache)
        let target = fixture.folder + "/checkout-" + UUID().uuidString
        let result = try MirrorSync(cache: cache, repo: repo ?? fixture.published.remote).checkOut(ref: ref, into: target)
        return (result, target)
    }

    @Test func clonesOnFirstUseThenSkipsTheFetchUntilTheRefMoves() throws {
        let fixture = try RunnerFixture()
        let (cold, _) = try checkOut(fixture, ref: "main")
        #expect(cold.update == .cloned)
        #expect(cold.resolved == ResolvedRef(refName: "refs/heads/main", commit: ObjectID(hex: fixture.first)!))
        let (warm, _) = try checkOut(fixture, ref: "main")
        #expect(warm.update == .upToDate)

        let second = try fixture.rotate(to: "second-value")
        let (moved, target) = try checkOut(fixture, ref: "main")
        #expect(moved.update == .fetched)
        #expect(moved.resolved.commit == ObjectID(hex: second))
        #expect(try String(contentsOfFile: target + "/secrets/api-token.sealed", encoding: .utf8).contains("version: 2"))
        #expect(fixture.cacheEntries("mirrors").filter { !$0.hasSuffix(".lock") } == [RunnerCache.mirrorName(for: fixture.published.remote)])
    }

    @Test func checksOutABranchATagAndACommitID() throws {
        let fixture = try RunnerFixture()
        try fixture.published.tagAndPush("v1")
        let second = try fixture.rotate(to: "second-value")

        let (branch, branchFolder) = try checkOut(fixture, ref: "main")
        #expect(branch.resolved.commit == ObjectID(hex: second))
        #expect(try String(contentsOfFile: branchFolder + "/secrets/api-token.sealed", encoding: .utf8).contains("version: 2"))
        let (tag, tagFolder) = try checkOut(fixture, ref: "v1")
        #expect(tag.resolved == ResolvedRef(refName: "refs/tags/v1", commit: ObjectID(hex: fixture.first)!))
        #expect(try String(contentsOfFile: tagFolder + "/secrets/api-token.sealed", encoding: .utf8).contains("version: 1"))
        let (commit, _) = try checkOut(fixture, ref: String(fixture.first.prefix(10)))
        #expect(commit.resolved == ResolvedRef(refName: nil, commit: ObjectID(hex: fixture.first)!))
        #expect(commit.update == .upToDate)
    }

    @Test func aCommitIDAlreadyInTheMirrorNeedsNoRemote() throws {
        let fixture = try RunnerFixture()
        _ = try checkOut(fixture, ref: "main")
        try FileManager.default.removeItem(atPath: fixture.published.remote)
        let (byID, _) = try checkOut(fixture, ref: fixture.first)
        #expect(byID.update == .upToDate)
        #expect(throws: RunnerError.self) { try checkOut(fixture, ref: "main") }
    }

    @Test func fileURLsWorkAndLocalPathsAreMadeAbsolute() throws {
        let fixture = try RunnerFixture()
        let (viaURL, _) = try checkOut(fixture, ref: "main", repo: "file://" + fixture.published.remote)
        #expect(viaURL.resolved.commit == ObjectID(hex: fixture.first))
        let cache = try RunnerCache(root: fixture.cache)
        let remote = fixture.published.remote
        #expect(MirrorSync(cache: cache, repo: remote + "/").repo == remote)
        #expect(MirrorSync(cache: cache, repo: fixture.folder + "/work/../remote.git").repo == remote)
        #expect(MirrorSync(cache: cache, repo: "team/repo").repo == FileManager.default.currentDirectoryPath + "/team/repo")
        #expect(MirrorSync(cache: cache, repo: "git@example.com:team/repo.git").repo == "git@example.com:team/repo.git")
        #expect(MirrorSync(cache: cache, repo: "https://example.com/team/repo.git").repo == "https://example.com/team/repo.git")
    }

    @Test func anUnreachableRepoLeavesNothingInTheCache() throws {
        let fixture = try RunnerFixture()
        let missing = fixture.folder + "/nowhere.git"
        #expect {
            try checkOut(fixture, ref: "main", repo: missing)
        } throws: { error in
            guard case RunnerError.unreachable(let repo, _) = error else { return false }
            return repo == missing
        }
        #expect(fixture.cacheEntries("mirrors").allSatisfy { $0.hasSuffix(".lock") })
        #expect(fixture.cacheEntries("incoming").isEmpty)
    }

    @Test func anUnknownRefIsRefusedAndTheMirrorStaysUsable() throws {
        let fixture = try RunnerFixture()
        #expect {
            try checkOut(fixture, ref: "no-such-branch")
        } throws: { error in
            guard case RunnerError.unknownRef(let ref, _) = error else { return false }
            return ref == "no-such-branch" && "\(error)".contains("no branch, tag or commit 'no-such-branch'")
        }
        #expect(throws: RunnerError.self) { try checkOut(fixture, ref: "0123456789abcdef") }
        let (after, _) = try checkOut(fixture, ref: "main")
        #expect(after.update == .upToDate)
    }

    @Test func aNameThatIsBothABranchAndATagIsRefusedWithTheFix() throws {
        let fixture = try RunnerFixture()
        try fixture.published.tagAndPush("release")
        try fixture.published.git("push", "--quiet", "origin", "HEAD:refs/heads/release")
        #expect {
            try checkOut(fixture, ref: "release")
        } throws: { error in
            guard case RunnerError.unusableRef(let ref, _, _) = error else { return false }
            return ref == "release" && "\(error)".contains("pass refs/tags/release or refs/heads/release")
        }
        let (tag, _) = try checkOut(fixture, ref: "refs/tags/release")
        #expect(tag.resolved.commit == ObjectID(hex: fixture.first))
    }

    @Test func aMirrorWithAnotherOriginIsRebuilt() throws {
        let fixture = try RunnerFixture()
        let cache = try RunnerCache(root: fixture.cache)
        let other = try PublishedRepo(in: fixture.scratch.folder("other"))
        try other.write("other\n", to: "README")
        try other.commitAndPush("other repository")
        _ = try BareMirror.clone(from: other.remote, into: cache.mirrorPath(for: fixture.published.remote))
        let (rebuilt, _) = try checkOut(fixture, ref: "main")
        #expect(rebuilt.update == .rebuilt)
        #expect(rebuilt.resolved.commit == ObjectID(hex: fixture.first))
    }

    @Test func aBrokenMirrorAndLeftoversOfAKilledRunAreRebuilt() throws {
        let fixture = try RunnerFixture()
        let cache = try RunnerCache(root: fixture.cache)
        let mirror = cache.mirrorPath(for: fixture.published.remote)
        // What a run killed mid-clone in an older layout, or a disk error, might leave.
        try FileManager.default.createDirectory(atPath: mirror + "/objects", withIntermediateDirectories: true)
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: mirror + "/HEAD"))
        let incoming = fixture.cache + "/incoming/" + RunnerCache.mirrorName(for: fixture.published.remote) + ".killed"
        try FileManager.default.createDirectory(atPath: incoming + "/objects", withIntermediateDirectories: true)

        let (rebuilt, target) = try checkOut(fixture, ref: "main")
        #expect(rebuilt.update == .rebuilt)
        #expect(FileManager.default.fileExists(atPath: target + "/workspace.yaml"))
        #expect(fixture.cacheEntries("incoming").isEmpty)
    }

    @Test func aStaleRefLockFromAKilledFetchDoesNotBlockTheNextFetch() throws {
        let fixture = try RunnerFixture()
        _ = try checkOut(fixture, ref: "main")
        let mirror = try RunnerCache(root: fixture.cache).mirrorPath(for: fixture.published.remote)
        try Data().write(to: URL(fileURLWithPath: mirror + "/refs/heads/main.lock"))
        let second = try fixture.rotate(to: "second-value")
        let (moved, _) = try checkOut(fixture, ref: "main")
        #expect(moved.update == .fetched)
        #expect(moved.resolved.commit == ObjectID(hex: second))
    }

    @Test func twoRunnersOnOneCacheAtOnceBothSucceed() async throws {
        let fixture = try RunnerFixture()
        let remote = fixture.published.remote
        let cacheRoot = fixture.cache
        let base = fixture.folder
        let commits = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<4 {
                group.addTask {
                    let cache = try RunnerCache(root: cacheRoot)
                    return try MirrorSync(cache: cache, repo: remote).checkOut(ref: "main", into: base + "/parallel-\(index)").resolved.commit.description
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(commits == Array(repeating: fixture.first, count: 4))
        _ = try BareMirror.open(at: try RunnerCache(root: cacheRoot).mirrorPath(for: remote))
    }
}

@Suite("Repository URLs in messages and reports")
struct RepoDisplayTests {
    @Test(arguments: [
        ("https://ci:s3cr3t-token@git.example.com/team/repo.git", "https://ci:***@git.example.com/team/repo.git"),  // journey:allow (a test value)
        ("https://git.example.com/team/repo.git", "https://git.example.com/team/repo.git"),
        ("ssh://git@git.example.com/team/repo.git", "ssh://git@git.example.com/team/repo.git"),
        ("git@git.example.com:team/repo.git", "git@git.example.com:team/repo.git"),
        ("https://tok3n-only@git.example.com/r.git", "https://***@git.example.com/r.git"),  // journey:allow (a test value)
        ("https://git.example.com/r.git?access_token=qu3ry&x=1", "https://git.example.com/r.git?access_token=***&x=***"),  // journey:allow (a test value)
    ])
    func aPasswordInTheURLIsNeverShown(url: String, shown: String) throws {
        let scratch = try ScratchFolder(label: "display")
        let sync = MirrorSync(cache: try RunnerCache(root: scratch.path("cache")), repo: url)
        #expect(sync.displayRepo == shown)
    }
}
