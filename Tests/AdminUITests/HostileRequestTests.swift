import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

@testable import AdminUI

/// A raw TCP client for the server's own limits: it sends exactly the bytes it is given.
final class RawClient {
    let descriptor: Int32

    init(port: UInt16) throws { descriptor = try loopbackSocket(port: port) }

    deinit { close(descriptor) }

    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// What arrives within `seconds` (less if the server closes the connection or the text
    /// holds `until`).
    func read(for seconds: Double, until: String? = nil) -> String {
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            if count > 0 { received += chunk[0..<count] }
            if let until, String(decoding: received, as: UTF8.self).contains(until) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }
}

/// Requests an attacker controls: slow, many, malformed, or aimed at files outside the
/// workspace (docs/SECURITY.md, "The Admin page").
@Suite(.serialized) struct HostileRequestTests {
    /// An `HTTPServer` with `limits`, answering 200 "ok" to everything, served on its own thread.
    static func server(_ limits: HTTPServer.Limits, handled: Counter = Counter()) throws -> HTTPServer {
        let server = try HTTPServer(port: 0, limits: limits) { _ in
            handled.increment()
            return .text(200, "ok")
        }
        Thread { server.serveForever() }.start()
        return server
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var value: Int { lock.withLock { count } }
        func increment() { lock.withLock { count += 1 } }
    }

    @Test func aClientTricklingItsRequestIsCutOffAtTheDeadline() throws {
        var limits = HTTPServer.Limits()
        limits.requestSeconds = 1
        let server = try Self.server(limits)
        let client = try RawClient(port: server.port)
        client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        // A header line every 200 ms would keep a per-read timeout from ever firing.
        var answer = ""
        var sent = 0
        while sent < 40, !answer.contains("HTTP/1.1") {
            client.send("X-Slow-\(sent): x\r\n")
            sent += 1
            answer += client.read(for: 0.2, until: "\r\n\r\n")
        }
        #expect(answer.hasPrefix("HTTP/1.1 408"))
        #expect(sent < 40)
    }

    @Test func connectionsOverTheLimitAreAnsweredAndClosedUntilOneIsFree() throws {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 2
        let server = try Self.server(limits)
        var held: [RawClient] = []
        for _ in 0..<2 {
            let client = try RawClient(port: server.port)
            client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(client.read(for: 5, until: "ok").hasPrefix("HTTP/1.1 200"))
            held.append(client)  // kept alive: each holds a thread
        }
        let refused = try RawClient(port: server.port)
        #expect(refused.read(for: 5, until: "\n\n").hasPrefix("HTTP/1.1 503"))
        held.removeFirst()  // closes one: its thread ends and frees a place
        var served = false
        for _ in 0..<50 where !served {
            let client = try RawClient(port: server.port)
            client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            served = client.read(for: 2, until: "ok").hasPrefix("HTTP/1.1 200")
            if !served { usleep(100_000) }
        }
        #expect(served)
    }

    @Test(arguments: [
        "GET /secrets\nSet-Cookie:x=y HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "GET /secrets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Note: a\u{1b}[2Jb\r\n\r\n",
        "GET /secrets HTTP/1.1\r\nHost: 127.0.0.1\rX-Injected: 1\r\n\r\n",
        "G\u{0}ET /secrets HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "get /secrets HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    ])
    func aControlCharacterOrAMalformedMethodInTheHeadIsRefused(_ request: String) throws {
        let handled = Counter()
        let server = try Self.server(HTTPServer.Limits(), handled: handled)
        let client = try RawClient(port: server.port)
        client.send(request)
        #expect(client.read(for: 5, until: "\r\n\r\n").hasPrefix("HTTP/1.1 400"))
        #expect(handled.value == 0)
    }

    @Test func theLoginRedirectStaysOnAPageOfThisServer() throws {
        #expect(AdminApp.landing(after: "/journeys/checkout") == "/journeys/checkout")
        #expect(AdminApp.landing(after: "/recipients") == "/recipients")
        for path in ["/", "//evil.example/x", "/\\evil.example/x", "/\\/evil.example", "/secrets//evil.example", "/%5Cevil.example", "/nope", "/secrets\\x"] {
            #expect(AdminApp.landing(after: path) == "/secrets", "\(path)")
        }
        let server = try UIServer()
        let login = try server.request("GET", "/\\evil.example/x?token=\(server.token)")
        #expect(login.status == 303 && login.headers["location"] == "/secrets")
        let deep = try server.request("GET", "/journeys/checkout?token=\(server.token)")
        #expect(deep.status == 303 && deep.headers["location"] == "/journeys/checkout")
    }

    @Test func aJourneyLinkedOutsideTheWorkspaceIsNeitherReadNorWritten() throws {
        let server = try UIServer()
        let marker = "outside-marker-" + UUID().uuidString
        let outside = server.scratch.path("outside.yaml")
        let original = "name: outside\ndescription: \(marker)\nsteps:\n  - name: s\n    run: echo \(marker)\n"
        try original.write(toFile: outside, atomically: true, encoding: .utf8)
        let link = server.fixture.root + "/journeys/leak.yaml"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: outside)
        // A link that stays inside the workspace is read as usual.
        try FileManager.default.createSymbolicLink(atPath: server.fixture.root + "/journeys/alias.yml", withDestinationPath: "checkout.yaml")

        let opened = try server.request("GET", "/api/journeys/leak", headers: server.bearer)
        #expect(opened.status == 403 && opened.body.contains("leads outside the workspace"))
        let list = try server.request("GET", "/api/journeys", headers: server.bearer)
        #expect(list.status == 200 && list.body.contains("leads outside the workspace"))
        let saved = try server.request(
            "PUT", "/api/journeys/leak", headers: try server.changing(), body: #"{"edits":[{"path":"steps.0.run","source":"literal","text":"echo x"}]}"#)
        #expect(saved.status == 403)
        let run = try server.request("POST", "/api/journeys/leak/runs", headers: try server.changing(), body: #"{"mode":"local"}"#)
        #expect(run.status == 403)
        for body in [opened.body, list.body, saved.body, run.body] { #expect(!body.contains(marker)) }
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == original)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == outside)
        #expect(try server.request("GET", "/api/journeys/alias", headers: server.bearer).status == 200)
    }

    @Test func ambiguousOrOversizedFieldsAreRefusedAndNothingIsWritten() throws {
        let server = try UIServer()
        let headers = try server.changing()
        // A key given twice: which value counts would be a guess.
        let twice = try server.request("POST", "/api/secrets", headers: headers, body: #"{"name":"dup-key","value":"first","value":"second"}"#)
        #expect(twice.status == 400 && twice.body.contains("given twice") && !twice.body.contains("first") && !twice.body.contains("second"))
        #expect(!server.fixture.workspace.hasSecret(try SecretName("dup-key")))
        let path = server.fixture.root + "/journeys/checkout.yaml"
        let before = try String(contentsOfFile: path, encoding: .utf8)
        let edits = #"{"edits":[{"path":"values.amount","source":"literal","text":"1"},{"path":"values.amount","source":"literal","text":"2"}]}"#
        let edited = try server.request("PUT", "/api/journeys/checkout", headers: headers, body: edits)
        #expect(edited.status == 400 && edited.body.contains("edited twice"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == before)

        // A recipient name every sealed file would then carry: too long for a sealed file's
        // recipient entry, or holding terminal escapes or a bidirectional override.
        let recipients = try String(contentsOfFile: server.fixture.workspace.recipientsPath, encoding: .utf8)
        let key = PrivateKey.generate().publicKey.text
        for name in [String(repeating: "n", count: SealedFile.maximumRecipientNameBytes + 1), "eve\\u001b[2J", "eve\\u202egpj.exe", "eve\\u0085x"] {
            let added = try server.request("POST", "/api/recipients", headers: headers, body: #"{"name":"\#(name)","key":"\#(key)"}"#)
            #expect(added.status == 400, "\(name.prefix(20))")
        }
        #expect(try String(contentsOfFile: server.fixture.workspace.recipientsPath, encoding: .utf8) == recipients)
        let fine = try server.request("POST", "/api/recipients", headers: headers, body: #"{"name":"eve-laptop","key":"\#(key)"}"#)
        #expect(fine.status == 201)
    }

    /// A journey is untrusted: one that prints without end must not grow the server until
    /// the machine runs out of memory, nor block on a pipe nobody reads.
    @Test func aRunsKeptOutputStopsAtItsLimitAndTheRunStillEnds() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: try scratch.folder("ws"))
            let file = fixture.root + "/journeys/loud.yaml"
            try "name: loud\nsteps:\n  - name: print\n    run: head -c 3000000 /dev/zero | tr '\\0' x\n".write(toFile: file, atomically: true, encoding: .utf8)
            let book = RunBook(workspace: fixture.workspace, executable: JourneyBinary.path, maxOutputBytes: 64 * 1024, maxRuns: 2)
            func drain(_ run: RunBook.Run) -> [UInt8] {
                var output: [UInt8] = []
                while true {
                    let (bytes, done) = run.output(from: output.count, waiting: 30)
                    output += bytes
                    if done { return output }
                }
            }
            let run = try book.start(journeyFile: file, journey: "loud", mode: "local")
            let output = drain(run)
            let text = String(decoding: output, as: UTF8.self)
            #expect(run.exitCode == 0, "\(text.suffix(300))")
            #expect(output.count < 64 * 1024 + 200 && text.contains("the rest is not kept"))
            #expect(text.filter { $0 == "x" }.count >= 60 * 1024)
            // Only the most recent runs are kept.
            for _ in 0..<2 {
                _ = drain(try book.start(journeyFile: file, journey: "loud", mode: "local"))
            }
            #expect(book.all.count == 2 && book.run(id: run.id) == nil)
        }
    }
}
