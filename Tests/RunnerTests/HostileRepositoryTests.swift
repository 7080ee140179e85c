import FileIO
import Foundation
import Runner
import TestSupport
import Testing

/// Issue 9: a repository is untrusted input to the runner. Each test is named after the threat,
/// builds a local bare repository that carries the attack, and runs the real `journey runner`.
@Suite("journey runner: hostile repositories and a hostile network")
struct HostileRepositoryTests {
    /// The workspace id of the fixture's workspace.
    static func workspaceID(_ fixture: RunnerCLIFixture) throws -> String {
        let text = try String(contentsOfFile: fixture.published.work + "/workspace.yaml", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("id: ") })
        return String(line.dropFirst(4))
    }

    // MARK: 5 symlinks

    @Test func aSymlinkOutOfTheCheckoutIsRefusedAndNothingOfItsTargetIsShown() throws {
        let fixture = try RunnerCLIFixture()
        let host = Canary()
        let hostFile = fixture.scratch.path("host-file.txt")
        try Data(("not: yaml: [" + host.text + "\n").utf8).write(to: URL(fileURLWithPath: hostFile))
        let climb = String(repeating: "../", count: 40) + hostFile.dropFirst()
        // Each attack: the entry replaced by a link, and the link's target.
        let attacks: [(entry: String, target: String, extra: [(String, String)])] = [
            ("secrets/api-token.sealed", hostFile, []),
            ("workspace.yaml", climb, []),
            // Inside by its text (d1/d2/up/.. is d1/d2), outside in fact: `up` leads to the root.
            ("journeys/show.yaml", "../d1/d2/up/../../../../../../../../../../../../../../../../../../../" + hostFile.dropFirst(), [("d1/d2/up", "../..")]),
            ("secrets", "d1/d2/up/..", [("d1/d2/up", "../..")]),
        ]
        for attack in attacks {
            try fixture.published.git("reset", "--quiet", "--hard", fixture.first)
            let path = fixture.published.work + "/" + attack.entry
            try FileManager.default.removeItem(atPath: path)
            for (link, target) in attack.extra {
                try FileManager.default.createDirectory(
                    atPath: (fixture.published.work + "/" + link as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(atPath: fixture.published.work + "/" + link, withDestinationPath: target)
            }
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: attack.target)
            let commit = try Git.commitAll(in: fixture.published.work, message: "link \(attack.entry) out")
            try fixture.published.git("push", "--quiet", "--force", "origin", "HEAD:refs/heads/attack")
            let result = try fixture.runner(ref: commit)
            #expect(result.exitCode == 2, "\(attack.entry): \(result.allOutput)")
            #expect(result.stderrText.contains("symbolic link"), "\(attack.entry): \(result.stderrText)")
            #expect(result.stderrText.contains("outside the checkout"), "\(attack.entry): \(result.stderrText)")
            #expect(!host.appears(in: result.allOutput), "\(attack.entry): the host file's content is not shown")
            #expect(fixture.halfWrittenState().isEmpty)
        }
        // A link that stays inside the checkout is fine.
        try fixture.published.git("reset", "--quiet", "--hard", fixture.first)
        try FileManager.default.createSymbolicLink(atPath: fixture.published.work + "/docs-link", withDestinationPath: "journeys/show.yaml")
        let insideCommit = try Git.commitAll(in: fixture.published.work, message: "an inside link")
        try fixture.published.git("push", "--quiet", "--force", "origin", "HEAD:refs/heads/attack")
        let inside = try fixture.runner(ref: insideCommit)
        #expect(inside.exitCode == 0, "\(inside.allOutput)")
    }

    @Test func anUnparsableCheckedOutFileIsShownByPositionNeverQuoted() throws {
        let fixture = try RunnerCLIFixture()
        let planted = Canary()
        try fixture.published.write("name: show\nsteps:\n  - name: a\n    run: echo\n    \(planted.text): 1\n", to: "journeys/show.yaml")
        try fixture.published.write("name: two\nsteps: [ \"\(planted.text)\n", to: "journeys/two.yaml")
        try fixture.published.commitAndPush("journeys that do not parse")
        for journey in ["show", "two"] {
            let result = try fixture.runner(journey: journey)
            #expect(result.exitCode == 2, "\(result.allOutput)")
            #expect(result.stderrText.contains("journeys/\(journey).yaml:"), "\(result.stderrText)")
            #expect(!planted.appears(in: result.allOutput), "\(result.allOutput)")
        }
        let workspace = try String(contentsOfFile: fixture.published.work + "/workspace.yaml", encoding: .utf8)
        try fixture.published.write(workspace + "\(planted.text): 1\n", to: "workspace.yaml")
        try fixture.published.commitAndPush("a workspace that does not parse")
        let result = try fixture.runner()
        #expect(result.exitCode == 2, "\(result.allOutput)")
        #expect(result.stderrText.contains("workspace.yaml:"), "\(result.stderrText)")
        #expect(!planted.appears(in: result.allOutput), "\(result.allOutput)")
    }

    // MARK: 6 size limits

    @Test func aCheckoutOverTheSizeLimitsIsRefusedBeforeAnythingIsWritten() throws {
        let fixture = try RunnerCLIFixture()
        // 3 MiB of zeros: a few KiB in the push, 3 MiB in the checkout.
        try Data(count: 3 << 20).write(to: URL(fileURLWithPath: fixture.published.work + "/big.bin"))
        for index in 0..<20 { try fixture.published.write("\(index)\n", to: "many/\(index).txt") }
        try fixture.published.commitAndPush("a big file and many small ones")

        let bigFile = try fixture.runner(extra: ["--max-file-size", "1M"])
        #expect(bigFile.exitCode == 2, "\(bigFile.allOutput)")
        #expect(bigFile.stderrText.contains("big.bin"), "\(bigFile.stderrText)")
        #expect(bigFile.stderrText.contains("--max-file-size"), "\(bigFile.stderrText)")
        let total = try fixture.runner(extra: ["--max-checkout-size", "2M"])
        #expect(total.exitCode == 2, "\(total.allOutput)")
        #expect(total.stderrText.contains("--max-checkout-size"), "\(total.stderrText)")
        let files = try fixture.runner(extra: ["--max-checkout-files", "10"])
        #expect(files.exitCode == 2, "\(files.allOutput)")
        #expect(files.stderrText.contains("--max-checkout-files"), "\(files.stderrText)")
        #expect(fixture.halfWrittenState().isEmpty)
        #expect(fixture.ledger().isEmpty, "refused before any secret was opened")

        let raised = try fixture.runner(extra: ["--max-file-size", "4M", "--max-checkout-size", "8M", "--max-checkout-files", "100"])
        #expect(raised.exitCode == 0, "\(raised.allOutput)")
    }

    @Test func aSealedFileWithAHugeDescriptionIsRefusedWithoutPrintingIt() throws {
        let fixture = try RunnerCLIFixture()
        let path = fixture.published.work + "/secrets/api-token.sealed"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let filler = "X" + Canary().text + String(repeating: "d", count: 200_000)
        let edited = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("description: ") ? "description: \"\(filler)\"" : String($0) }.joined(separator: "\n")
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        try fixture.published.commitAndPush("a huge description")

        let list = try JourneyBinary.run(["secret", "list"], in: fixture.published.work, configHome: fixture.configHome)
        #expect(!list.allOutput.contains(filler.prefix(60)), "the description is not printed")
        #expect(list.allOutput.contains("description"), "\(list.allOutput.prefix(600))")
        let run = try fixture.runner()
        #expect(run.exitCode == 2, "\(run.allOutput.prefix(600))")
        #expect(run.stderrText.contains("secrets/api-token.sealed:"), "\(run.stderrText.prefix(600))")
        #expect(!run.allOutput.contains(filler.prefix(60)))
    }

    // MARK: 7 workspace pin

    @Test func aWorkspaceIDThisRunnerDoesNotServeIsRefusedBeforeAnySecretOpens() throws {
        let fixture = try RunnerCLIFixture()
        let own = try Self.workspaceID(fixture)
        let other = String(repeating: "ab", count: 16)
        let refused = try fixture.runner(extra: ["--workspace-id", other])
        #expect(refused.exitCode == 2, "\(refused.allOutput)")
        #expect(refused.stderrText.contains("workspace \(own)"), "\(refused.stderrText)")
        #expect(refused.stderrText.contains("--workspace-id"), "\(refused.stderrText)")
        #expect(RunnerCLIFixture.printed("value", in: refused) == nil, "no step ran")
        #expect(fixture.ledger().isEmpty, "no secret was opened")

        let byFlag = try fixture.runner(extra: ["--workspace-id", other, "--workspace-id", own])
        #expect(byFlag.exitCode == 0, "\(byFlag.allOutput)")
        let byEnvironment = try fixture.runner(environment: ["JOURNEY_WORKSPACE_IDS": "\(other),\(own)"])
        #expect(byEnvironment.exitCode == 0, "\(byEnvironment.allOutput)")
        let refusedByEnvironment = try fixture.runner(environment: ["JOURNEY_WORKSPACE_IDS": other])
        #expect(refusedByEnvironment.exitCode == 2)
        let malformed = try fixture.runner(extra: ["--workspace-id", "not-an-id"])
        #expect(malformed.exitCode == 2)
        #expect(malformed.stderrText.contains("32 lowercase hex digits"), "\(malformed.stderrText)")
    }

    // MARK: 8 rollback guard

    @Test func aBranchSealedAtAHighVersionCannotLockMainOut() throws {
        let fixture = try RunnerCLIFixture()
        // The attacker's branch: the same secret sealed again and again with the public keys.
        try fixture.published.git("checkout", "--quiet", "-b", "evil")
        try fixture.journey(["secret", "update", "api-token"], stdin: Canary().text)
        try fixture.journey(["secret", "update", "api-token"], stdin: Canary().text)
        let evilCommit = try Git.commitAll(in: fixture.published.work, message: "version 3")
        try fixture.published.git("push", "--quiet", "origin", "evil")
        try fixture.published.git("checkout", "--quiet", "main")

        let policy = ["--allow-ref", "main", "--allow-ref", "release/*"]
        let evil = try fixture.runner(ref: "evil", extra: policy)
        #expect(evil.exitCode == 2, "\(evil.allOutput)")
        #expect(evil.stderrText.contains("--allow-ref"), "\(evil.stderrText)")
        #expect(RunnerCLIFixture.printed("value", in: evil) == nil, "nothing ran")
        let evilByID = try fixture.runner(ref: evilCommit, extra: policy)
        #expect(evilByID.exitCode == 2, "a commit no allowed ref reaches: \(evilByID.allOutput)")
        let fromEnvironment = try fixture.runner(ref: "evil", environment: ["JOURNEY_ALLOW_REFS": "main"])
        #expect(fromEnvironment.exitCode == 2, "\(fromEnvironment.allOutput)")
        #expect(fixture.ledger().isEmpty || !String(decoding: fixture.ledger(), as: UTF8.self).contains(": 3"))

        let main = try fixture.runner(extra: policy)
        #expect(main.exitCode == 0, "main still runs: \(main.allOutput)")
        let mainByID = try fixture.runner(ref: fixture.first, extra: policy)
        #expect(mainByID.exitCode == 0, "a commit main reaches: \(mainByID.allOutput)")

        // Without a policy every ref runs, but none raises the marks.
        let unpinned = try fixture.runner(ref: "evil")
        #expect(unpinned.exitCode == 0, "\(unpinned.allOutput)")
        let afterUnpinned = try fixture.runner(extra: policy)
        #expect(afterUnpinned.exitCode == 0, "an unpinned run did not raise the marks: \(afterUnpinned.allOutput)")
    }

    @Test func theLedgerIsKeyedByRepositorySoAForkCannotRaiseTheMarks() throws {
        let fixture = try RunnerCLIFixture()
        let fork = fixture.scratch.path("fork.git")
        try Git.run(["clone", "--quiet", "--bare", fixture.published.remote, fork], in: fixture.scratch.path)
        try fixture.rotate(to: Canary().text)
        try Git.run(["fetch", "--quiet", fixture.published.remote, "+refs/heads/*:refs/heads/*"], in: fork)
        #expect(try fixture.runner(repo: fork, extra: ["--allow-ref", "main"]).exitCode == 0)
        // The real repository, still at version 1 on an allowed ref, is not held to the fork's mark.
        let original = try fixture.runner(ref: fixture.first, extra: ["--allow-ref", "main"])
        #expect(original.exitCode == 0, "\(original.allOutput)")
        let json = try #require(try JSONSerialization.jsonObject(with: fixture.ledger()) as? [String: Any])
        #expect((json["entries"] as? [[String: Any]])?.count == 2, "one entry per repository: \(json)")
    }

    // MARK: 25 rollback race

    @Test func aRunThatFetchedTheTipIsNotRefusedWhenAnotherRunRecordsANewerVersionMeanwhile() throws {
        let fixture = try RunnerCLIFixture()
        #expect(try fixture.runner(extra: ["--allow-ref", "main"]).exitCode == 0)
        let cache = try RunnerCache(root: fixture.cache)
        var held: FileLock? = try FileLock(path: fixture.cache + "/rollback-ledger.lock")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: JourneyBinary.path)
        process.arguments = [
            "runner", "--repo", fixture.published.remote, "--ref", "main", "--journey", "show", "--cache", fixture.cache,
            "--key-file", fixture.keyFile, "--allow-ref", "main",
        ]
        process.environment = JourneyBinary.environment(configHome: fixture.configHome)
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        defer { watchdog.cancel() }
        var said = ""
        while !said.contains("waiting for another runner using the cache (rollback ledger)") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            said += String(decoding: chunk, as: UTF8.self)
        }
        // Meanwhile another run (of a later push) records version 2.
        let ledgerPath = cache.ledgerPath
        var text = try String(contentsOfFile: ledgerPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"api-token\" : 1", with: "\"api-token\" : 2")
        #expect(text.contains("\"api-token\" : 2"), "\(text)")
        try AtomicFile.write(text, to: ledgerPath)
        held = nil
        _ = held
        let rest = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(said)\(String(decoding: rest, as: UTF8.self))")
        #expect(try String(contentsOfFile: ledgerPath, encoding: .utf8).contains("\"api-token\" : 2"), "the newer mark stays")
    }

    // MARK: 17 default cache folder

    @Test func theDefaultCacheFolderIsCreatedOnAFreshMachine() throws {
        let fixture = try RunnerCLIFixture()
        let xdg = fixture.scratch.path("fresh/xdg-cache")
        let arguments = ["runner", "--repo", fixture.published.remote, "--ref", "main", "--journey", "show", "--key-file", fixture.keyFile]
        let result = try JourneyBinary.run(arguments, in: fixture.scratch.path, configHome: fixture.configHome, environment: ["XDG_CACHE_HOME": xdg])
        #expect(result.exitCode == 0, "\(result.allOutput)")
        for folder in [xdg + "/journey", xdg + "/journey/runner"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: folder)
            #expect((attributes[.posixPermissions] as? Int) == 0o700, "\(folder)")
        }
        let nested = fixture.scratch.path("some/nested/cache")
        let withCache = try fixture.runner(extra: ["--cache", nested])
        #expect(withCache.exitCode == 0, "\(withCache.allOutput)")
        #expect(FileManager.default.fileExists(atPath: nested + "/mirrors"))
    }

    // MARK: 21 output paths first

    @Test func anUnwritableReportPathIsRefusedBeforeAnythingRuns() throws {
        let fixture = try RunnerCLIFixture()
        for report in [fixture.scratch.path("no-such-folder/report.json"), fixture.scratch.path("config")] {
            let result = try fixture.runner(extra: ["--report", report])
            #expect(result.exitCode == 2, "\(result.allOutput)")
            #expect(result.stderrText.contains(report), "\(result.stderrText)")
            #expect(RunnerCLIFixture.printed("value", in: result) == nil, "no step ran")
            #expect(fixture.entries("mirrors").isEmpty, "nothing was fetched")
        }
    }

    // MARK: 20 network timeout

    /// A TCP listener on 127.0.0.1 that never accepts: the kernel completes the handshake, then
    /// nothing is ever said.
    final class SilentServer {
        let descriptor: Int32
        let port: UInt16

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.descriptor = descriptor
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
            guard bound == 0, listen(descriptor, 16) == 0 else { throw SubprocessError.notFound("a loopback port", searchPath: "") }
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit { close(descriptor) }
    }

    @Test func aServerThatNeverAnswersTimesOutAndReleasesTheMirrorLock() throws {
        let fixture = try RunnerCLIFixture()
        let server = try SilentServer()
        for url in ["http://127.0.0.1:\(server.port)/r.git", "git://127.0.0.1:\(server.port)/r.git", "https://127.0.0.1:\(server.port)/r.git"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: JourneyBinary.path)
            process.arguments = [
                "runner", "--repo", url, "--ref", "main", "--journey", "show", "--cache", fixture.cache, "--key-file", fixture.keyFile,
                "--network-timeout", "1",
            ]
            process.environment = JourneyBinary.environment(configHome: fixture.configHome)
            let errors = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            let pid = process.processIdentifier
            let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
            let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            watchdog.cancel()
            #expect(process.terminationReason == .exit && process.terminationStatus == 2, "\(url): \(said)")
            #expect(said.contains(url), "\(url): \(said)")
            #expect(said.contains("no answer within 1 s"), "\(url): \(said)")
            let lock = open(try RunnerCache(root: fixture.cache).mirrorPath(for: url) + ".lock", O_RDWR | O_CLOEXEC)
            #expect(lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) == 0, "\(url): the mirror lock is free")
            close(lock)
        }
        #expect(fixture.halfWrittenState().isEmpty)
    }

    // MARK: 19 damaged mirror

    @Test func aDamagedMirrorIsRebuiltOnce() throws {
        let fixture = try RunnerCLIFixture()
        // Packed objects, so every kind of damage has something to hit.
        try Git.run(["repack", "-a", "-d", "--quiet"], in: fixture.published.remote)
        let mirror = try RunnerCache(root: fixture.cache).mirrorPath(for: fixture.published.remote)
        let pack = mirror + "/objects/pack"
        let damages: [(String, () throws -> Void)] = [
            (
                "truncated packs",
                {
                    for name in try FileManager.default.contentsOfDirectory(atPath: pack) where name.hasSuffix(".pack") {
                        // A new file, not an in-place truncation: a local clone hard-links the remote's packs.
                        let data = try Data(contentsOf: URL(fileURLWithPath: pack + "/" + name))
                        try FileManager.default.removeItem(atPath: pack + "/" + name)
                        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: pack + "/" + name))
                    }
                }
            ),
            (
                "missing .idx files",
                {
                    for name in try FileManager.default.contentsOfDirectory(atPath: pack) where name.hasSuffix(".idx") {
                        try FileManager.default.removeItem(atPath: pack + "/" + name)
                    }
                }
            ),
            (
                "an empty objects folder",
                {
                    for name in try FileManager.default.contentsOfDirectory(atPath: mirror + "/objects") {
                        try FileManager.default.removeItem(atPath: mirror + "/objects/" + name)
                    }
                }
            ),
        ]
        for (what, damage) in damages {
            try FolderRemovalForTests.remove(mirror)
            #expect(try fixture.runner().exitCode == 0)
            try damage()
            let report = fixture.scratch.path("damaged.json")
            let result = try fixture.runner(extra: ["--report", report])
            #expect(result.exitCode == 0, "\(what): \(result.allOutput)")
            #expect(try RunnerCLIFixture.report(at: report)["mirror"] as? String == "rebuilt", "\(what)")
            #expect(fixture.halfWrittenState().isEmpty, "\(what)")
        }
    }

    // MARK: 18 temp files of killed writes

    @Test func aKilledWriteLeavesNoTempFileInSecrets() throws {
        let fixture = try RunnerCLIFixture()
        let secrets = fixture.published.work + "/secrets"
        // A writer killed mid-write: its process is gone, its temp file stays.
        let shell = try Subprocess.run("sh", ["-c", "echo $$"])
        let deadPID = shell.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let dead = secrets + "/\(AtomicFile.tempPrefix)api-token.sealed.\(deadPID).1"
        try Data("partial".utf8).write(to: URL(fileURLWithPath: dead))
        // A writer still at work: this process, holding the temp file's lock.
        let live = secrets + "/\(AtomicFile.tempPrefix)api-token.sealed.\(getpid()).2"
        try Data("partial".utf8).write(to: URL(fileURLWithPath: live))
        let liveDescriptor = open(live, O_RDWR | O_CLOEXEC)
        defer { close(liveDescriptor) }
        #expect(flock(liveDescriptor, LOCK_EX | LOCK_NB) == 0)

        let status = try fixture.published.git("status", "--porcelain", "--untracked-files=all")
        #expect(!status.contains(AtomicFile.tempPrefix), "git ignores journey's temp files: \(status)")
        let scan = try JourneyBinary.run(["scan", "--all"], in: fixture.published.work, configHome: fixture.configHome)
        #expect(!scan.allOutput.contains(AtomicFile.tempPrefix), "\(scan.allOutput)")
        #expect(scan.exitCode == 0, "\(scan.allOutput)")

        try fixture.journey(["secret", "add", "other-token"], stdin: Canary().text)
        #expect(!FileManager.default.fileExists(atPath: dead), "the dead writer's temp file is removed by the next write")
        #expect(FileManager.default.fileExists(atPath: live), "a live writer's temp file is left alone")
    }

    // MARK: 23 each error names the real cause

    @Test func aRepositoryOwnedByAnotherUserIsNamedAsSuch() throws {
        guard getuid() == 0 else { return }  // needs root to hand the repository to another uid
        let fixture = try RunnerCLIFixture()
        let chown = try Subprocess.run("chown", ["-R", "65534:65534", fixture.published.remote])
        try #require(chown.exitCode == 0, "\(chown.allOutput)")
        let result = try fixture.runner()
        #expect(result.exitCode == 2, "\(result.allOutput)")
        #expect(result.stderrText.contains("owned by another user"), "\(result.stderrText)")
        #expect(!result.stderrText.contains("safe.directory' config"), "\(result.stderrText)")
    }
}

@Suite("Each error names the real cause and the file")
struct ErrorCauseTests {
    @Test func aDiskFullDuringACloneIsNotCalledUnreachable() throws {
        guard getuid() == 0 else { return }  // mounting a small file system needs root
        let fixture = try RunnerCLIFixture()
        // 2 MiB that does not compress, into a cache on a 1 MiB file system.
        var bytes = [UInt8](repeating: 0, count: 2 << 20)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        try Data(bytes).write(to: URL(fileURLWithPath: fixture.published.work + "/noise.bin"))
        try fixture.published.commitAndPush("incompressible noise")
        let small = try fixture.scratch.folder("small")
        guard (try? Subprocess.run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small]))?.exitCode == 0 else { return }
        defer { _ = try? Subprocess.run("umount", [small]) }
        for repo in [fixture.published.remote, "file://" + fixture.published.remote] {
            let result = try fixture.runner(repo: repo, extra: ["--cache", small + "/cache"])
            #expect(result.exitCode == 2, "\(repo): \(result.allOutput)")
            #expect(result.stderrText.contains("the disk is full"), "\(repo): \(result.stderrText)")
            #expect(!result.stderrText.contains("cannot reach repository"), "\(repo): \(result.stderrText)")
        }
    }

    @Test func aKeyFolderKeyWithALooseModeIsNamedNotSkipped() throws {
        let fixture = try RunnerCLIFixture()
        chmod(fixture.keyFile, 0o644)
        let result = try JourneyBinary.run(["run", "show", "--sealed"], in: fixture.published.work, configHome: fixture.configHome)
        #expect(result.exitCode == 2, "\(result.allOutput)")
        #expect(result.stderrText.contains("runner.key"), "\(result.stderrText)")
        #expect(result.stderrText.contains("chmod 600"), "\(result.stderrText)")
    }

    @Test func aMalformedRecipientsFileIsNamedNotCalledAMissingKey() throws {
        let fixture = try RunnerCLIFixture()
        try Data("recipients: [unclosed\n".utf8).write(to: URL(fileURLWithPath: fixture.published.work + "/secrets/recipients.yaml"))
        let result = try JourneyBinary.run(["run", "show", "--sealed"], in: fixture.published.work, configHome: fixture.configHome)
        #expect(result.exitCode == 2, "\(result.allOutput)")
        #expect(result.stderrText.contains("recipients.yaml"), "\(result.stderrText)")
        #expect(!result.stderrText.contains("no private key to open with"), "\(result.stderrText)")
    }

    @Test func anEditedWorkspaceIDIsNamedNotBlamedOnASealedFile() throws {
        let fixture = try RunnerCLIFixture()
        let path = fixture.published.work + "/workspace.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let id = try HostileRepositoryTests.workspaceID(fixture)
        try text.replacingOccurrences(of: id, with: String(repeating: "0", count: 32)).write(toFile: path, atomically: true, encoding: .utf8)
        try fixture.published.commitAndPush("edit the workspace id")
        let result = try fixture.runner()
        #expect(result.exitCode == 2, "\(result.allOutput)")
        #expect(result.stderrText.contains("workspace id"), "\(result.stderrText)")
        #expect(result.stderrText.contains("workspace.yaml"), "\(result.stderrText)")
    }
}

/// Removing a folder tree from a test (a missing one is fine).
enum FolderRemovalForTests {
    static func remove(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
    }
}
