import Foundation
import TestSupport
import Testing

/// `https` steps through journey's own client (mbedTLS): the server's certificate is verified
/// against the trusted roots and the host name before any request byte is sent.
@Suite("HTTPS steps")
struct HTTPSTests {
    /// A TLS server on 127.0.0.1 that logs each request's Authorization header and echoes it in
    /// the body; `/chunked` answers with a chunked body.
    static let server = """
        import http.server, ssl, sys
        log = open(sys.argv[3], "a", buffering=1)
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *a): pass
            def do_GET(self):
                auth = self.headers.get("Authorization", "-")
                log.write("%s %s\\n" % (self.path, auth))
                body = ("seen " + auth).encode()
                self.send_response(200)
                if self.path == "/chunked":
                    self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
                    for part in (body[:7], body[7:]):
                        self.wfile.write(b"%x\\r\\n%s\\r\\n" % (len(part), part))
                    self.wfile.write(b"0\\r\\n\\r\\n")
                else:
                    self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_port, flush=True)
        server.serve_forever()
        """

    /// A self-signed certificate for `localhost` (EC P-256, quick to make): `(certificate, key)`.
    static func certificate(in scratch: ScratchFolder, named name: String) throws -> (String, String) {
        let certificate = scratch.path("\(name).pem"), key = scratch.path("\(name).key.pem")
        let made = try Subprocess.run(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", certificate,
            ])
        try #require(made.exitCode == 0, "openssl could not make a test certificate: \(made.stderrText)")
        return (certificate, key)
    }

    /// Starts the server; returns it and its port.
    static func start(_ fixture: CLIFixture, certificate: (String, String), log: String) throws -> (Process, String) {
        let script = try fixture.scratch.write(Self.server, to: "tls-server.py")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try Subprocess.resolve("python3"))
        server.arguments = [script, certificate.0, certificate.1, log]
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

    static func journey(url: String) -> String {
        """
        name: tls
        steps:
          - name: plain body
            http:
              url: \(url)/plain
              headers: { Authorization: "Bearer ${{ secrets.api-token }}" }
              expect: { body-contains: "seen Bearer" }
          - name: chunked body
            http:
              url: \(url)/chunked
              headers: { Authorization: "Bearer ${{ secrets.api-token }}" }
              expect: { body-contains: "seen Bearer" }
        """
    }

    @Test func aTrustedServerGetsTheRequestAndItsEchoIsMasked() throws {
        let fixture = try CLIFixture()
        let canary = Canary()
        let certificate = try Self.certificate(in: fixture.scratch, named: "server")
        let log = fixture.scratch.path("requests.log")
        let (server, port) = try Self.start(fixture, certificate: certificate, log: log)
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        try fixture.scratch.write(Self.journey(url: "https://localhost:\(port)"), to: "workspace/journeys/tls.yaml")
        let run = try fixture.run(["run", "tls", "--local"], environment: ["API_TOKEN": canary.text, "SSL_CERT_FILE": certificate.0])
        #expect(run.exitCode == 0, "\(run.allOutput)")
        let requests = try String(contentsOfFile: log, encoding: .utf8)
        let bothDeliveredWithTheHeader = requests.contains("/plain Bearer \(canary.text)") && requests.contains("/chunked Bearer \(canary.text)")
        #expect(bothDeliveredWithTheHeader)
        #expect(run.stdoutText.contains("seen Bearer ***"))
        #expect(!canary.appears(in: run.allOutput))
    }

    @Test func anUntrustedCertificateOrAnotherHostNameGetsNoRequest() throws {
        let fixture = try CLIFixture()
        let canary = Canary()
        let certificate = try Self.certificate(in: fixture.scratch, named: "server")
        let stranger = try Self.certificate(in: fixture.scratch, named: "stranger")
        let log = fixture.scratch.path("requests.log")
        let (server, port) = try Self.start(fixture, certificate: certificate, log: log)
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        // Signed by a root the client does not trust.
        try fixture.scratch.write(Self.journey(url: "https://localhost:\(port)"), to: "workspace/journeys/tls.yaml")
        let untrusted = try fixture.run(["run", "tls", "--local"], environment: ["API_TOKEN": canary.text, "SSL_CERT_FILE": stranger.0])
        #expect(untrusted.exitCode == 1)
        #expect(untrusted.stderrText.contains("is not trusted"))
        // A trusted certificate, but for another name than the one connected to.
        try fixture.scratch.write(Self.journey(url: "https://127.0.0.1:\(port)"), to: "workspace/journeys/tls.yaml")
        let misnamed = try fixture.run(["run", "tls", "--local"], environment: ["API_TOKEN": canary.text, "SSL_CERT_FILE": certificate.0])
        #expect(misnamed.exitCode == 1)
        #expect(misnamed.stderrText.contains("is not trusted"))

        let requests = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(requests.isEmpty, "no request reaches a server that failed verification")
        #expect(!canary.appears(in: fixture.allOutput))
    }
}
