import Foundation
import TestSupport
import Testing

@Suite("HTTP steps and redirects")
struct RedirectTests {
    /// Two servers on 127.0.0.1: the first redirects `/elsewhere` to the second and `/same` to
    /// itself; both record every Authorization header they receive.
    static let servers = """
        import http.server, sys, threading
        log = open(sys.argv[1], "a", buffering=1)
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_GET(self):
                log.write("%d %s %s\\n" % (self.server.server_port, self.path, self.headers.get("Authorization", "-")))
                if self.path == "/elsewhere":
                    self.send_response(302); self.send_header("Location", "http://127.0.0.1:%d/landing" % other.server_port); self.end_headers()
                elif self.path == "/same":
                    self.send_response(302); self.send_header("Location", "/landing"); self.end_headers()
                else:
                    self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
        first = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=other.serve_forever, daemon=True).start()
        print(first.server_port, other.server_port, flush=True)
        first.serve_forever()
        """

    @Test func aCredentialIsNeverSentToAnotherOriginByARedirect() throws {
        let fixture = try CLIFixture()
        let canary = Canary()
        let script = try fixture.scratch.write(Self.servers, to: "servers.py")
        let log = fixture.scratch.path("requests.log")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try Subprocess.resolve("python3"))
        server.arguments = [script, log]
        let portsPipe = Pipe()
        server.standardOutput = portsPipe
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        // The servers print both ports on one line once listening; read until the line is whole.
        var printed = Data()
        while !printed.contains(UInt8(ascii: "\n")) {
            let chunk = portsPipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += chunk
        }
        let ports = String(decoding: printed, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        try #require(ports.count == 2, "the test servers did not start")
        let first = String(ports[0])
        let journey = """
            name: redirects
            steps:
              - name: same origin
                http:
                  url: http://127.0.0.1:\(first)/same
                  headers: { Authorization: "Bearer ${{ secrets.api-token }}" }
              - name: another origin
                http:
                  url: http://127.0.0.1:\(first)/elsewhere
                  headers: { Authorization: "Bearer ${{ secrets.api-token }}" }
            """
        try fixture.scratch.write(journey, to: "workspace/journeys/redirects.yaml")
        let run = try fixture.run(["run", "redirects", "--local"], environment: ["API_TOKEN": canary.text])
        let requests = try String(contentsOfFile: log, encoding: .utf8)
        // Same origin: followed, with the header. Another origin: not followed at all.
        // (Booleans, so a failure message never prints the recorded header.)
        let sameOriginFollowedWithHeader = requests.contains("\(first) /landing Bearer \(canary.text)")
        #expect(sameOriginFollowedWithHeader)
        let otherPort = String(ports[1])
        let otherOriginGotARequest = requests.contains("\(otherPort) ")
        #expect(!otherOriginGotARequest)
        #expect(run.exitCode == 1, "the unfollowed 302 fails the step (expect defaults to 2xx)")
        #expect(run.stdoutText.contains("302"))
        #expect(!canary.appears(in: run.allOutput))
    }
}
