import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("The no-echo prompt")
struct PromptTests {
    /// Runs `journey secret add` on a real pseudo-terminal (Python's `pty` module drives it),
    /// types the value, and returns everything the terminal showed.
    @Test func theTypedValueIsSealedAndNeverEchoed() throws {
        let fixture = try CLIFixture()
        let canary = Canary()
        let driver = """
            import os, pty, select, sys, time
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], [sys.argv[1], "secret", "add", "typed-secret"])
            seen = b""
            def read_until(marker, limit=10.0):
                global seen
                end = time.time() + limit
                while marker not in seen and time.time() < end:
                    if not select.select([fd], [], [], 0.2)[0]:
                        continue
                    try:
                        seen += os.read(fd, 1024)
                    except OSError:
                        break
            read_until(b"input hidden")
            os.write(fd, sys.stdin.buffer.read() + b"\\r")
            read_until(b"Sealed")
            for _ in range(100):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, 9)
                _, status = os.waitpid(pid, 0)
            sys.stdout.buffer.write(seen)
            sys.exit(os.waitstatus_to_exitcode(status))
            """
        let script = try fixture.scratch.write(driver, to: "drive.py")
        let result = try Subprocess.run(
            "python3", [script, JourneyBinary.path],
            environment: JourneyBinary.environment(configHome: fixture.configHome),
            currentDirectory: fixture.root, stdin: canary.bytes)
        #expect(result.exitCode == 0, "\(result.allOutput)")
        #expect(result.stdoutText.contains("Value for typed-secret (input hidden"))
        #expect(result.stdoutText.contains("Sealed 'typed-secret' version 1"))
        #expect(!canary.appears(in: result.allOutput), "the terminal echoed the value")
        let opened = try fixture.workspace().openSecret(SecretName("typed-secret"), with: PrivateKey.load(fromFile: fixture.keyPath("alice")))
        #expect(opened.value.testBytes == canary.bytes)
    }
}
