import Glibc
import Sealing

/// A TCP connection for one HTTP exchange, TLS on top for `https`, with one deadline for the
/// whole exchange: every wait (connect, handshake, read, write) polls only until it.
final class HTTPConnection {
    private let descriptor: Int32
    private let deadline: ContinuousClock.Instant
    private var tls: TLSSession?

    init(to url: HTTPURL, deadline: ContinuousClock.Instant) throws(HTTPFailure) {
        self.deadline = deadline
        descriptor = try Self.connect(host: url.host, port: url.port, deadline: deadline)
        if url.scheme == "https" {
            do {
                tls = try TLSSession(descriptor: descriptor, host: url.host) { [descriptor] events throws(HTTPFailure) in
                    try Self.wait(descriptor, for: events, until: deadline)
                }
            } catch {
                close(descriptor)
                throw error
            }
        }
    }

    deinit {
        tls?.close()
        close(descriptor)
    }

    /// Sends `message` whole, straight from its wiped buffer.
    func write(_ message: SecretBytes) throws(HTTPFailure) {
        if let tls { return try tls.write(message) }
        var offset = 0
        while offset < message.count {
            let written = message.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written >= 0 {
                offset += written
            } else if errno == EAGAIN || errno == EINTR {
                try Self.wait(descriptor, for: Int16(POLLOUT), until: deadline)
            } else {
                throw .failed("sending the request failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Reads what arrives next straight into `buffer`; returns how many bytes, 0 at the end of
    /// the stream.
    func read(appendingTo buffer: WipedBytes) throws(HTTPFailure) -> Int {
        try buffer.append(upTo: 16384) { (space) throws(HTTPFailure) -> Int in
            if let tls { return try tls.read(into: space) }
            while true {
                let received = recv(descriptor, space.baseAddress!, space.count, 0)
                if received >= 0 { return received }
                guard errno == EAGAIN || errno == EINTR else {
                    throw .failed("reading the response failed: \(String(cString: strerror(errno)))")
                }
                try Self.wait(descriptor, for: Int16(POLLIN), until: deadline)
            }
        }
    }

    /// Resolves `host` and connects to the first address that answers, without blocking past
    /// the deadline.
    private static func connect(host: String, port: Int, deadline: ContinuousClock.Instant) throws(HTTPFailure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let looked = getaddrinfo(host, String(port), &hints, &list)
        guard looked == 0, let list else {
            throw .failed("cannot resolve host '\(host)': \(String(cString: gai_strerror(looked)))")
        }
        defer { freeaddrinfo(list) }

        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let address = entry {
            entry = address.pointee.ai_next
            let descriptor = socket(
                address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                address.pointee.ai_protocol)
            guard descriptor >= 0 else {
                lastError = String(cString: strerror(errno))
                continue
            }
            if Glibc.connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return descriptor }
            if errno == EINPROGRESS {
                do {
                    try wait(descriptor, for: Int16(POLLOUT), until: deadline)
                } catch {
                    close(descriptor)
                    throw error
                }
                var failure: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                if getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length) == 0, failure == 0 { return descriptor }
                lastError = String(cString: strerror(failure))
            } else {
                lastError = String(cString: strerror(errno))
            }
            close(descriptor)
        }
        throw .failed("cannot connect to \(host) port \(port): \(lastError)")
    }

    /// Waits until `descriptor` is ready for `events`, or throws `.timedOut` at the deadline.
    static func wait(_ descriptor: Int32, for events: Int16, until deadline: ContinuousClock.Instant) throws(HTTPFailure) {
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw .timedOut }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let milliseconds = Int32(clamping: max(1, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0, errno != EINTR { throw .failed("waiting on the connection failed: \(String(cString: strerror(errno)))") }
        }
    }
}
