import Foundation
import Sealing
import TestSupport
import Testing

@Suite("Threat: a core of journey run holds a value an http step sent")
struct HTTPRequestMemoryTests {
    /// An `http` step's request (the URL, a header and the body holding the value) is parsed,
    /// built and sent from wiped memory kept out of cores, and so is the redirect that repeats
    /// the query in its `Location` (`/slow?key=…` → `/slow/?key=…`): a core taken while the
    /// server sits on the redirected request holds no copy of the value.
    @Test func aCoreTakenWhileAnHTTPStepWaitsHoldsNoCopyOfTheSentValue() throws {
        let fixture = try JourneyFixture(label: "core-http")
        let canary = Canary()
        let value = canary.text + "-" + canary.text.uppercased()
        try fixture.seal("api", value)
        let server = try SlowServer(in: fixture.scratch)
        try fixture.journey(
            "call",
            """
            steps:
              - name: call
                http:
                  method: POST
                  url: http://127.0.0.1:\(server.port)/slow?key=${{ secrets.api }}
                  headers: { Authorization: "Bearer ${{ secrets.api }}", X-Api-Key: "${{ secrets.api }}" }
                  body: '{"token": "${{ secrets.api }}"}'
                  timeout: 60s
            """)
        let keyFile = try Fixtures.writeKeyFile(fixture.fixture.key, to: fixture.scratch.path("runner.key"))
        let core = try RunningJourney.core(
            of: ["run", "call", "--sealed"], in: fixture, environment: ["JOURNEY_KEY_FILE": keyFile], once: { server.hasReceivedARequest })
        let received = server.receivedBody
        // Booleans, so a failure message never prints the value.
        let serverGotTheURL = received.hasPrefix("/slow/?key=\(value)\n")
        let serverGotTheBody = received.contains("\"token\": \"\(value)\"")
        #expect(serverGotTheURL, "the server got the redirected URL with the real value")
        #expect(serverGotTheBody, "the server got the body with the real value")
        for (label, form) in [("the value", value), ("its first half", String(value.prefix(20))), ("the header", "Bearer " + canary.text)] {
            #expect(core.range(of: Data(form.utf8)) == nil, "the core holds \(label)")
        }
    }
}

/// A server on 127.0.0.1 that redirects `/slow?…` to `/slow/?…` (307, the query repeated in
/// `Location`), then reads the redirected request whole, notes its target and body, and never
/// answers.
final class SlowServer {
    static let script = """
        import http.server, sys, time
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path.startswith("/slow?"):
                    self.send_response(307)
                    self.send_header("Location", "/slow/" + self.path[len("/slow"):])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with open(sys.argv[1] + ".tmp", "wb") as f: f.write(self.path.encode() + b"\\n" + body)
                import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
                time.sleep(120)
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_port, flush=True)
        server.serve_forever()
        """
    let process = Process()
    let bodyPath: String
    let port: String

    init(in scratch: ScratchFolder) throws {
        let script = try scratch.write(Self.script, to: "slow-server.py")
        bodyPath = scratch.path("received-body")
        process.executableURL = URL(fileURLWithPath: try Subprocess.resolve("python3"))
        process.arguments = [script, bodyPath]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var printed = Data()
        while !printed.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += chunk
        }
        port = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard Int(port) != nil else {
            kill(process.processIdentifier, SIGKILL)
            throw ScratchError.cannotCreate(bodyPath, "the slow server did not start")
        }
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var hasReceivedARequest: Bool { FileManager.default.fileExists(atPath: bodyPath) }
    var receivedBody: String { (try? String(contentsOfFile: bodyPath, encoding: .utf8)) ?? "" }
}
