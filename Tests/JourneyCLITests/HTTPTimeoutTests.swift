import Foundation
import TestSupport
import Testing

/// Requests `http` steps must not send, and exchanges they must not wait on forever, against a
/// server that accepts connections and never answers.
@Suite("HTTP step timeouts and request framing")
struct HTTPTimeoutTests {
    /// Accepts connections on 127.0.0.1 and never answers; every byte received is appended to
    /// the file named by its first argument.
    static let silentServer = """
        import socket, sys, threading
        log = open(sys.argv[1], "ab", buffering=0)
        server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(8)
        print(server.getsockname()[1], flush=True)
        def drain(connection):
            while True:
                data = connection.recv(65536)
                if not data: return
                log.write(data)
        while True:
            connection, _ = server.accept()
            threading.Thread(target=drain, args=(connection,), daemon=True).start()
        """

    /// Starts the silent server; returns it and its port.
    static func startSilentServer(_ fixture: CLIFixture, log: String) throws -> (Process, String) {
        let script = try fixture.scratch.write(Self.silentServer, to: "silent.py")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try Subprocess.resolve("python3"))
        server.arguments = [script, log]
        let portPipe = Pipe()
        server.standardOutput = portPipe
        try server.run()
        var printed = Data()
        while !printed.contains(UInt8(ascii: "\n")) {
            let chunk = portPipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += chunk
        }
        return (server, String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The timeout covers the whole exchange: the step fails with it named and the rest of the
    /// journey is skipped.
    @Test func aServerThatNeverAnswersFailsTheStepAtItsTimeout() throws {
        let fixture = try CLIFixture()
        let (server, port) = try Self.startSilentServer(fixture, log: fixture.scratch.path("received.log"))
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
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

    /// A value with a line break would end its header early and let the rest of the value write
    /// headers or a second request of its own (request splitting): refused before anything is sent.
    @Test func aLineBreakInAHeaderValueSendsNothing() throws {
        let fixture = try CLIFixture()
        let canary = Canary()
        let log = fixture.scratch.path("received.log")
        let (server, port) = try Self.startSilentServer(fixture, log: log)
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let journey = """
            name: split
            steps:
              - name: smuggle
                http:
                  url: http://127.0.0.1:\(port)/
                  headers: { X-Token: "${{ secrets.api-token }}" }
                  timeout: 2s
            """
        try fixture.scratch.write(journey, to: "workspace/journeys/split.yaml")
        let value = canary.text + "\r\nX-Injected: yes"
        let run = try fixture.run(["run", "split", "--local"], environment: ["API_TOKEN": value])
        #expect(run.exitCode == 1)
        #expect(run.stderrText.contains("header 'X-Token' holds a line break"))
        let received = (try? Data(contentsOf: URL(fileURLWithPath: log))) ?? Data()
        #expect(received.isEmpty, "no byte of the request reaches the server")
        #expect(!canary.appears(in: run.allOutput))
    }
}
