import Foundation
import Run
import Sealing
import StepIsolation
import TestSupport
import Testing

/// The launcher's own defences (Sources/CStepIsolation): covers carried into a folder bound
/// back, covers that follow a moved key, descriptors closed without close_range, and a sandbox
/// that ends with journey. Each test also shows the attack working where the defence is absent.
@Suite("Step isolation: the launcher's defences", .serialized)
struct LauncherHardeningTests {
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        func append(_ chunk: [UInt8]) { lock.withLock { bytes += chunk } }
        var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
    }

    /// Runs `/bin/sh -c script` in `folder`, isolated by `isolation` (nil: a plain child).
    func run(_ script: String, in folder: String, isolation: StepIsolation?) throws(RunError) -> (Termination, String) {
        let collected = Collected()
        let child = ChildProcess(
            arguments: ["/bin/sh", "-c", script], environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"], workingDirectory: folder,
            isolation: isolation)
        let termination = try child.run(masker: Masker(values: [])) { _, bytes in collected.append(bytes) }
        return (termination, collected.text)
    }

    /// Each step gets a private /dev, so a workspace (or runner cache) under /dev/shm is not
    /// there for the step: the run is refused with the reason and the way out, and without the
    /// advice to drop isolation, which would be the wrong fix.
    @Test func aWorkingFolderUnderDevIsRefusedWithTheReason() throws {
        let folder = "/dev/shm/journey-isolation-test-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (plain, _) = try run("true", in: folder, isolation: nil)
        #expect(plain == .exited(0), "the control runs there")
        do {
            _ = try run("true", in: folder, isolation: StepIsolation(hiddenPaths: []))
            Issue.record("a step in \(folder) should be refused")
        } catch {
            #expect(error == .isolationFailed(command: "/bin/sh", reason: .workingFolderUnderDev(path: folder)))
            #expect(error.message.contains("outside /dev") && !error.message.contains("--no-isolation"), "\(error.message)")
        }
    }

    /// A key file and a key folder inside the runner's checkout, which is bound back into the
    /// covered cache: the checkout must bring the covers along (a recursive bind), whichever
    /// order the paths are hidden in.
    @Test func aKeyInsideAnExposedFolderStaysCovered() throws {
        try withScratchFolder(label: "isolation-exposed") { folder in
            let cache = try folder.folder("cache")
            let checkout = try folder.folder("cache/work/run-1")
            let keyFile = try folder.write("JOURNEY-SECRET-KEY-1-file-in-checkout\n", to: "cache/work/run-1/runner.key")
            try folder.write("JOURNEY-SECRET-KEY-1-folder-in-checkout\n", to: "cache/work/run-1/keys/a.key")
            let keyFolder = folder.path("cache/work/run-1/keys")
            let script = "cat runner.key 2>&1; cat keys/a.key 2>&1; echo work > written.txt && echo checkout writable"

            let (plain, unisolated) = try run(script, in: checkout, isolation: nil)
            #expect(plain == .exited(0))
            #expect(unisolated.contains("JOURNEY-SECRET-KEY-1-file-in-checkout"), "the control reads the key: \(unisolated)")
            #expect(unisolated.contains("JOURNEY-SECRET-KEY-1-folder-in-checkout"))

            let keyFirst = StepIsolation(hiddenPaths: [keyFile, keyFolder]).hiding(cache, except: checkout)
            let cacheFirst = StepIsolation(hiddenPaths: [cache, keyFile, keyFolder], exposedPaths: [checkout])
            for isolation in [keyFirst, cacheFirst] {
                let (termination, output) = try run(script, in: checkout, isolation: isolation)
                #expect(termination == .exited(0), "\(output)")
                #expect(!output.contains("JOURNEY-SECRET-KEY"), "hidden \(isolation.hiddenPaths): \(output)")
                #expect(output.contains("checkout writable"), "\(output)")
            }
            #expect(FileManager.default.contents(atPath: keyFile) == Data("JOURNEY-SECRET-KEY-1-file-in-checkout\n".utf8))
        }
    }

    /// A step renames the folder above the covered key folder (the covers are mounts and move
    /// along) and leaves an empty decoy at the old path; or renames the folder above a covered
    /// key file. The next step's sandbox must not cover the decoy (or nothing) and start: it
    /// refuses, and the key is not read.
    @Test func aKeyMovedByAStepIsNotUncoveredForTheNextStep() throws {
        try withScratchFolder(label: "isolation-moved") { folder in
            try folder.write("JOURNEY-SECRET-KEY-1-in-the-key-folder\n", to: "config/journey/keys/runner.key")
            let keyFile = try folder.write("JOURNEY-SECRET-KEY-1-key-file\n", to: "mount/secrets/runner.key")
            let isolation = StepIsolation(hiddenPaths: [folder.path("config/journey/keys"), keyFile])
            let (moved, movedOutput) = try run(
                "mv config/journey config/moved && mkdir -p config/journey/keys && mv mount/secrets mount/elsewhere && echo moved", in: folder.path,
                isolation: isolation)
            #expect(moved == .exited(0), "\(movedOutput)")
            // The attack's first half works in the sandbox: the covered folders moved.
            #expect(FileManager.default.fileExists(atPath: folder.path("config/moved/keys/runner.key")))
            #expect(FileManager.default.fileExists(atPath: folder.path("mount/elsewhere/runner.key")))

            let read = "cat config/moved/keys/runner.key mount/elsewhere/runner.key; echo end"
            let (_, unisolated) = try run(read, in: folder.path, isolation: nil)
            #expect(unisolated.contains("JOURNEY-SECRET-KEY-1-in-the-key-folder"), "the control reads the key: \(unisolated)")
            do throws(RunError) {
                let (_, output) = try run(read, in: folder.path, isolation: isolation)
                Issue.record("the next step ran: \(output)")
                #expect(!output.contains("JOURNEY-SECRET-KEY"), "\(output)")
            } catch {
                #expect(error.message.contains("moved or replaced since journey started"), "\(error.message)")
                #expect(!error.message.contains("--no-isolation"), "a refusal, not a machine limit: \(error.message)")
                #expect(!error.message.contains("JOURNEY-SECRET-KEY"))
            }
            // Only the decoy moved away: a path missing now but present at the start refuses too.
            try FileManager.default.removeItem(atPath: folder.path("config/journey"))
            #expect(throws: RunError.self) { try run(read, in: folder.path, isolation: isolation) }
        }
    }

    /// On a kernel without close_range (before 5.9; here a seccomp filter answers ENOSYS), the
    /// descriptors journey inherited (an open key file, at 100 and at the highest number the
    /// limit allows: 70000 where RLIMIT_NOFILE can be raised past 65536, which needs
    /// CAP_SYS_RESOURCE) are closed in the sandbox's first process and in the step. The first
    /// process's descriptors are read from outside (root: CAP_SYS_PTRACE).
    @Test(.enabled(if: getuid() == 0, "reading the sandbox's first process's descriptors needs root"))
    func descriptorsAreClosedWithoutCloseRange() throws {
        try withScratchFolder(label: "isolation-fds") { folder in
            let config = try folder.folder("config")
            try Git.run(["init", "--quiet"], in: folder.path)
            _ = try JourneyBinary.run(["init", "--name", "descriptors"], in: folder.path, configHome: config).checked()
            let secret = try folder.write("JOURNEY-SECRET-KEY-1-held-open-by-journey\n", to: "held.key", mode: 0o600)
            let step = """
                ls /proc/self/fd | tr '\\n' ' '; echo; cat /proc/self/fd/$HELD_FD /proc/self/fd/100 2>/dev/null; echo ready; sleep 1; echo end
                """
            func journeyWithoutCloseRange(_ isolation: [String]) throws -> ProcessResult {
                try Subprocess.run(
                    "python3", ["-c", Self.withoutCloseRange, secret, JourneyBinary.path, "exec"] + isolation + ["--", "/bin/sh", "-c", step],
                    environment: JourneyBinary.environment(configHome: config), currentDirectory: folder.path)
            }
            let control = try journeyWithoutCloseRange(["--no-isolation"])
            #expect(control.stderrText.contains("close_range: ENOSYS"), "the filter works: \(control.allOutput)")
            #expect(control.stdoutText.contains("JOURNEY-SECRET-KEY-1-held-open-by-journey"), "journey inherited the descriptor: \(control.allOutput)")

            let isolated = try journeyWithoutCloseRange([])
            #expect(isolated.exitCode == 0, "\(isolated.allOutput)")
            #expect(isolated.stderrText.contains("close_range: ENOSYS"))
            #expect(!isolated.stdoutText.contains("JOURNEY-SECRET-KEY"), "\(isolated.stdoutText)")
            let lines = isolated.stdoutText.split(separator: "\n").map(String.init)
            #expect(lines.first?.split(separator: " ").map(String.init) == ["0", "1", "2", "3"], "only stdio and ls's own folder: \(lines)")
            let initDescriptors = lines.first { $0.hasPrefix("init-fds:") } ?? ""
            // Found and read: it holds the status pipe.
            #expect(initDescriptors.hasPrefix("init-fds: [") && initDescriptors.contains("pipe:"), "\(isolated.allOutput)")
            #expect(!initDescriptors.contains(secret), "the sandbox's first process kept journey's descriptor: \(initDescriptors)")
            #expect(lines.last == "end")
        }
    }

    /// A step run on the user's terminal (an interactive `journey exec` or `run`) pushes a
    /// command into the terminal's input with TIOCSTI; the user's shell would run it after
    /// journey exits, outside the sandbox. The seccomp filter refuses it; other ioctls work.
    @Test func aStepCannotTypeIntoTheTerminal() throws {
        try withScratchFolder(label: "isolation-tty") { folder in
            let config = try folder.folder("config")
            try Git.run(["init", "--quiet"], in: folder.path)
            _ = try JourneyBinary.run(["init", "--name", "terminal"], in: folder.path, configHome: config).checked()
            let step = """
                import fcntl, os, termios
                print("terminal", os.isatty(0), flush=True)
                for name, command in (("TIOCSTI", termios.TIOCSTI), ("TIOCSTI high bits", termios.TIOCSTI | 1 << 32)):
                    try:
                        fcntl.ioctl(0, command, b"#")
                        print(name, "typed", flush=True)
                    except (OSError, OverflowError) as error:
                        print(name, "refused", error, flush=True)
                """
            func onATerminal(_ isolation: [String]) throws -> ProcessResult {
                try Subprocess.run(
                    "python3", ["-c", Self.onATerminal, JourneyBinary.path, "exec"] + isolation + ["--", "python3", "-c", step],
                    environment: JourneyBinary.environment(configHome: config), currentDirectory: folder.path)
            }
            let legacy = (try? String(contentsOfFile: "/proc/sys/dev/tty/legacy_tiocsti", encoding: .utf8)) ?? "1"
            if legacy.hasPrefix("1") {
                let control = try onATerminal(["--no-isolation"])
                #expect(control.stdoutText.contains("TIOCSTI typed"), "the control types into the terminal: \(control.allOutput)")
            }
            let isolated = try onATerminal([])
            #expect(isolated.stdoutText.contains("terminal True"), "\(isolated.allOutput)")
            #expect(isolated.stdoutText.contains("TIOCSTI refused"), "\(isolated.allOutput)")
            #expect(!isolated.stdoutText.contains("typed"), "\(isolated.allOutput)")
        }
    }

    /// argv: PROGRAM ARGS…: runs it on a new pseudo-terminal (its controlling terminal) and
    /// prints what it wrote there.
    static let onATerminal = #"""
        import os, pty, sys
        pid, master = pty.fork()
        if pid == 0:
            os.execv(sys.argv[1], sys.argv[1:])
        output = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        os.waitpid(pid, 0)
        sys.stdout.write(output.decode(errors="replace").replace("\r", ""))
        """#

    /// A /proc file's text (their size reads as 0, so read to the end).
    static func procFile(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// argv: KEY_FILE JOURNEY ARGS…: opens KEY_FILE at descriptors 100 and HELD_FD (inherited,
    /// not close-on-exec), starts JOURNEY ARGS where close_range answers ENOSYS (seccomp), and
    /// once the step prints `ready`, prints `init-fds: [...]`: what the sandbox's first process
    /// (journey's child, titled journey-step-init) has open.
    static let withoutCloseRange = #"""
        import ctypes, os, platform, resource, struct, subprocess, sys
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (70100, 70100))
        except (ValueError, OSError):
            pass
        limit = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        high = 70000 if limit > 70000 else limit - 1
        os.environ["HELD_FD"] = str(high)
        fd = os.open(sys.argv[1], os.O_RDONLY)
        for number in (100, high):
            os.dup2(fd, number, inheritable=True)
        os.close(fd)
        arch = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}[platform.machine()]
        def op(code, jt, jf, k):
            return struct.pack("HBBI", code, jt, jf, k)
        program = b"".join([
            op(0x20, 0, 0, 4), op(0x15, 1, 0, arch), op(0x06, 0, 0, 0x7FFF0000),
            op(0x20, 0, 0, 0), op(0x15, 0, 1, 436), op(0x06, 0, 0, 0x00050000 | 38), op(0x06, 0, 0, 0x7FFF0000),
        ])
        buffer = ctypes.create_string_buffer(program)
        fprog = struct.pack("HxxxxxxQ", len(program) // 8, ctypes.addressof(buffer))
        libc = ctypes.CDLL(None, use_errno=True)

        def without_close_range():
            assert libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS
            assert libc.prctl(22, 2, ctypes.c_char_p(fprog), 0, 0) == 0  # SECCOMP_MODE_FILTER
            if libc.syscall(436, 5000, 5000, 0) != 0 and ctypes.get_errno() == 38:
                os.write(2, b"close_range: ENOSYS\n")

        journey = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, pass_fds=(100, high), preexec_fn=without_close_range)
        for line in journey.stdout:
            sys.stdout.write(line.decode())
            sys.stdout.flush()
            if line.strip() != b"ready":
                continue
            held = []
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    status = open("/proc/%s/status" % pid).read()
                    title = open("/proc/%s/cmdline" % pid, "rb").read()
                except OSError:
                    continue
                if "\nPPid:\t%d\n" % journey.pid in status and title.startswith(b"journey-step-init"):
                    folder = "/proc/%s/fd" % pid
                    held = [os.readlink(folder + "/" + n) for n in os.listdir(folder)]
            print("init-fds: %s" % held, flush=True)
        sys.exit(journey.wait())
        """#

    /// journey killed outright (SIGKILL: no chance to stop its step) takes the sandbox and
    /// everything in it along; a plain child would run on.
    @Test func aStepEndsWhenJourneyIsKilled() throws {
        try withScratchFolder(label: "isolation-orphan") { folder in
            let config = try folder.folder("config")
            try Git.run(["init", "--quiet"], in: folder.path)
            _ = try JourneyBinary.run(["init", "--name", "orphan"], in: folder.path, configHome: config).checked()
            func survivors(_ marker: String) -> [Int32] {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
                return entries.compactMap(Int32.init).filter { pid in
                    Self.procFile("/proc/\(pid)/cmdline") == "sleep\0\(marker)\0"
                }
            }
            /// Starts `journey exec` with a step that sleeps, waits until it runs, kills journey with
            /// SIGKILL. From Python, which closes every other descriptor in journey: an orphan
            /// holding one of this test's pipes would keep Subprocess waiting for its end.
            func startAndKill(_ isolation: [String]) throws -> (marker: String, started: Bool) {
                let marker = "61.\(UInt32.random(in: 1000...999_999))"
                let script = """
                    import subprocess, sys
                    journey = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                    print(journey.stdout.readline().decode().strip(), flush=True)
                    journey.kill()
                    journey.wait()
                    """
                let command = [JourneyBinary.path, "exec"] + isolation + ["--", "/bin/sh", "-c", "echo ready; sleep \(marker)"]
                let result = try Subprocess.run(
                    "python3", ["-c", script] + command, environment: JourneyBinary.environment(configHome: config), currentDirectory: folder.path)
                return (marker, result.stdoutText.contains("ready"))
            }
            let plain = try startAndKill(["--no-isolation"])
            #expect(plain.started)
            let plainSurvivors = survivors(plain.marker)
            #expect(!plainSurvivors.isEmpty, "the control: a plain child outlives journey")
            for pid in plainSurvivors { kill(pid, SIGKILL) }

            let (marker, started) = try startAndKill([])
            #expect(started, "the isolated step ran")
            var left = survivors(marker)
            let deadline = ContinuousClock.now + .seconds(5)
            while !left.isEmpty && ContinuousClock.now < deadline {
                usleep(50_000)
                left = survivors(marker)
            }
            #expect(left.isEmpty, "the isolated step outlived journey: \(left)")
            for pid in left { kill(pid, SIGKILL) }
        }
    }
}
