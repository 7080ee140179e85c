import Foundation
import TestSupport
import Testing

/// DESIGN §9 "Steps never reach the key": a journey from an attacker's branch tries every route
/// to the runner's private key (HostileJourney.routes); each route prints the digest of what it
/// read, and no digest may be the key file's or the key text's.
@Suite("Step isolation: a hostile journey cannot reach the key", .serialized)
struct HostileJourneyTests {
    static func expectNothingReached(_ result: ProcessResult, _ fixture: HostileFixture, _ comment: Comment) {
        let output = HostileOutput(result)
        #expect(result.exitCode == 0, "\(comment): \(result.stderrText)")
        let reached = result.stdoutText.split(separator: "\n").filter { line in fixture.forbidden.contains { line.hasSuffix($0) } }
        #expect(reached.isEmpty, "\(comment): a step read the key: \(reached)")
        // The routes ran: the cmdline route always reads PID 1's command line.
        #expect(!output.digests.isEmpty, comment)
        #expect(output.noted("0 JOURNEY_KEY variables"), comment)
        #expect(output.noted("block devices 0"), comment)
        #expect(output.noted("ptrace 1: Operation not permitted"), comment)
        #expect(!output.notes.contains { $0.contains("unmounted") }, comment)
        #expect(!result.stdoutText.contains("JOURNEY-SECRET-KEY"), comment)
    }

    @Test func runSealedStepsCannotReachTheKey() throws {
        let fixture = try HostileFixture()
        let byPath = try fixture.journeyUnderShell(["run", "hostile", "--sealed", "--key-file", fixture.keyFile])
        Self.expectNothingReached(byPath, fixture, "run --sealed --key-file")
        let byEnvironmentPath = try fixture.journeyUnderShell(["run", "hostile", "--sealed"], environment: ["JOURNEY_KEY_FILE": fixture.keyFile])
        Self.expectNothingReached(byEnvironmentPath, fixture, "run --sealed with JOURNEY_KEY_FILE")
        let byText = try fixture.withKeyOnlyInEnvironment {
            try fixture.journeyUnderShell(["run", "hostile", "--sealed"], environment: ["JOURNEY_KEY": $0])
        }
        Self.expectNothingReached(byText, fixture, "run --sealed with JOURNEY_KEY in an ancestor's environment")
    }

    /// The control: the same journey without the sandbox does reach the key, so the routes are
    /// real and the assertions above can fail.
    @Test func withoutIsolationTheSameStepsReachTheKey() throws {
        let fixture = try HostileFixture()
        let result = try fixture.withKeyOnlyInEnvironment {
            try fixture.journeyUnderShell(["run", "hostile", "--sealed", "--no-isolation"], environment: ["JOURNEY_KEY": $0])
        }
        #expect(result.exitCode == 0, "\(result.stderrText)")
        #expect(!HostileOutput(result).digests.isDisjoint(with: fixture.forbidden))
    }

    @Test func runnerStepsCannotReachTheKey() throws {
        let fixture = try HostileFixture()
        let base = ["runner", "--repo", fixture.published.remote, "--ref", "main", "--journey", "hostile", "--cache", fixture.scratch.path("cache")]
        let byPath = try fixture.journeyUnderShell(base + ["--key-file", fixture.keyFile], in: fixture.scratch.path)
        Self.expectNothingReached(byPath, fixture, "runner --key-file")
        let byText = try fixture.withKeyOnlyInEnvironment {
            try fixture.journeyUnderShell(base, in: fixture.scratch.path, environment: ["JOURNEY_KEY": $0])
        }
        Self.expectNothingReached(byText, fixture, "runner with JOURNEY_KEY in an ancestor's environment")

        // The cache stays out of reach (the ledger cannot be lowered); the checkout is writable.
        let cacheBase = ["runner", "--repo", fixture.published.remote, "--ref", "main", "--journey", "cache", "--cache", fixture.scratch.path("cache")]
        let cacheRun = try fixture.journeyUnderShell(cacheBase + ["--key-file", fixture.keyFile], in: fixture.scratch.path)
        #expect(cacheRun.exitCode == 0, "\(cacheRun.allOutput)")
        for line in ["cache hidden", "mirrors hidden", "ledger refused"] {
            #expect(cacheRun.stdoutText.contains(line), "\(cacheRun.stdoutText)")
        }
        #expect(cacheRun.stdoutText.contains("checkout writable"))
        let ledger = FileManager.default.contents(atPath: fixture.scratch.path("cache/rollback-ledger.json")) ?? Data()
        #expect(!String(decoding: ledger, as: UTF8.self).contains("tampered"))

        let unisolated = try fixture.journeyUnderShell(base + ["--key-file", fixture.keyFile, "--no-isolation"], in: fixture.scratch.path)
        #expect(unisolated.exitCode == 0, "\(unisolated.stderrText)")
        #expect(!HostileOutput(unisolated).digests.isDisjoint(with: fixture.forbidden), "the control run reaches the key")
    }

    @Test func execCommandCannotReachTheKey() throws {
        let fixture = try HostileFixture()
        let command = ["python3", "hostile.py", "all", fixture.keyFile, fixture.keyFolderFile]
        let result = try fixture.journeyUnderShell(
            ["exec", "--secret", "api-token", "--key-file", fixture.keyFile, "--"] + command, environment: ["JOURNEY_KEY_FILE": fixture.keyFile])
        Self.expectNothingReached(result, fixture, "exec")
        #expect(!fixture.canary.appears(in: result.allOutput))
    }
}

/// Signals reach an isolated command as they reached a plain child: through the sandbox's init.
@Suite("Step isolation: signals")
struct IsolatedSignalTests {
    @Test func execForwardsSigtermToTheIsolatedCommand() throws {
        try withScratchFolder(label: "isolation-signal") { folder in
            let config = try folder.folder("config")
            try Git.run(["init", "--quiet"], in: folder.path)
            _ = try JourneyBinary.run(["init", "--name", "signals"], in: folder.path, configHome: config).checked()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: JourneyBinary.path)
            process.arguments = ["exec", "--", "/bin/sh", "-c", "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.05; done"]
            process.environment = JourneyBinary.environment(configHome: config)
            process.currentDirectoryURL = folder.url
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("ready") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen += chunk
            }
            kill(process.processIdentifier, SIGTERM)
            seen += output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 7)
            #expect(String(decoding: seen, as: UTF8.self).contains("got-term"))
        }
    }
}

/// Without root: an unprivileged user gets the same sandbox (the user namespace it may create
/// maps only its own uid). Run as root, the test drops to uid 65534 with setpriv.
@Suite("Step isolation: an unprivileged user", .enabled(if: getuid() == 0))
struct UnprivilegedIsolationTests {
    @Test func execIsIsolatedForAnUnprivilegedUser() throws {
        try withScratchFolder(label: "isolation-unprivileged") { folder in
            let config = try folder.folder("config")
            try Git.run(["init", "--quiet"], in: folder.path)
            _ = try JourneyBinary.run(["init", "--name", "unprivileged"], in: folder.path, configHome: config).checked()
            _ = try Subprocess.run("chmod", ["-R", "a+rwX", folder.path])
            // The user's own workspace: one owned by another uid is refused (WorkspaceOwnershipTests).
            let chown = try Subprocess.run("chown", ["-R", "65534:65534", folder.path])
            try #require(chown.exitCode == 0, "\(chown.allOutput)")
            var environment = JourneyBinary.environment(configHome: config)
            environment["HOME"] = folder.path
            let result = try Subprocess.run(
                "setpriv",
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", "--", JourneyBinary.path, "exec", "--", "/bin/sh", "-c",
                    "id -u; grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; ls /proc | grep -c '^[0-9]'; echo ok > written",
                ], environment: environment, currentDirectory: folder.path)
            #expect(result.exitCode == 0, "\(result.allOutput)")
            let lines = result.stdoutText.split(separator: "\n").map(String.init)
            #expect(lines.first == "65534")
            #expect(lines.contains("CapEff:\t0000000000000000"))
            #expect(lines.contains("NoNewPrivs:\t1"))
            #expect((Int(lines.last ?? "") ?? 99) <= 4, "only the sandbox's processes: \(result.stdoutText)")
            #expect(FileManager.default.contents(atPath: folder.path("written")) == Data("ok\n".utf8))
        }
    }
}

/// Fail closed: where the kernel refuses the namespaces, the commands that run untrusted code
/// refuse too (exit 2, naming why) and nothing runs, unless `--no-isolation`.
@Suite("Step isolation: refused when it cannot be set up", .serialized)
struct IsolationUnavailableTests {
    /// Runs journey where no user namespace can be made: inside one whose limit of nested user
    /// namespaces is 0 (the kernel then answers ENOSPC, as a host with user.max_user_namespaces=0
    /// answers).
    func journeyWithoutUserNamespaces(_ arguments: [String], _ fixture: HostileFixture, in folder: String) throws -> ProcessResult {
        var environment = JourneyBinary.environment(configHome: fixture.configHome)
        environment["JOURNEY_BIN"] = JourneyBinary.path
        let quoted = arguments.map { "'" + $0 + "'" }.joined(separator: " ")
        let script = "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$JOURNEY_BIN\" \(quoted)"
        return try Subprocess.run("unshare", ["--user", "--map-root-user", "/bin/sh", "-c", script], environment: environment, currentDirectory: folder)
    }

    /// A container's /proc: some files masked by bind mounts (Docker and Kubernetes cover
    /// /proc/keys, /proc/timer_list, … with /dev/null). The kernel then refuses a fresh /proc.
    @Test func aMaskedProcIsNamedAsTheReason() throws {
        let fixture = try HostileFixture()
        let masked = try #require(["/proc/timer_list", "/proc/keys", "/proc/kcore"].first { FileManager.default.fileExists(atPath: $0) })
        var environment = JourneyBinary.environment(configHome: fixture.configHome)
        environment["JOURNEY_BIN"] = JourneyBinary.path
        let script = "mount --bind /dev/null \(masked) && exec \"$JOURNEY_BIN\" run hostile --sealed --key-file '\(fixture.keyFile)'"
        let result = try Subprocess.run(
            "unshare", ["--user", "--map-root-user", "--mount", "/bin/sh", "-c", script], environment: environment, currentDirectory: fixture.work)
        #expect(result.exitCode == 2, "\(result.allOutput)")
        #expect(result.stderrText.contains("mounting a fresh /proc for the step's PID namespace failed: Operation not permitted"), "\(result.stderrText)")
        #expect(!result.stdoutText.contains("digest"), "no step ran")
    }

    @Test func runExecAndRunnerRefuseAndNameWhy() throws {
        let fixture = try HostileFixture()
        let marker = fixture.scratch.path("step-ran")
        let commands: [(arguments: [String], folder: String)] = [
            (["run", "hostile", "--sealed", "--key-file", fixture.keyFile], fixture.work),
            (["exec", "--secret", "api-token", "--key-file", fixture.keyFile, "--", "touch", marker], fixture.work),
            (
                [
                    "runner", "--repo", fixture.published.remote, "--ref", "main", "--journey", "hostile", "--cache", fixture.scratch.path("cache"),
                    "--key-file", fixture.keyFile,
                ],
                fixture.scratch.path
            ),
        ]
        for command in commands {
            let result = try journeyWithoutUserNamespaces(command.arguments, fixture, in: command.folder)
            #expect(result.exitCode == 2, "\(command.arguments[0]): \(result.allOutput)")
            #expect(result.stderrText.contains("cannot isolate steps from the private key on this machine"), "\(command.arguments[0])")
            #expect(result.stderrText.contains("No space left on device"), "the kernel's reason is named: \(result.stderrText)")
            #expect(result.stderrText.contains("--no-isolation"))
            #expect(!result.stdoutText.contains("digest"), "no step ran")
        }
        #expect(!FileManager.default.fileExists(atPath: marker))

        let allowed = try journeyWithoutUserNamespaces(["exec", "--no-isolation", "--", "touch", marker], fixture, in: fixture.work)
        #expect(allowed.exitCode == 0, "\(allowed.allOutput)")
        #expect(FileManager.default.fileExists(atPath: marker))
    }
}
