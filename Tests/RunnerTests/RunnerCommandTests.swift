import FileIO
import Foundation
import GitStore
import Runner
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("journey runner: a real binary against real bare repositories")
struct RunnerCommandTests {
    @Test func runsTheJourneyAtABranchATagAndACommitID() throws {
        let fixture = try RunnerCLIFixture()
        try fixture.published.tagAndPush("v1", message: "release 1")
        let expectedHash = try RunnerCLIFixture.sha256(fixture.canary.text)
        let keyID = try PrivateKey.load(fromFile: fixture.keyFile).id.hex

        for (ref, refName) in [("main", "refs/heads/main"), ("v1", "refs/tags/v1"), (String(fixture.first.prefix(8)), nil)] {
            let report = fixture.scratch.path("report-\(ref).json")
            let result = try fixture.runner(ref: ref, extra: ["--report", report])
            #expect(result.exitCode == 0, "\(ref): \(result.allOutput)")
            #expect(RunnerCLIFixture.printed("sha256", in: result) == expectedHash)
            #expect(RunnerCLIFixture.printed("value", in: result) == "***")
            let json = try RunnerCLIFixture.report(at: report)
            #expect(json["commit"] as? String == fixture.first)
            #expect(json["ref"] as? String == ref)
            #expect(json["refName"] as? String == refName)
            #expect(json["runnerKeyID"] as? String == keyID)
            #expect(json["status"] as? String == "passed")
            #expect((json["secrets"] as? [[String: Any]])?.first?["version"] as? Int == 1)
            let timings = try #require(json["timings"] as? [String: Any])
            for phase in ["fetchMilliseconds", "checkoutMilliseconds", "resolveMilliseconds", "totalMilliseconds"] {
                #expect(timings[phase] is Int, "timings.\(phase)")
            }
            #expect((timings["steps"] as? [[String: Any]])?.first?["name"] as? String == "use token")
        }
        #expect(fixture.halfWrittenState().isEmpty)
    }

    @Test func aRotatedSecretReachesTheNextRunWithNoJourneyChange() throws {
        let fixture = try RunnerCLIFixture()
        let before = try fixture.runner(extra: ["--report", fixture.scratch.path("before.json")])
        #expect(before.exitCode == 0, "\(before.allOutput)")
        #expect(RunnerCLIFixture.printed("sha256", in: before) == (try RunnerCLIFixture.sha256(fixture.canary.text)))

        let rotated = Canary()
        let commit = try fixture.rotate(to: rotated.text)
        #expect(try fixture.published.git("diff", "--name-only", fixture.first, commit) == "secrets/api-token.sealed")

        let after = try fixture.runner(extra: ["--report", fixture.scratch.path("after.json")])
        #expect(after.exitCode == 0, "\(after.allOutput)")
        #expect(RunnerCLIFixture.printed("sha256", in: after) == (try RunnerCLIFixture.sha256(rotated.text)))
        let json = try RunnerCLIFixture.report(at: fixture.scratch.path("after.json"))
        #expect(json["commit"] as? String == commit)
        #expect(json["mirror"] as? String == "fetched")
        #expect((json["secrets"] as? [[String: Any]])?.first?["version"] as? Int == 2)
        #expect(!rotated.appears(in: fixture.results.map(\.allOutput).joined()))
    }

    @Test func anUnmovedRefSkipsTheFetch() throws {
        let fixture = try RunnerCLIFixture()
        try fixture.runner()
        let report = fixture.scratch.path("warm.json")
        let warm = try fixture.runner(extra: ["--report", report])
        #expect(warm.exitCode == 0)
        #expect(try RunnerCLIFixture.report(at: report)["mirror"] as? String == "up-to-date")
    }

    @Test func theCanaryIsInNoOutputReportCacheFileOrCheckoutFile() throws {
        let fixture = try RunnerCLIFixture()
        let report = fixture.scratch.path("report.json")
        let result = try fixture.runner(extra: ["--report", report])
        #expect(result.exitCode == 0)
        #expect(RunnerCLIFixture.printed("files-with-value", in: result) == "0", "no file of the checkout holds the value while the step runs")
        let folder = try #require(RunnerCLIFixture.printed("folder", in: result))
        #expect(folder.hasPrefix(fixture.cache + "/work/"))
        #expect(!FileManager.default.fileExists(atPath: folder), "the work folder is removed afterwards")
        #expect(!fixture.canary.appears(in: fixture.results.map(\.allOutput).joined()))
        #expect(!fixture.canary.appears(in: String(decoding: try Data(contentsOf: URL(fileURLWithPath: report)), as: UTF8.self)))
        #expect(fixture.cacheFilesHoldingCanary().isEmpty)
    }

    @Test func theKeyTextFromJourneyKeyNeverReachesAStep() throws {
        let fixture = try RunnerCLIFixture()
        let keyText = try String(contentsOfFile: fixture.keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try fixture.runner(key: .some(nil), environment: ["JOURNEY_KEY": keyText])
        #expect(result.exitCode == 0, "\(result.allOutput)")
        #expect(RunnerCLIFixture.printed("key", in: result) == "unset")
        #expect(!result.allOutput.contains(keyText))
        // Given a key file too, the variable is still scrubbed before any step starts.
        let both = try fixture.runner(environment: ["JOURNEY_KEY": keyText])
        #expect(RunnerCLIFixture.printed("key", in: both) == "unset")
    }

    @Test func aWorkspaceInASubfolderRunsWithWorkspacePath() throws {
        let fixture = try RunnerCLIFixture(workspacePath: "ops/journeys")
        let result = try fixture.runner(extra: ["--workspace-path", "ops/journeys"])
        #expect(result.exitCode == 0, "\(result.allOutput)")
        #expect(RunnerCLIFixture.printed("sha256", in: result) == (try RunnerCLIFixture.sha256(fixture.canary.text)))
    }
}

@Suite("journey runner: every refusal exits 2 with a clear message and a clean cache")
struct RunnerRefusalTests {
    /// Runs a failing case after one good run, and checks the exit code, the message, that the
    /// cache holds nothing half-written and that the ledger did not change.
    func expectRefusal(
        _ fixture: RunnerCLIFixture, saying phrase: String, sourceLocation: Testing.SourceLocation = #_sourceLocation,
        _ run: () throws -> ProcessResult
    ) throws {
        let ledgerBefore = fixture.ledger()
        let result = try run()
        #expect(result.exitCode == 2, "exit code; output: \(result.allOutput)", sourceLocation: sourceLocation)
        #expect(result.stderrText.contains(phrase), "message: \(result.stderrText)", sourceLocation: sourceLocation)
        #expect(fixture.halfWrittenState().isEmpty, sourceLocation: sourceLocation)
        #expect(fixture.ledger() == ledgerBefore, "the ledger is unchanged", sourceLocation: sourceLocation)
        #expect(!fixture.canary.appears(in: result.allOutput), sourceLocation: sourceLocation)
    }

    @Test func anUnreachableRepository() throws {
        let fixture = try RunnerCLIFixture()
        let missing = fixture.scratch.path("nowhere.git")
        try expectRefusal(fixture, saying: "cannot reach repository \(missing): no such folder") { try fixture.runner(repo: missing) }
        #expect(fixture.entries("mirrors").allSatisfy { $0.hasSuffix(".lock") }, "no mirror folder for a repository that was never cloned")
    }

    @Test func anUnknownRef() throws {
        let fixture = try RunnerCLIFixture()
        try expectRefusal(fixture, saying: "no branch, tag or commit 'no-such-branch'") { try fixture.runner(ref: "no-such-branch") }
    }

    @Test func aMissingJourney() throws {
        let fixture = try RunnerCLIFixture()
        try expectRefusal(fixture, saying: "no journey named 'no-such-journey'") { try fixture.runner(journey: "no-such-journey") }
    }

    @Test func aMissingWorkspace() throws {
        let fixture = try RunnerCLIFixture()
        try expectRefusal(fixture, saying: "no workspace.yaml at 'ops'") { try fixture.runner(extra: ["--workspace-path", "ops"]) }
    }

    @Test func aTamperedSealedFile() throws {
        let fixture = try RunnerCLIFixture()
        try fixture.runner()
        let path = fixture.published.work + "/secrets/api-token.sealed"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("ciphertext: ") })
        var ciphertext = Array(Data(base64Encoded: String(line.dropFirst("ciphertext: ".count)))!)
        ciphertext[ciphertext.count / 2] ^= 0x01
        text = text.replacingOccurrences(of: String(line), with: "ciphertext: " + Data(ciphertext).base64EncodedString())
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try fixture.published.commitAndPush("tamper with api-token")
        try expectRefusal(fixture, saying: "cannot open secret 'api-token'") { try fixture.runner() }
    }

    @Test func aKeyThatIsNoRecipient() throws {
        let fixture = try RunnerCLIFixture()
        let stranger = try Fixtures.writeKeyFile(PrivateKey.generate(), to: fixture.scratch.path("stranger.key"))
        try expectRefusal(fixture, saying: "is not a recipient") { try fixture.runner(key: .some(stranger)) }
    }

    @Test func noKeyAtAll() throws {
        let fixture = try RunnerCLIFixture()
        try expectRefusal(fixture, saying: "no private key for the runner") { try fixture.runner(key: .some(nil)) }
        #expect(fixture.entries("mirrors").isEmpty, "refused before the cache was touched")
    }

    @Test func aVersionLowerThanSeenUnlessRollbackIsAllowed() throws {
        let fixture = try RunnerCLIFixture()
        try fixture.rotate(to: Canary().text)
        #expect(try fixture.runner(extra: ["--allow-ref", "main"]).exitCode == 0)
        try expectRefusal(fixture, saying: "refusing secret 'api-token' at version 1: this runner has already used version 2") {
            try fixture.runner(ref: fixture.first, extra: ["--allow-ref", "main"])
        }
        let allowed = try fixture.runner(ref: fixture.first, extra: ["--allow-ref", "main", "--allow-rollback"])
        #expect(allowed.exitCode == 0, "\(allowed.allOutput)")
        #expect(fixture.halfWrittenState().isEmpty)
    }
}

@Suite("journey runner: runners sharing one cache")
struct RunnerSharingTests {
    @Test func twoRunnersOnOneCacheAtOnce() throws {
        let fixture = try RunnerCLIFixture()
        let arguments = [
            "runner", "--repo", fixture.published.remote, "--ref", "main", "--journey", "show", "--cache", fixture.cache, "--key-file", fixture.keyFile,
        ]
        let environment = JourneyBinary.environment(configHome: fixture.configHome)
        let processes = try (0..<3).map { _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: JourneyBinary.path)
            process.arguments = arguments
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == [0, 0, 0])
        #expect(fixture.halfWrittenState().isEmpty)
        #expect(try fixture.runner().exitCode == 0)
    }

    @Test func aRunnerWaitsForTheMirrorLockAndSaysSo() throws {
        let fixture = try RunnerCLIFixture()
        let cache = try RunnerCache(root: fixture.cache)
        var held: FileLock? = try FileLock(path: cache.mirrorPath(for: fixture.published.remote) + ".lock")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: JourneyBinary.path)
        process.arguments = [
            "runner", "--repo", fixture.published.remote, "--ref", "main", "--journey", "show", "--cache", fixture.cache, "--key-file",
            fixture.keyFile,
        ]
        process.environment = JourneyBinary.environment(configHome: fixture.configHome)
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        // Read stderr until the runner says it waits; it cannot finish while the lock is held.
        // Should it never say so, a watchdog kills it, which ends the read and fails the test.
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        defer { watchdog.cancel() }
        var said = ""
        while !said.contains("waiting for another runner using the cache") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            said += String(decoding: chunk, as: UTF8.self)
        }
        #expect(said.contains("journey: waiting for another runner using the cache (\(fixture.published.remote))…"))
        #expect(process.isRunning)
        held = nil
        _ = held
        let rest = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(said)\(String(decoding: rest, as: UTF8.self))")
    }

    @Test func aRunKilledMidJourneyLeavesAFolderTheNextRunSweeps() throws {
        let fixture = try RunnerCLIFixture()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: JourneyBinary.path)
        process.arguments = [
            "runner", "--repo", fixture.published.remote, "--ref", "main", "--journey", "slow", "--cache", fixture.cache, "--key-file", fixture.keyFile,
        ]
        process.environment = JourneyBinary.environment(configHome: fixture.configHome)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the step to start (its work folder exists), then kill the runner outright.
        var waited = 0
        while fixture.entries("work").isEmpty && waited < 400 {
            usleep(50_000)
            waited += 1
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let abandoned = fixture.entries("work")
        #expect(abandoned.count == 1, "the killed run left its work folder")

        let next = try fixture.runner()
        #expect(next.exitCode == 0, "\(next.allOutput)")
        #expect(fixture.halfWrittenState().isEmpty, "the abandoned folder was swept")
    }
}

@Suite("journey runner over git's smart HTTP on 127.0.0.1")
struct RunnerHTTPTests {
    @Test func clonesSkipsTheFetchWhileTheRefStaysAndFetchesWhenItMoves() throws {
        let fixture = try RunnerCLIFixture()
        let server = try GitHTTPServer(root: fixture.scratch.path)
        let url = server.url("remote.git")
        func run(ref: String = "main", _ label: String) throws -> (ProcessResult, [String: Any]) {
            let report = fixture.scratch.path("http-\(label).json")
            let result = try fixture.runner(ref: ref, repo: url, extra: ["--report", report])
            let json = result.exitCode == 0 ? try RunnerCLIFixture.report(at: report) : [:]
            return (result, json)
        }

        let (cold, coldReport) = try run("cold")
        #expect(cold.exitCode == 0, "\(cold.allOutput)")
        #expect(coldReport["mirror"] as? String == "cloned")
        #expect(coldReport["repo"] as? String == url)
        let (_, warmReport) = try run("warm")
        #expect(warmReport["mirror"] as? String == "up-to-date")

        let rotated = Canary()
        let commit = try fixture.rotate(to: rotated.text)
        let (moved, movedReport) = try run("moved")
        #expect(movedReport["mirror"] as? String == "fetched")
        #expect(movedReport["commit"] as? String == commit)
        #expect(RunnerCLIFixture.printed("sha256", in: moved) == (try RunnerCLIFixture.sha256(rotated.text)))

        server.stop()
        let (offline, offlineReport) = try run(ref: commit, "offline")
        #expect(offline.exitCode == 0, "a commit the mirror holds needs no remote: \(offline.allOutput)")
        #expect(offlineReport["mirror"] as? String == "up-to-date")
        let unreachable = try fixture.runner(repo: url)
        #expect(unreachable.exitCode == 2)
        #expect(unreachable.stderrText.contains("cannot reach repository \(url)"))
        #expect(fixture.halfWrittenState().isEmpty)
        #expect(!fixture.canary.appears(in: fixture.results.map(\.allOutput).joined()))
        #expect(!rotated.appears(in: fixture.results.map(\.allOutput).joined()))
    }
}
