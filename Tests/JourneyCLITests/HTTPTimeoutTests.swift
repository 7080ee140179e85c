import Foundation
import TestSupport
import Testing

/// An `http` step's timeout covers the whole exchange: a server that accepts the connection and
/// never answers fails the step with the timeout named, and the rest of the journey is skipped.
@Suite("HTTP step timeouts")
struct HTTPTimeoutTests {
    /// Accepts connections on 127.0.0.1 and reads, but never answers.
    static let silentServer = """
        import socket, sys, threading
        server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(8)
        print(server.getsockname()[1], flush=True)
        held = []
        while True:
            connection, _ = server.accept(); held.append(connection)
        """

    @Test func aServerThatNeverAnswersFailsTheStepAtItsTimeout() throws {
        let fixture = try CLIFixture()
        let script = try fixture.scratch.write(Self.silentServer, to: "silent.py")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try Subprocess.resolve("python3"))
        server.arguments = [script]
        let portPipe = Pipe()
        server.standardOutput = portPipe
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        var printed = Data()
        while !printed.contains(UInt8(ascii: "\n")) {
            let chunk = portPipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += chunk
        }
        let port = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let journey = """
            name: silent
            steps:
              - name: no answer
                http:
                  url: http://127.0.0.1:\(port)/
                  timeout: 300ms
              - name: never reached
                run: echo reached
            """
        try fixture.scratch.write(journey, to: "workspace/journeys/silent.yaml")
        let run = try fixture.run(["run", "silent", "--local"])
        #expect(run.exitCode == 1)
        #expect(run.stderrText.contains("got no response within its timeout of 300ms"))
        #expect(!run.stdoutText.contains("reached\n"))
    }
}
