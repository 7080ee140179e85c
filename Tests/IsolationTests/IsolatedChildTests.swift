import Foundation
import Run
import Sealing
import StepIsolation
import TestSupport
import Testing

/// Steps keep working in the sandbox: exit codes and signals, the working folder and /tmp
/// (read-write), loopback network, timeouts, masking; hidden paths are covered.
@Suite("Step isolation: steps keep working")
struct IsolatedChildTests {
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        func append(_ chunk: [UInt8]) { lock.withLock { bytes += chunk } }
        var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
    }

    func run(
        _ script: String, hidden: [String] = [], secrets: [(name: String, value: SecretBytes)] = [], folder: String? = nil, timeout: Duration? = nil
    ) throws -> (Termination, String) {
        let collected = Collected()
        let child = ChildProcess(
            arguments: ["/bin/sh", "-c", script], environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"], secretEnvironment: secrets,
            workingDirectory: folder, timeout: timeout, isolation: StepIsolation(hiddenPaths: hidden))
        let termination = try child.run(masker: Masker(values: secrets.map(\.value))) { _, bytes in collected.append(bytes) }
        return (termination, collected.text)
    }

    @Test func isAvailableOnThisMachine() {
        if case .unavailable(let reason) = StepIsolation.availability { Issue.record("isolation unavailable: \(reason)") }
    }

    @Test func reportsTheStepsExitCodeAndSignal() throws {
        #expect(try run("exit 0").0 == .exited(0))
        #expect(try run("exit 42").0 == .exited(42))
        #expect(try run("kill -TERM $$").0 == .signalled(SIGTERM))
        #expect(try run("kill -KILL $$").0 == .signalled(SIGKILL))
    }

    @Test func seesOnlyItsOwnProcessesWithoutCapabilities() throws {
        let (termination, output) = try run("ls /proc | grep -c '^[0-9]'; grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status")
        #expect(termination == .exited(0))
        let lines = output.split(separator: "\n").map(String.init)
        // PID 1 (the sandbox's init), the shell, ls and grep: never the test process.
        #expect((Int(lines.first ?? "") ?? 99) <= 4, "\(output)")
        #expect(lines.contains("CapEff:\t0000000000000000"))
        #expect(lines.contains("CapBnd:\t0000000000000000"))
        #expect(lines.contains("NoNewPrivs:\t1"))
    }

    @Test func writesItsFolderAndTmp() throws {
        try withScratchFolder(label: "isolated") { folder in
            let tmpName = "/tmp/journey-isolated-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            defer { unlink(tmpName) }
            let (termination, output) = try run("pwd; echo made > made.txt; echo temp > \(tmpName); cat made.txt \(tmpName)", folder: folder.path)
            #expect(termination == .exited(0), "\(output)")
            #expect(output == folder.path + "\nmade\ntemp\n")
            #expect(FileManager.default.contents(atPath: folder.path("made.txt")) == Data("made\n".utf8))
            #expect(FileManager.default.contents(atPath: tmpName) == Data("temp\n".utf8))
        }
    }

    @Test func reachesALoopbackServer() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        #expect(bound && listen(listener, 1) == 0)
        let port = UInt16(bigEndian: address.sin_port)
        let (termination, output) = try run(#"python3 -c 'import socket; socket.create_connection(("127.0.0.1", \#(port))).sendall(b"hello")' && echo sent"#)
        #expect(termination == .exited(0), "\(output)")
        let connection = accept(listener, nil, nil)
        defer { close(connection) }
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = read(connection, &buffer, buffer.count)
        #expect(n == 5 && Array(buffer[0..<5]) == Array("hello".utf8))
    }

    @Test func coversHiddenFilesAndFolders() throws {
        try withScratchFolder(label: "isolated") { folder in
            let keyFolder = try folder.folder("keys")
            let inFolder = try folder.write("JOURNEY-SECRET-KEY-1-in-a-folder\n", to: "keys/a.key")
            let elsewhere = try folder.write("JOURNEY-SECRET-KEY-1-elsewhere\n", to: "runner.key")
            let link = folder.path("link.key")
            #expect(symlink(elsewhere, link) == 0)
            let (termination, output) = try run(
                "cat \(elsewhere); cat \(link); ls \(keyFolder) 2>&1; cat \(inFolder) 2>&1; echo end", hidden: [keyFolder, link])
            #expect(termination == .exited(0))
            #expect(!output.contains("JOURNEY-SECRET-KEY"), "\(output)")
            #expect(output.hasSuffix("end\n"))
        }
    }

    @Test func stopsAStepPastItsTimeoutAndWhatItLeftRunning() throws {
        let start = ContinuousClock.now
        let (termination, _) = try run("sleep 30 & sleep 30", timeout: .milliseconds(300))
        #expect(termination == .timedOut)
        #expect(ContinuousClock.now - start < .seconds(5))
        // A background process a finished step left behind ends with the step's namespace.
        let quick = ContinuousClock.now
        let (ended, _) = try run("sleep 30 & echo started")
        #expect(ended == .exited(0))
        #expect(ContinuousClock.now - quick < .seconds(5))
    }

    @Test func masksValuesAndNamesAMissingProgram() throws {
        let canary = Canary()
        let (termination, output) = try run(#"echo "v: $API_KEY""#, secrets: [("API_KEY", canary.secret)])
        #expect(termination == .exited(0))
        #expect(output == "v: ***\n")
        let child = ChildProcess(arguments: ["journey-no-such-program"], environment: [:], isolation: StepIsolation(hiddenPaths: []))
        #expect(throws: RunError.self) { try child.run(masker: Masker(values: [])) { _, _ in } }
    }
}

@Suite("Step isolation: what is hidden")
struct HiddenPathsTests {
    @Test func aCacheThatIsOrHoldsASharedFolderStaysVisible() {
        let base = StepIsolation(hiddenPaths: [])
        #expect(base.hiding("/tmp", except: "/tmp/work/run-1", environment: ["HOME": "/home/runner"]) == base)
        #expect(base.hiding("/", except: "/srv/run", environment: ["HOME": "/home/runner"]) == base)
        #expect(base.hiding("/home", except: "/home/runner/x", environment: ["HOME": "/home/runner"]) == base)
        let hidden = base.hiding("/srv/journey-cache", except: "/srv/journey-cache/work/run-1", environment: ["HOME": "/home/runner"])
        #expect(hidden.hiddenPaths == ["/srv/journey-cache"])
        #expect(hidden.exposedPaths == ["/srv/journey-cache/work/run-1"])
    }
}
