import FoundationEssentials
import Sealing

/// One HTTP request as an `http` step sends it. Header values and the body may hold a resolved
/// secret: they stay in `SecretBytes` (locked, out of core dumps, wiped), and the request is
/// assembled in one of its own.
struct HTTPRequest {
    var method: String
    var url: HTTPURL
    var headers: [(name: String, value: SecretBytes)]
    var body: SecretBytes?
}

/// How one exchange ended.
enum HTTPExchange {
    /// The body may echo a value: it stays in a wiped buffer.
    case response(status: Int, body: WipedBytes)
    case failed(String)
    case timedOut
}

/// A small HTTP/1.1 client on POSIX sockets, with TLS from mbedTLS (already linked for libgit2).
///
/// Why not URLSession: on Linux it is FoundationNetworking over libcurl, whose shared-library
/// chain (OpenSSL, Kerberos, LDAP, …) every `journey` process would load at start-up, and which
/// cannot be linked statically. This client costs nothing until an `http` step runs.
///
/// One connection per request (`Connection: close`), no cookies, no cache, no proxy, no
/// compression. Redirects (301, 302, 303, 307, 308) are followed only within the same origin:
/// the headers may carry a credential, and `Location` is chosen by the server.
enum HTTPClient {
    static let maximumRedirects = 10
    /// A body larger than this fails the step instead of filling memory.
    static let maximumResponseBytes = 64 << 20

    static func perform(_ request: HTTPRequest, timeout: Duration) -> HTTPExchange {
        let deadline = ContinuousClock.now + timeout
        var request = request
        var redirects = 0
        while true {
            let response: HTTPResponse
            do {
                response = try exchange(request, deadline: deadline)
            } catch {
                switch error {
                case .timedOut: return .timedOut
                case .failed(let reason): return .failed(reason)
                }
            }
            guard [301, 302, 303, 307, 308].contains(response.status), redirects < maximumRedirects,
                let location = response.location, let next = location.withUnsafeBytes({ request.url.resolving($0) }),
                next.hasSameOrigin(as: request.url)
            else {
                return .response(status: response.status, body: response.body)
            }
            redirects += 1
            // As browsers and curl do: 303 becomes GET, and so do 301/302 after a POST.
            if response.status == 303 || ([301, 302].contains(response.status) && request.method == "POST") {
                if request.method != "HEAD" { request.method = "GET" }
                request.body = nil
                request.headers.removeAll { ["content-type", "content-length"].contains($0.name.lowercased()) }
            }
            request.url = next
        }
    }

    /// One request on a fresh connection, and its whole response.
    private static func exchange(_ request: HTTPRequest, deadline: ContinuousClock.Instant) throws(HTTPFailure) -> HTTPResponse {
        let message = try message(for: request)
        let connection = try HTTPConnection(to: request.url, deadline: deadline)
        try connection.write(message)
        return try HTTPResponse.read(from: connection, method: request.method)
    }

    /// The request as sent: request line, headers, blank line, body, assembled straight into
    /// wiped memory, so a header value or body holding a value is never copied into a `String`
    /// or an array. Refuses a header that would end its line early (request splitting).
    static func message(for request: HTTPRequest) throws(HTTPFailure) -> SecretBytes {
        var names = Set<String>()
        for header in request.headers {
            // Bytes, not Characters: "\r\n" is one Character and equals neither "\r" nor "\n".
            let breaksTheLine = header.value.withUnsafeBytes { value in value.contains { (byte: UInt8) in byte == 13 || byte == 10 || byte == 0 } }
            guard !header.name.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 || $0 == UInt8(ascii: ":") }), !breaksTheLine else {
                throw .failed("header '\(header.name)' holds a line break, a NUL or (in its name) a colon")
            }
            names.insert(header.name.lowercased())
        }
        // The fixed parts hold the method, names and numbers, never the target (the URL may
        // hold a value), a header value or the body.
        let method = Array("\(request.method) ".utf8)
        var head = " HTTP/1.1\r\n"
        if !names.contains("host") { head += "Host: \(request.url.hostHeader)\r\n" }
        if !names.contains("user-agent") { head += "User-Agent: journey\r\n" }
        if !names.contains("accept") { head += "Accept: */*\r\n" }
        head += "Connection: close\r\n"
        if let body = request.body, !names.contains("content-length") { head += "Content-Length: \(body.count)\r\n" }

        let separator = Array(": ".utf8)
        let lineEnd = Array("\r\n".utf8)
        var length = method.count + request.url.target.count + head.utf8.count + lineEnd.count + (request.body?.count ?? 0)
        for header in request.headers { length += header.name.utf8.count + separator.count + header.value.count + lineEnd.count }
        return SecretBytes(count: length) { out in
            var cursor = 0
            func put(_ bytes: UnsafeRawBufferPointer) {
                UnsafeMutableRawBufferPointer(rebasing: out[cursor..<cursor + bytes.count]).copyMemory(from: bytes)
                cursor += bytes.count
            }
            func put(_ bytes: [UInt8]) { bytes.withUnsafeBytes { put($0) } }
            put(method)
            request.url.target.withUnsafeBytes { put($0) }
            put(Array(head.utf8))
            for header in request.headers {
                put(Array(header.name.utf8))
                put(separator)
                header.value.withUnsafeBytes { put($0) }
                put(lineEnd)
            }
            put(lineEnd)
            request.body?.withUnsafeBytes { put($0) }
            precondition(cursor == out.count, "HTTPClient: the request's length was miscounted")
        }
    }
}

enum HTTPFailure: Error {
    case failed(String)
    case timedOut
}

/// A response read whole: status, the headers the client acts on, and the body after any
/// chunked coding is removed. Other headers are skipped without a copy: a server may echo a
/// credential in any of them.
struct HTTPResponse {
    /// The headers read as text: framing. Names as sent.
    static let headersUsed: Set<String> = ["transfer-encoding", "content-length"]

    var status: Int
    var headers: [(name: String, value: String)]
    /// The `Location` header's value, kept in locked, wiped memory: a redirect often repeats
    /// the request's query (`/x?key=…` → `/x/?key=…`), which may hold a value.
    var location: SecretBytes?
    var body = WipedBytes()

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }

    static func read(from connection: HTTPConnection, method: String) throws(HTTPFailure) -> HTTPResponse {
        var reader = ResponseReader(connection: connection)
        var response: HTTPResponse
        // Interim 1xx responses (100 Continue, 103 Early Hints) come before the real one.
        repeat {
            response = try reader.head()
        } while (100...199).contains(response.status)

        if method == "HEAD" || response.status == 204 || response.status == 304 { return response }
        if let coding = response.header("transfer-encoding"), coding.lowercased().contains("chunked") {
            try reader.chunkedBody(into: response.body)
        } else if let lengthText = response.header("content-length") {
            guard let length = Int(lengthText.trimmingCharacters(in: .whitespaces)), length >= 0 else {
                throw .failed("the response's Content-Length '\(lengthText)' is not a number")
            }
            guard length <= HTTPClient.maximumResponseBytes else { throw ResponseReader.tooLarge }
            try reader.move(length, into: response.body)
        } else {
            try reader.rest(into: response.body)
        }
        return response
    }
}

/// Reads a response off a connection into wiped buffers, holding what arrived beyond the part
/// asked for.
private struct ResponseReader {
    let connection: HTTPConnection
    /// Bytes received and not yet consumed, from `start`.
    let buffer = WipedBytes()
    var start = 0

    static let tooLarge = HTTPFailure.failed("the response is larger than \(HTTPClient.maximumResponseBytes >> 20) MiB")
    static let closedEarly = HTTPFailure.failed("the connection closed before the response body was complete")
    static let maximumHeadBytes = 256 * 1024

    init(connection: HTTPConnection) { self.connection = connection }

    /// Reads more, after dropping what was consumed; false at the end of the stream.
    private mutating func fill() throws(HTTPFailure) -> Bool {
        buffer.removeFirst(start)
        start = 0
        guard buffer.count <= HTTPClient.maximumResponseBytes else { throw Self.tooLarge }
        return try connection.read(appendingTo: buffer) > 0
    }

    /// The status line and the headers the client uses.
    mutating func head() throws(HTTPFailure) -> HTTPResponse {
        var status: Int?
        var headers: [(name: String, value: String)] = []
        var location: SecretBytes?
        while true {
            let line = try self.line(limit: Self.maximumHeadBytes)
            if line.isEmpty { break }
            let isStatusLine = status == nil
            try buffer.withUnsafeBytes { (all) throws(HTTPFailure) in
                let bytes = all[line]
                if isStatusLine {
                    status = try Self.status(String(decoding: bytes, as: UTF8.self))
                } else if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
                    let name = String(decoding: bytes[..<colon], as: UTF8.self)
                    if name.lowercased() == "location" {
                        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
                        let value = bytes[(colon + 1)...]
                        let start = value.firstIndex { !isBlank($0) } ?? value.endIndex
                        let end = value.lastIndex { !isBlank($0) }.map { $0 + 1 } ?? start
                        location = SecretBytes(copying: value[start..<max(start, end)])
                        return
                    }
                    guard Self.headersUsed(name) else { return }
                    let value = String(decoding: bytes[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                    headers.append((name, value))
                }
            }
        }
        guard let status else { throw .failed("the server sent an empty response head") }
        return HTTPResponse(status: status, headers: headers, location: location)
    }

    private static func headersUsed(_ name: String) -> Bool { HTTPResponse.headersUsed.contains(name.lowercased()) }

    private static func status(_ statusLine: String) throws(HTTPFailure) -> Int {
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            throw .failed("the server's reply is not HTTP/1.x")
        }
        return status
    }

    /// Where the next line is in `buffer`, without its CRLF (or bare LF); consumed, and valid
    /// until the next read.
    private mutating func line(limit: Int) throws(HTTPFailure) -> Range<Int> {
        // How far past `start` has been searched already (`fill` moves `start` to 0).
        var searched = 0
        while true {
            let found = buffer.withUnsafeBytes { all -> (line: Range<Int>, next: Int)? in
                guard let newline = all[(start + searched)...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                var end = newline
                if end > start, all[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                return (start..<end, newline + 1)
            }
            if let found {
                start = found.next
                return found.line
            }
            searched = buffer.count - start
            guard searched < limit else { throw .failed("a line of the response is longer than \(limit) bytes") }
            guard try fill() else { throw .failed("the connection closed before the response was complete") }
        }
    }

    /// Moves the next `count` bytes into `body`.
    mutating func move(_ count: Int, into body: WipedBytes) throws(HTTPFailure) {
        var remaining = count
        while remaining > 0 {
            if start == buffer.count {
                guard try fill() else { throw Self.closedEarly }
                continue
            }
            let taken = min(remaining, buffer.count - start)
            buffer.withUnsafeBytes { body.append(UnsafeRawBufferPointer(rebasing: $0[start..<start + taken])) }
            start += taken
            remaining -= taken
        }
    }

    /// Moves everything up to the end of the stream into `body`.
    mutating func rest(into body: WipedBytes) throws(HTTPFailure) {
        repeat {
            buffer.withUnsafeBytes { body.append(UnsafeRawBufferPointer(rebasing: $0[start...])) }
            start = buffer.count
            guard body.count <= HTTPClient.maximumResponseBytes else { throw Self.tooLarge }
        } while try fill()
    }

    mutating func chunkedBody(into body: WipedBytes) throws(HTTPFailure) {
        while true {
            let sizeRange = try line(limit: 4096)
            let sizeLine = text(of: sizeRange)
            let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw .failed("the response's chunked body is malformed") }
            if size == 0 { break }
            guard body.count + size <= HTTPClient.maximumResponseBytes else { throw Self.tooLarge }
            try move(size, into: body)
            guard try line(limit: 4096).isEmpty else { throw .failed("the response's chunked body is malformed") }
        }
        // Trailers, up to the empty line; a server that just closes is fine too.
        while let trailer = try? line(limit: Self.maximumHeadBytes), !trailer.isEmpty {}
    }

    private func text(of line: Range<Int>) -> String {
        buffer.withUnsafeBytes { String(decoding: $0[line], as: UTF8.self) }
    }
}
