import Foundation
import GitStore
import TestSupport
import Testing

@Suite("Bare mirrors: clone, compare, fetch, resolve, check out")
struct BareMirrorTests {
    let scratch: ScratchFolder
    let published: PublishedRepo
    let first: String
    var folder: String { scratch.path }

    init() throws {
        scratch = try ScratchFolder(label: "mirror")
        published = try PublishedRepo(in: scratch.path)
        try published.write("hello\n", to: "README")
        try published.write("#!/bin/sh\necho hi\n", to: "scripts/hi.sh")
        chmod(published.work + "/scripts/hi.sh", 0o755)
        try FileManager.default.createSymbolicLink(atPath: published.work + "/link", withDestinationPath: "README")
        first = try published.commitAndPush("first")
        try published.tagAndPush("v1", message: "release")
    }

    @Test func clonesEveryRefAndResolvesBranchTagAndCommitIDs() throws {
        let mirror = try BareMirror.clone(from: published.remote, into: folder + "/mirror")
        #expect(try mirror.originURL() == published.remote)
        #expect(try mirror.resolve("main") == ResolvedRef(refName: "refs/heads/main", commit: ObjectID(hex: first)!))
        #expect(try mirror.resolve("v1") == ResolvedRef(refName: "refs/tags/v1", commit: ObjectID(hex: first)!))
        #expect(try mirror.resolve("refs/heads/main")?.commit == ObjectID(hex: first))
        #expect(try mirror.resolve(first) == ResolvedRef(refName: nil, commit: ObjectID(hex: first)!))
        #expect(try mirror.resolve(String(first.prefix(7))) == ResolvedRef(refName: nil, commit: ObjectID(hex: first)!))
        #expect(try mirror.resolve("no-such-branch") == nil)
        #expect(try mirror.resolve("deadbeef") == nil)
    }

    @Test func refusesANameThatIsBothABranchAndATag() throws {
        try published.git("branch", "v1")
        try published.git("push", "--quiet", "origin", "refs/heads/v1:refs/heads/v1")
        let mirror = try BareMirror.clone(from: published.remote, into: folder + "/mirror")
        #expect(throws: GitError.self) { try mirror.resolve("v1") }
        #expect(try mirror.resolve("refs/heads/v1")?.commit == ObjectID(hex: first))
    }

    @Test func advertisedRefsMatchUntilTheRemoteMovesAndAFetchCatchesUp() throws {
        let mirror = try BareMirror.clone(from: "file://" + published.remote, into: folder + "/mirror")
        let before = try OriginConnection(to: mirror).advertisedRefs()
        #expect(before["refs/heads/main"] == first)
        #expect(mirror.localTarget(ofRef: "refs/heads/main") == first)
        #expect(mirror.localTarget(ofRef: "refs/tags/v1") == before["refs/tags/v1"])

        try published.write("two\n", to: "README")
        let second = try published.commitAndPush("second")
        try published.git("push", "--quiet", "origin", "--delete", "refs/tags/v1")
        let connection = try OriginConnection(to: mirror)
        #expect(try connection.advertisedRefs()["refs/heads/main"] == second)
        #expect(mirror.localTarget(ofRef: "refs/heads/main") == first)
        try connection.fetch()
        #expect(mirror.localTarget(ofRef: "refs/heads/main") == second)
        #expect(mirror.localTarget(ofRef: "refs/tags/v1") == nil, "a ref deleted on the remote is pruned")
    }

    @Test func checksACommitOutIntoAFreshFolderWithModesAndLinks() throws {
        try published.write("two\n", to: "README")
        try published.commitAndPush("second")
        let mirror = try BareMirror.clone(from: published.remote, into: folder + "/mirror")
        let target = folder + "/checkout"
        try mirror.writeTree(ofCommit: ObjectID(hex: first)!, into: target)
        #expect(try String(contentsOfFile: target + "/README", encoding: .utf8) == "hello\n")
        #expect(FileManager.default.isExecutableFile(atPath: target + "/scripts/hi.sh"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target + "/link") == "README")
        #expect(!FileManager.default.fileExists(atPath: target + "/.git"))
        #expect(!FileManager.default.fileExists(atPath: mirror.path + "/index"), "the mirror's index is untouched")
    }

    /// The files are written by worker threads: every file lands whole, with its mode, in its
    /// folder, whether it is queued (small) or written by the walking thread (1 MiB and up).
    @Test func aTreeOfManyFilesInManyFoldersIsWrittenByteForByte() throws {
        var expected: [String: [UInt8]] = [:]
        for folderIndex in 0..<4 {
            for fileIndex in 0..<150 {
                let path = "d\(folderIndex)/" + (fileIndex % 3 == 0 ? "sub/" : "") + "f\(fileIndex).txt"
                expected[path] = Array("file \(path)\n".utf8) + [UInt8](repeating: UInt8(fileIndex & 0x7f), count: fileIndex * 7)
            }
        }
        expected["big/blob.bin"] = (0..<(3 << 19)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        expected["empty"] = []
        for (path, bytes) in expected {
            let file = published.work + "/" + path
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: file))
        }
        let commit = try published.commitAndPush("many files")
        let mirror = try BareMirror.clone(from: published.remote, into: folder + "/mirror")
        let target = folder + "/checkout"
        try mirror.writeTree(ofCommit: ObjectID(hex: commit)!, into: target)
        for (path, bytes) in expected {
            #expect(FileManager.default.contents(atPath: target + "/" + path).map { [UInt8]($0) } == bytes, "\(path)")
        }
        let written = Set(
            FileManager.default.enumerator(atPath: target)!.compactMap { $0 as? String }.filter {
                var isFolder: ObjCBool = false
                return FileManager.default.fileExists(atPath: target + "/" + $0, isDirectory: &isFolder) && !isFolder.boolValue
            })
        #expect(written == Set(expected.keys).union(["README", "scripts/hi.sh", "link"]))
    }

    /// A worker's failure stops the checkout and names the file; nothing is written over.
    @Test func aFileThatCannotBeCreatedStopsTheCheckoutNamingIt() throws {
        let mirror = try BareMirror.clone(from: published.remote, into: folder + "/mirror")
        let target = folder + "/checkout"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try "mine\n".write(toFile: target + "/README", atomically: false, encoding: .utf8)
        #expect {
            try mirror.writeTree(ofCommit: ObjectID(hex: first)!, into: target)
        } throws: { error in
            (error as? GitError)?.message == "create \(target)/README: File exists"
        }
        #expect(try String(contentsOfFile: target + "/README", encoding: .utf8) == "mine\n")
    }

    @Test(arguments: [".git", ".GIT", ".."])
    func aTreeWithAnEntryGitRefusesIsNotCheckedOut(name: String) throws {
        // Craft a tree git itself would never write: one blob under `name`.
        let blob = try published.git("rev-parse", "HEAD:README")
        var tree = Array("100644 \(name)".utf8) + [0]
        tree += stride(from: 0, to: 40, by: 2).map { UInt8(blob.dropFirst($0).prefix(2), radix: 16)! }
        let treeID = try Git.run(["hash-object", "-t", "tree", "-w", "--literally", "--stdin"], in: published.remote, stdin: tree)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let commit = try Git.run(["commit-tree", treeID, "-m", "unsafe"], in: published.remote).trimmingCharacters(in: .whitespacesAndNewlines)
        try Git.run(["update-ref", "refs/heads/unsafe", commit], in: published.remote)
        let mirror = try BareMirror.clone(from: published.remote, into: folder + "/mirror")
        #expect {
            try mirror.writeTree(ofCommit: ObjectID(hex: commit)!, into: folder + "/checkout")
        } throws: { error in
            "\(error)".contains("which git refuses to check out")
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/.git"))
    }

    @Test func aClonePackTransferReportsProgressToTheEnd() throws {
        nonisolated(unsafe) var seen: [TransferProgress] = []
        _ = try BareMirror.clone(from: "file://" + published.remote, into: folder + "/mirror") { seen.append($0) }
        let last = try #require(seen.last)
        #expect(last.totalObjects > 0)
        #expect(last.receivedObjects == last.totalObjects)
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
