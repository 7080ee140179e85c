import Foundation
import Runner
import TestSupport
import Testing

@Suite("Rollback guard: the highest sealed version seen per repository, workspace and secret")
struct RollbackLedgerTests {
    let scratch: ScratchFolder
    let ledger: RollbackLedger
    let workspace = LedgerKey(repository: "/srv/git/journeys.git", workspaceID: String(repeating: "ab", count: 16))

    init() throws {
        scratch = try ScratchFolder(label: "ledger")
        ledger = RollbackLedger(cache: try RunnerCache(root: scratch.path("cache")))
    }

    @Test func refusesAVersionBelowTheHighestRecorded() throws {
        try ledger.check(workspace, versions: ["api-token": 3], allowRollback: false)
        try ledger.record(workspace, versions: ["api-token": 3], allowRollback: false)
        try ledger.check(workspace, versions: ["api-token": 3], allowRollback: false)
        try ledger.check(workspace, versions: ["api-token": 4, "other": 1], allowRollback: false)
        #expect {
            try ledger.check(workspace, versions: ["api-token": 2], allowRollback: false)
        } throws: { error in
            guard case RunnerError.rollback(let secret, _, let version, let highest, _) = error else { return false }
            let message = "\(error)"
            return secret == "api-token" && version == 2 && highest == 3 && message.contains("--allow-rollback")
        }
    }

    @Test func keepsRepositoriesAndWorkspacesApartAndNeverLowersAMarkWithoutTheFlag() throws {
        try ledger.record(workspace, versions: ["api-token": 5], allowRollback: false)
        try ledger.record(workspace, versions: ["api-token": 2], allowRollback: false)
        let other = LedgerKey(repository: workspace.repository, workspaceID: String(repeating: "cd", count: 16))
        let fork = LedgerKey(repository: "/srv/git/fork.git", workspaceID: workspace.workspaceID)
        try ledger.check(fork, versions: ["api-token": 1], allowRollback: false)
        try ledger.check(other, versions: ["api-token": 1], allowRollback: false)
        #expect(try ledger.highestVersions() == [workspace: ["api-token": 5]])
    }

    @Test func keepsEnvironmentsApartAcrossARereadOfTheFile() throws {
        var production = workspace
        production.environment = "production"
        var staging = workspace
        staging.environment = "staging"
        try ledger.record(production, versions: ["api-token": 7], allowRollback: false)
        try ledger.check(staging, versions: ["api-token": 1], allowRollback: false)
        try ledger.check(workspace, versions: ["api-token": 1], allowRollback: false)
        #expect(throws: RunnerError.self) { try ledger.check(production, versions: ["api-token": 6], allowRollback: false) }
        let reread = RollbackLedger(cache: try RunnerCache(root: scratch.path("cache")))
        #expect(try reread.highestVersions() == [production: ["api-token": 7]])
    }

    @Test func allowRollbackAcceptsALowerVersionAndMakesItTheNewMark() throws {
        try ledger.record(workspace, versions: ["api-token": 5], allowRollback: false)
        try ledger.check(workspace, versions: ["api-token": 2], allowRollback: true)
        try ledger.record(workspace, versions: ["api-token": 2], allowRollback: true)
        try ledger.check(workspace, versions: ["api-token": 2], allowRollback: false)
        #expect(try ledger.highestVersions()[workspace] == ["api-token": 2])
    }

    @Test func isWrittenOwnerOnlyAndAUnreadableLedgerIsAClearError() throws {
        try ledger.record(workspace, versions: ["api-token": 1], allowRollback: false)
        let attributes = try FileManager.default.attributesOfItem(atPath: ledger.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: ledger.path))
        #expect {
            try ledger.check(workspace, versions: ["api-token": 1], allowRollback: false)
        } throws: { error in
            "\(error)".contains("delete it to start the guard afresh")
        }
    }
}

@Suite("Work folders")
struct WorkFolderTests {
    let scratch: ScratchFolder
    let cache: RunnerCache

    init() throws {
        scratch = try ScratchFolder(label: "work")
        cache = try RunnerCache(root: scratch.path("cache"))
    }

    func entries() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: cache.root + "/work")) ?? [] }

    @Test func aFolderLeftByAKilledRunIsSweptButALiveOneIsNot() throws {
        let abandoned = cache.root + "/work/run-killed"
        try FileManager.default.createDirectory(atPath: abandoned + "/deep", withIntermediateDirectories: true)
        try Data("left".utf8).write(to: URL(fileURLWithPath: abandoned + "/deep/file"))
        let live = try WorkFolder(in: cache)
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        let second = try WorkFolder(in: cache)
        #expect(FileManager.default.fileExists(atPath: live.path), "a folder whose run holds its lock stays")
        #expect(Set(entries()) == Set([live.path, second.path].map { ($0 as NSString).lastPathComponent }))
        try live.remove()
        try second.remove()
        #expect(entries().isEmpty)
    }

    @Test func workFoldersAreSpreadOverTheDiskWhereTheFileSystemAllows() throws {
        // `lsattr` answers only on file systems with inode flags (ext2/3/4); elsewhere there is
        // nothing to check.
        let result = try Subprocess.run("lsattr", ["-d", cache.root + "/work"])
        guard result.exitCode == 0 else { return }
        let flags = result.stdoutText.split(separator: " ").first ?? ""
        #expect(flags.contains("T"), "work/ is marked as a top directory (chattr +T): \(result.stdoutText)")
    }
}
