import Foundation

/// One parsed HTTP/1.1 request. The body is held in `body` only until the handler returns;
/// the connection zeroes its buffers afterwards (a body may carry a value on its way to be sealed).
struct HTTPRequest {
    var method: String
    /// The path without the query, percent-decoded per segment by the router, not here.
    var path: String
    var query: [String: String]
    /// Header names in lower case.
    var headers: [String: String]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The value of one cookie, by name.
    func cookie(_ name: String) -> String? {
        guard let cookies = header("cookie") else { return nil }
        for pair in cookies.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}

/// What a handler answers: a whole body, or a body written piece by piece (chunked), for
/// output that streams while a journey runs.
struct HTTPResponse {
    enum Body {
        case bytes([UInt8])
        /// Called with a writer; return when the stream is complete. `write` answers `false`
        /// once the client has gone.
        case stream(@Sendable (_ write: ([UInt8]) -> Bool) -> Void)
    }

    var status: Int
    var headers: [(String, String)]
    var body: Body

    init(status: Int, headers: [(String, String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func text(_ status: Int, _ text: String, type: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", type)], body: .bytes(Array(text.utf8)))
    }

    static let reasons: [Int: String] = [
        200: "OK", 201: "Created", 204: "No Content", 303: "See Other", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
        404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict", 411: "Length Required", 413: "Content Too Large",
        415: "Unsupported Media Type", 421: "Misdirected Request", 422: "Unprocessable Content", 431: "Request Header Fields Too Large",
        500: "Internal Server Error", 503: "Service Unavailable",
    ]
}

/// A small HTTP/1.1 server on POSIX sockets, bound to 127.0.0.1 only. One thread per
/// connection, keep-alive, Content-Length bodies (no chunked requests), hard limits on the
/// head, the body, the time a request may take to arrive and the connections served at once.
/// Chosen over Hummingbird/FlyingFox for start-up and build cost: see docs/UI.md, "Why a
/// server of its own".
final class HTTPServer: @unchecked Sendable {
    /// What one client may hold: any local process can connect, so none may pin threads,
    /// memory or descriptors for long (a slow sender, a reader that never reads).
    struct Limits: Sendable {
        var maxHeadBytes = 32 * 1024
        var maxBodyBytes = 1024 * 1024
        /// How long a kept-alive connection may wait for its next request's first byte.
        var idleSeconds = 60
        /// From a request's first byte to its last: a client trickling bytes cannot hold a
        /// thread longer (slowloris).
        var requestSeconds = 20
        /// How long one write of an answer (or of a run's streamed output) may block on a
        /// client that stopped reading.
        var sendSeconds = 30
        /// Connections served at once (each has a thread and a buffer reserved for the largest
        /// request); more are answered 503 and closed.
        var maxConnections = 64
    }

    static let readChunkBytes = 16 * 1024

    let port: UInt16
    let limits: Limits
    private let listener: Int32
    private let handler: @Sendable (HTTPRequest) -> HTTPResponse
    private let countLock = NSLock()
    private var openConnections = 0

    /// Binds 127.0.0.1:`port` (0 = a free port) and starts listening.
    init(port: UInt16, limits: Limits = Limits(), handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws(AdminUIError) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .server("cannot create a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian  // 127.0.0.1, never a wildcard
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .server("cannot listen on 127.0.0.1:\(port): \(reason)\(port == 0 ? "" : " (choose another --port, or leave it out for a free one)")")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        self.port = UInt16(bigEndian: actual.sin_port)
        listener = descriptor
        self.limits = limits
        self.handler = handler
    }

    /// Accepts connections until the process ends.
    func serveForever() -> Never {
        while true {
            // Close-on-exec from the start: a `journey run` child started on another thread
            // in between must not inherit a connection.
            let connection = acceptCloseOnExec(listener, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
            if connection < 0 {
                // Out of descriptors: wait for connections to close instead of spinning.
                if errno == EMFILE || errno == ENFILE { usleep(50_000) }
                continue
            }
            let admitted = countLock.withLock {
                guard openConnections < limits.maxConnections else { return false }
                openConnections += 1
                return true
            }
            guard admitted else {
                // Answered here, without a thread: a second at most for a client that does not read.
                var timeout = timeval(tv_sec: 1, tv_usec: 0)
                setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                _ = send(connection, Self.serialise(.text(503, "too many connections; try again\n"), keepAlive: false, extra: SecurityHeaders.all))
                close(connection)
                continue
            }
            let thread = Thread { [self] in
                self.serve(connection)
                self.countLock.withLock { self.openConnections -= 1 }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var timeout = timeval(tv_sec: limits.sendSeconds, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // Room for the largest request a read can leave in it, so appending never moves the
        // bytes (a move would free an unwiped copy of a value).
        var buffer: [UInt8] = []
        buffer.reserveCapacity(limits.maxHeadBytes + limits.maxBodyBytes + 2 * Self.readChunkBytes)
        defer { Self.wipe(&buffer) }
        while true {
            let parsed = readRequest(connection, &buffer)
            switch parsed {
            case .closed:
                return
            case .failed(let status, let message):
                _ = send(connection, Self.serialise(.text(status, message + "\n"), keepAlive: false, extra: SecurityHeaders.all))
                return
            case .request(var request, let keepAlive):
                var response = handler(request)
                Self.wipe(&request.body)
                let stays = keepAlive && !Self.isStream(response.body)
                if case .stream(let produce) = response.body {
                    response.headers.append(("Transfer-Encoding", "chunked"))
                    guard send(connection, Self.serialise(response, keepAlive: false, extra: [])) else { return }
                    produce { chunk in
                        guard !chunk.isEmpty else { return true }
                        let framed = Array((String(chunk.count, radix: 16) + "\r\n").utf8) + chunk + Array("\r\n".utf8)
                        return self.send(connection, framed)
                    }
                    _ = send(connection, Array("0\r\n\r\n".utf8))
                    return
                }
                guard send(connection, Self.serialise(response, keepAlive: stays, extra: [])), stays else { return }
            }
        }
    }

    private static func isStream(_ body: HTTPResponse.Body) -> Bool {
        if case .stream = body { return true }
        return false
    }

    private enum ReadResult {
        case request(HTTPRequest, keepAlive: Bool)
        case failed(Int, String)
        case closed
    }

    private enum Received {
        case bytes(Int)
        case closed
        case tooSlow
    }

    /// One `recv` that waits at most until `deadline` (monotonic nanoseconds), or
    /// `limits.idleSeconds` when there is none yet.
    private func receive(_ connection: Int32, into chunk: inout [UInt8], deadline: UInt64?) -> Received {
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            let wait: UInt64
            if let deadline {
                guard deadline > now else { return .tooSlow }
                wait = deadline - now
            } else {
                wait = UInt64(limits.idleSeconds) * 1_000_000_000
            }
            var descriptor = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(wait / 1_000_000 + 1, UInt64(Int32.max))))
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 { return .closed }
            if ready == 0 {
                if deadline != nil { continue }  // the deadline check above answers
                return .closed  // idle: the client sent nothing for limits.idleSeconds
            }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            return count <= 0 ? .closed : .bytes(count)
        }
    }

    /// Reads one request from `connection`; `buffer` keeps bytes read past its end. The whole
    /// request must arrive within `limits.requestSeconds` of its first byte.
    private func readRequest(_ connection: Int32, _ buffer: inout [UInt8]) -> ReadResult {
        var chunk = [UInt8](repeating: 0, count: Self.readChunkBytes)
        defer { Self.wipe(&chunk) }
        let requestNanoseconds = UInt64(limits.requestSeconds) * 1_000_000_000
        var deadline: UInt64? = buffer.isEmpty ? nil : DispatchTime.now().uptimeNanoseconds + requestNanoseconds
        let tooSlow = ReadResult.failed(408, "the request did not arrive within \(limits.requestSeconds) s")
        var headEnd: Int?
        while true {
            if let end = Self.find(Array("\r\n\r\n".utf8), in: buffer) {
                headEnd = end
                break
            }
            if buffer.count > limits.maxHeadBytes { return .failed(431, "request head too large") }
            switch receive(connection, into: &chunk, deadline: deadline) {
            case .bytes(let count):
                buffer += chunk[0..<count]
                if deadline == nil { deadline = DispatchTime.now().uptimeNanoseconds + requestNanoseconds }
            case .closed: return .closed
            case .tooSlow: return tooSlow
            }
        }
        guard let headEnd, let head = String(bytes: buffer[0..<headEnd], encoding: .utf8) else { return .failed(400, "request head is not UTF-8") }
        var lines = head.components(separatedBy: "\r\n")
        // No control character anywhere in the head (a tab only inside a header value): a bare
        // line feed in the target or a header would otherwise reach a response header (the
        // login redirect's Location) or the log as a line of its own.
        for (number, line) in lines.enumerated() {
            let allowed: (Unicode.Scalar) -> Bool = { ($0.value >= 0x20 && $0.value != 0x7F) || (number > 0 && $0 == "\t") }
            guard line.unicodeScalars.allSatisfy(allowed) else { return .failed(400, "a control character in the request head") }
        }
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1."), !requestLine[0].isEmpty,
            requestLine[0].unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) })
        else { return .failed(400, "expected an HTTP/1.1 request line") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return .failed(400, "malformed header line") }
            let name = line[..<colon].lowercased()
            guard !name.isEmpty, !name.contains(" ") else { return .failed(400, "malformed header name") }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if headers[name] != nil, ["host", "content-length", "authorization", "origin", "cookie"].contains(name) {
                return .failed(400, "duplicate \(name) header")
            }
            headers[name] = value
        }
        if headers["transfer-encoding"] != nil { return .failed(411, "chunked request bodies are not accepted; send Content-Length") }
        var length = 0
        if let text = headers["content-length"] {
            guard let value = Int(text), value >= 0 else { return .failed(400, "bad Content-Length") }
            guard value <= limits.maxBodyBytes else { return .failed(413, "request body larger than \(limits.maxBodyBytes) bytes") }
            length = value
        }
        let bodyStart = headEnd + 4
        while buffer.count < bodyStart + length {
            switch receive(connection, into: &chunk, deadline: deadline) {
            case .bytes(let count): buffer += chunk[0..<count]
            case .closed: return .closed
            case .tooSlow: return tooSlow
            }
        }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        // Drop this request in place: wipe it, move what follows down, and zero the bytes the
        // move left behind at the end (still inside the reserved storage).
        let consumed = bodyStart + length
        buffer.withUnsafeMutableBytes { raw in explicit_bzero(raw.baseAddress!, consumed) }
        buffer.removeSubrange(0..<consumed)
        buffer.append(contentsOf: repeatElement(0, count: consumed))
        buffer.removeLast(consumed)

        let target = String(requestLine[1])
        guard target.hasPrefix("/") else { return .failed(400, "expected an origin-form request target") }
        let pathPart = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if pathPart.count == 2 {
            for pair in pathPart[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(kv[0]).removingPercentEncoding ?? ""
                let value = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
                query[key] = value
            }
        }
        let keepAlive = (headers["connection"]?.lowercased() != "close")
        return .request(
            HTTPRequest(method: String(requestLine[0]), path: String(pathPart[0]), query: query, headers: headers, body: body), keepAlive: keepAlive)
    }

    private func send(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    static func serialise(_ response: HTTPResponse, keepAlive: Bool, extra: [(String, String)]) -> [UInt8] {
        var head = "HTTP/1.1 \(response.status) \(HTTPResponse.reasons[response.status] ?? "Status")\r\n"
        for (name, value) in response.headers + extra { head += "\(name): \(value)\r\n" }
        if case .bytes(let body) = response.body { head += "Content-Length: \(body.count)\r\n" }
        head += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        head += "\r\n"
        var bytes = Array(head.utf8)
        if case .bytes(let body) = response.body { bytes += body }
        return bytes
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], Array(haystack[index..<index + needle.count]) == needle { return index }
            index += 1
        }
        return nil
    }

    /// Overwrites a buffer before it is released: request bodies may hold a value.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            explicit_bzero(base, raw.count)
        }
        bytes.removeAll()
    }
}

/// glibc's `accept4` (a GNU extension the Glibc module leaves out): accept with SOCK_CLOEXEC set
/// atomically.
@_silgen_name("accept4")
private func acceptCloseOnExec(_ socket: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: UnsafeMutablePointer<socklen_t>?, _ flags: Int32) -> Int32
