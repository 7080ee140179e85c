import FileIO
import Foundation
import TestSupport
import Testing

/// The runner removes each run's work folder with `FolderTree.remove`: whatever a step left
/// there goes, and nothing outside it is touched.
@Suite("Removing a run's work folder")
struct FolderTreeTests {
    let scratch: ScratchFolder
    init() throws { scratch = try ScratchFolder(label: "folder-tree") }

    /// What a hostile or careless step can leave: many files, deep folders, folders it took
    /// every permission from (which matters only when the tests do not run as root), links to
    /// the outside, a FIFO.
    @Test(arguments: [0, 2])
    func everythingAStepLeftIsRemovedAndNothingOutsideIsTouched(threads: Int) throws {
        let outside = try scratch.folder("outside")
        let keep = try scratch.write("keep me\n", to: "outside/keep.txt")
        let work = try scratch.folder("work")
        for index in 0..<400 { _ = try scratch.write("file \(index)\n", to: "work/many/f\(index)") }
        _ = try scratch.write("deep\n", to: "work/a/b/c/d/e/f/deep.txt")
        _ = try scratch.write("locked\n", to: "work/locked/inner/file")
        _ = try scratch.write("read-only\n", to: "work/read-only/file")
        try FileManager.default.createSymbolicLink(atPath: work + "/link-to-outside", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: work + "/a/b/escape", withDestinationPath: "../../../outside")
        try FileManager.default.createSymbolicLink(atPath: work + "/dangling", withDestinationPath: "/no/such/place")
        mkfifo(work + "/fifo", 0o600)
        chmod(work + "/locked/inner", 0)
        chmod(work + "/locked", 0)
        chmod(work + "/read-only", 0o500)

        try FolderTree.remove(work, workers: FileSystemWorkers(threads: threads))

        #expect(!FileManager.default.fileExists(atPath: work))
        #expect(try String(contentsOfFile: keep, encoding: .utf8) == "keep me\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["keep.txt"])
    }

    /// A step can nest folders deeper than the descriptor limit (`mkdir d; cd d` in a loop):
    /// removal holds only `heldFolders` of them open and climbs back through `..`.
    @Test func aTreeDeeperThanTheFoldersHeldOpenIsRemoved() throws {
        let work = try scratch.folder("deep")
        var relative = "deep"
        for level in 0..<(FolderTree.heldFolders * 3 + 5) {
            relative += "/d"
            if level % 50 == 0 { _ = try scratch.write("level \(level)\n", to: relative + "/file") }
            if level % 70 == 0 { try FileManager.default.createDirectory(atPath: scratch.path(relative + "/side/branch"), withIntermediateDirectories: true) }
        }
        try FileManager.default.createDirectory(atPath: scratch.path(relative), withIntermediateDirectories: true)
        _ = try scratch.write("bottom\n", to: relative + "/bottom")
        try FolderTree.remove(work, workers: FileSystemWorkers(threads: 2))
        #expect(!FileManager.default.fileExists(atPath: work))
    }

    @Test func aMissingPathIsFineAndALinkIsRemovedNotFollowed() throws {
        try FolderTree.remove(scratch.path("never-made"))
        let target = try scratch.folder("target")
        _ = try scratch.write("stays\n", to: "target/file")
        let link = scratch.path("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try FolderTree.remove(link)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == nil)
        #expect(FileManager.default.fileExists(atPath: target + "/file"))
    }

    /// The pool keeps the first failure, drops the jobs not started, and throws it from
    /// `submit` (so the producer stops) and from `finish`.
    @Test func aFailingJobStopsThePoolAndItsFailureIsThrown() throws {
        let workers = FileSystemWorkers(threads: 2, capacity: 4)
        var thrown: SystemCallFailure?
        for index in 0..<200 {
            do {
                try workers.submit { index == 17 ? SystemCallFailure("job \(index)", code: EIO) : nil }
            } catch {
                thrown = error
                break
            }
        }
        do {
            try workers.finish()
            Issue.record("finish() should throw the failure")
        } catch {
            thrown = thrown ?? error
            #expect(error == SystemCallFailure("job 17", code: EIO))
        }
        #expect(thrown == SystemCallFailure("job 17", code: EIO))
    }

    @Test func withoutThreadsJobsRunInsideSubmitInOrder() throws {
        let workers = FileSystemWorkers(threads: 0)
        nonisolated(unsafe) var order: [Int] = []
        for index in 0..<5 {
            try workers.submit {
                order.append(index); return nil
            }
        }
        try workers.finish()
        #expect(order == [0, 1, 2, 3, 4])
    }
}
