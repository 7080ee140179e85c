import FoundationEssentials

/// One HTTP request as an `http` step sends it. Header values and the body may hold a resolved
/// secret: they live here only for the exchange.
struct HTTPRequest {
    var method: String
    var url: HTTPURL
    var headers: [(name: String, value: String)]
    var body: [UInt8]?
}

/// An `http` or `https` URL taken apart for a request: where to connect and what to ask for.
struct HTTPURL: Equatable {
    /// `http` or `https`.
    let scheme: String
    /// Lower-case host name or address (an IPv6 address without its brackets).
    let host: String
    let port: Int
    /// Path and query as sent on the request line, `/` at least; the fragment is dropped.
    let target: String

    init?(_ text: String) {
        guard let url = URL(string: text) else { return nil }
        self.init(url)
    }

    private init?(_ url: URL) {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: true),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = components.percentEncodedHost, !host.isEmpty,
            components.user == nil, components.password == nil
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard host.removingPercentEncoding == host else { return nil }
        self.scheme = scheme
        self.host = host.lowercased()
        port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { return nil }
        let path = components.percentEncodedPath
        var target = path.isEmpty ? "/" : path
        if let query = components.percentEncodedQuery { target += "?" + query }
        self.target = target
    }

    /// The URL a redirect's `Location` names, relative to this one.
    func resolving(_ location: String) -> HTTPURL? {
        guard let base = URL(string: text), let next = URL(string: location, relativeTo: base) else { return nil }
        return HTTPURL(next.absoluteURL)
    }

    /// Same scheme, host and port: a redirect may carry the request's headers only there.
    func hasSameOrigin(as other: HTTPURL) -> Bool {
        scheme == other.scheme && host == other.host && port == other.port
    }

    /// The `Host` header: the port only when it is not the scheme's default.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        return port == defaultPort ? name : "\(name):\(port)"
    }

    var text: String { "\(scheme)://\(hostHeader)\(target)" }
}

/// How one exchange ended.
enum HTTPExchange {
    case response(status: Int, body: [UInt8])
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
                let location = response.header("location"), let next = request.url.resolving(location),
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
        let connection = try HTTPConnection(to: request.url, deadline: deadline)
        var head = "\(request.method) \(request.url.target) HTTP/1.1\r\n"
        var names = Set<String>()
        for header in request.headers { names.insert(header.name.lowercased()) }
        if !names.contains("host") { head += "Host: \(request.url.hostHeader)\r\n" }
        if !names.contains("user-agent") { head += "User-Agent: journey\r\n" }
        if !names.contains("accept") { head += "Accept: */*\r\n" }
        head += "Connection: close\r\n"
        if let body = request.body, !names.contains("content-length") { head += "Content-Length: \(body.count)\r\n" }
        for header in request.headers {
            // Bytes, not Characters: "\r\n" is one Character and equals neither "\r" nor "\n".
            guard !header.name.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 || $0 == UInt8(ascii: ":") }),
                !header.value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 })
            else { throw .failed("header '\(header.name)' holds a line break, a NUL or (in its name) a colon") }
            head += "\(header.name): \(header.value)\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if let body = request.body { bytes += body }
        defer { bytes.withUnsafeMutableBytes { for index in $0.indices { $0[index] = 0 } } }
        try connection.write(bytes)
        return try HTTPResponse.read(from: connection, method: request.method)
    }
}

enum HTTPFailure: Error {
    case failed(String)
    case timedOut
}

/// A response read whole: status, headers and the body after any chunked coding is removed.
struct HTTPResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

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
            response.body = try reader.chunkedBody()
        } else if let lengthText = response.header("content-length") {
            guard let length = Int(lengthText.trimmingCharacters(in: .whitespaces)), length >= 0 else {
                throw .failed("the response's Content-Length '\(lengthText)' is not a number")
            }
            guard length <= HTTPClient.maximumResponseBytes else { throw ResponseReader.tooLarge }
            response.body = try reader.bytes(length)
        } else {
            response.body = try reader.rest()
        }
        return response
    }
}

/// Reads a response off a connection, buffering what arrived beyond the part asked for.
private struct ResponseReader {
    let connection: HTTPConnection
    var buffer: [UInt8] = []
    var start = 0

    static let tooLarge = HTTPFailure.failed("the response is larger than \(HTTPClient.maximumResponseBytes >> 20) MiB")
    static let maximumHeadBytes = 256 * 1024

    init(connection: HTTPConnection) { self.connection = connection }

    /// Reads more; false at the end of the stream.
    private mutating func fill() throws(HTTPFailure) -> Bool {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        guard buffer.count - start <= HTTPClient.maximumResponseBytes else { throw Self.tooLarge }
        return try connection.read(appendingTo: &buffer) > 0
    }

    /// The status line and headers.
    mutating func head() throws(HTTPFailure) -> HTTPResponse {
        var lines: [String] = []
        while true {
            let line = try self.line(limit: Self.maximumHeadBytes)
            if line.isEmpty { break }
            lines.append(line)
        }
        guard let statusLine = lines.first else { throw .failed("the server sent an empty response head") }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            throw .failed("the server's reply is not HTTP/1.x")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return HTTPResponse(status: status, headers: headers, body: [])
    }

    /// One line without its CRLF (or bare LF).
    private mutating func line(limit: Int) throws(HTTPFailure) -> String {
        // How far past `start` has been searched already (`fill` may move `start`).
        var searched = 0
        while true {
            if let newline = buffer[(start + searched)...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                return line
            }
            searched = buffer.count - start
            guard searched < limit else { throw .failed("a line of the response is longer than \(limit) bytes") }
            guard try fill() else { throw .failed("the connection closed before the response was complete") }
        }
    }

    mutating func bytes(_ count: Int) throws(HTTPFailure) -> [UInt8] {
        while buffer.count - start < count {
            guard try fill() else { throw .failed("the connection closed before the response body was complete") }
        }
        defer { start += count }
        return Array(buffer[start..<start + count])
    }

    mutating func rest() throws(HTTPFailure) -> [UInt8] {
        while try fill() {}
        defer { start = buffer.count }
        return Array(buffer[start...])
    }

    mutating func chunkedBody() throws(HTTPFailure) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try line(limit: 4096)
            let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw .failed("the response's chunked body is malformed") }
            if size == 0 { break }
            guard body.count + size <= HTTPClient.maximumResponseBytes else { throw Self.tooLarge }
            body += try bytes(size)
            guard try line(limit: 4096).isEmpty else { throw .failed("the response's chunked body is malformed") }
        }
        // Trailers, up to the empty line; a server that just closes is fine too.
        while let trailer = try? line(limit: Self.maximumHeadBytes), !trailer.isEmpty {}
        return body
    }
}
