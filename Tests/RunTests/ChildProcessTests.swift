import Foundation
import Run
import Sealing
import TestSupport
import Testing

/// Collects a child's masked output from the output callback.
final class CollectedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var stdout: [UInt8] = []
    private var stderr: [UInt8] = []
    private(set) var chunks = 0

    func append(_ stream: Run.OutputStream, _ bytes: [UInt8]) {
        lock.withLock {
            chunks += 1
            if stream == .standardOutput { stdout += bytes } else { stderr += bytes }
        }
    }

    var stdoutText: String { lock.withLock { String(decoding: stdout, as: UTF8.self) } }
    var stderrText: String { lock.withLock { String(decoding: stderr, as: UTF8.self) } }
}

@Suite("Child processes")
struct ChildProcessTests {
    func run(_ script: String, secrets: [(name: String, value: SecretBytes)] = [], workingDirectory: String? = nil, timeout: Duration? = nil) throws -> (
        Termination, CollectedOutput
    ) {
        let collected = CollectedOutput()
        let child = ChildProcess(
            arguments: ["/bin/sh", "-c", script], environment: ["PATH": "/usr/bin:/bin"], secretEnvironment: secrets,
            workingDirectory: workingDirectory, timeout: timeout)
        let termination = try child.run(masker: Masker(values: secrets.map(\.value))) { collected.append($0, $1) }
        return (termination, collected)
    }

    @Test func reportsTheExitCodeAndSignal() throws {
        #expect(try run("exit 0").0 == .exited(0))
        #expect(try run("exit 42").0 == .exited(42))
        #expect(try run("kill -TERM $$").0 == .signalled(SIGTERM))
        #expect(try run("kill -TERM $$").0.exitCode == 128 + SIGTERM)
    }

    @Test func passesTheValueThroughTheEnvironmentAndMasksItInOutput() throws {
        let canary = Canary()
        let (termination, output) = try run(
            #"echo "out: $API_KEY"; echo "err: $API_KEY" >&2; printf %s "$API_KEY" | sha256sum"#,
            secrets: [("API_KEY", canary.secret)])
        #expect(termination == .exited(0))
        #expect(output.stdoutText.hasPrefix("out: ***\n"))
        #expect(output.stderrText == "err: ***\n")
        #expect(!canary.appears(in: output.stdoutText + output.stderrText))
        // The child saw exactly the value: compare fingerprints, not values.
        let expected = try Subprocess.run("sha256sum", [], stdin: canary.bytes).stdoutText
        #expect(output.stdoutText.contains(String(expected.prefix(64))))
    }

    @Test func masksAValueWrittenInTwoPartsWithAPauseBetween() throws {
        let canary = Canary()
        let text = canary.text
        let half = text.count / 2
        let first = String(text.prefix(half)), second = String(text.dropFirst(half))
        // The halves are in the script's text on purpose: the test proves masking, not secrecy of argv.
        let (_, output) = try run("printf '%s' '\(first)'; sleep 0.3; printf '%s\\n' '\(second)'", secrets: [("V", canary.secret)])
        #expect(output.stdoutText == "***\n")
        #expect(output.chunks >= 1)
    }

    @Test func runsInTheGivenFolder() throws {
        try withScratchFolder { folder in
            let (termination, output) = try run("pwd", workingDirectory: folder.path)
            #expect(termination == .exited(0))
            #expect(output.stdoutText == folder.path + "\n")
        }
    }

    @Test func stopsAChildThatRunsPastItsTimeout() throws {
        let start = ContinuousClock.now
        let (termination, _) = try run("sleep 30", timeout: .milliseconds(300))
        #expect(termination == .timedOut)
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test func aMissingCommandIsAnError() {
        let child = ChildProcess(arguments: ["/nonexistent/program"], environment: [:])
        #expect(throws: RunError.self) { try child.run(masker: Masker(values: [])) { _, _ in } }
    }
}
