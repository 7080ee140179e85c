import Sealing

/// An `http` or `https` URL taken apart for a request: where to connect and what to ask for.
///
/// Parsed from bytes, not with Foundation's `URL`: an `http` step's URL may hold a value
/// (`?key=${{ secrets.hook-key }}`), so the target — path and query, where a value sits — stays
/// in wiped memory (`SecretBytes`) from the rendered field to the request line. Scheme, host
/// and port are plain text. As `URL(string:)` does, characters a URL may not hold (space,
/// `"<>\^`{|}`, non-ASCII, a `%` not followed by two hex digits) are percent-encoded in the
/// target, user information is refused, and the fragment is dropped.
struct HTTPURL {
    /// `http` or `https`.
    let scheme: String
    /// Lower-case host name or address (an IPv6 address without its brackets).
    let host: String
    let port: Int
    /// Path and query as sent on the request line, `/` at least; the fragment is dropped.
    let target: SecretBytes

    /// Parses `url` (the rendered field, which may hold a value).
    init?(_ url: SecretBytes) {
        guard let parsed = url.withUnsafeBytes({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    /// Parses a URL that holds no value (a redirect's `Location`, tests).
    init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Self.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    private init(scheme: String, host: String, port: Int, target: SecretBytes) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.target = target
    }

    private static func parse(_ url: UnsafeRawBufferPointer) -> HTTPURL? {
        guard let colon = url.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let scheme = String(decoding: url[..<colon], as: UTF8.self).lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = url[(colon + 1)...]
        guard rest.starts(with: [Slash.byte, Slash.byte]) else { return nil }
        let authority = rest.dropFirst(2)
        let authorityEnd = authority.firstIndex { $0 == Slash.byte || $0 == Query.byte || $0 == Fragment.byte } ?? authority.endIndex
        guard let (host, port) = Self.hostAndPort(authority[..<authorityEnd], scheme: scheme) else { return nil }
        let target = encodedTarget(UnsafeRawBufferPointer(rebasing: url[authorityEnd...]))
        return HTTPURL(scheme: scheme, host: host, port: port, target: target)
    }

    /// `host`, `host:port` or `[IPv6]:port`; nil for user information, an empty or
    /// percent-encoded host, or a port outside 1…65535.
    private static func hostAndPort(_ authority: Slice<UnsafeRawBufferPointer>, scheme: String) -> (String, Int)? {
        guard !authority.contains(UInt8(ascii: "@")) else { return nil }
        let hostBytes: Slice<UnsafeRawBufferPointer>
        var portBytes: Slice<UnsafeRawBufferPointer>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            hostBytes = authority[(authority.startIndex + 1)..<close]
            guard hostBytes.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }) else { return nil }
            let after = authority[(close + 1)...]
            if let first = after.first {
                guard first == UInt8(ascii: ":") else { return nil }
                portBytes = after.dropFirst()
            }
        } else {
            let colon = authority.firstIndex(of: UInt8(ascii: ":"))
            hostBytes = authority[..<(colon ?? authority.endIndex)]
            guard hostBytes.allSatisfy({ isUnreserved($0) || isSubDelimiter($0) }) else { return nil }
            if let colon { portBytes = authority[(colon + 1)...] }
        }
        guard !hostBytes.isEmpty else { return nil }
        var port = scheme == "https" ? 443 : 80
        if let portBytes, !portBytes.isEmpty {
            guard portBytes.count <= 5, portBytes.allSatisfy({ (48...57).contains($0) }) else { return nil }
            port = portBytes.reduce(0) { $0 * 10 + Int($1 - 48) }
        }
        guard (1...65535).contains(port) else { return nil }
        return (String(decoding: hostBytes, as: UTF8.self).lowercased(), port)
    }

    /// The URL a redirect's `Location` names, relative to this one (RFC 3986 §5.2: a relative
    /// path merges with this target's path, dot segments are removed). Built in wiped memory:
    /// this target may hold a value.
    func resolving(_ location: String) -> HTTPURL? {
        var location = location
        return location.withUTF8 { resolving(UnsafeRawBufferPointer($0)) }
    }

    /// The same, of a `Location` kept in wiped memory; nothing of it is copied elsewhere.
    func resolving(_ reference: UnsafeRawBufferPointer) -> HTTPURL? {
        // An empty `Location` names no URL (as `URL(string:)` has it), not this one again.
        guard !reference.isEmpty else { return nil }
        if Self.hasScheme(reference) { return Self.parse(reference) }
        if reference.starts(with: [Slash.byte, Slash.byte]) {
            // Scheme-relative: this scheme, then the reference, put together in wiped memory.
            let absolute = WipedBytes()
            Array((scheme + ":").utf8).withUnsafeBytes { absolute.append($0) }
            absolute.append(reference)
            return absolute.withUnsafeBytes { Self.parse($0) }
        }
        let withoutFragment = UnsafeRawBufferPointer(rebasing: reference[..<(reference.firstIndex(of: Fragment.byte) ?? reference.endIndex)])
        let queryStart = withoutFragment.firstIndex(of: Query.byte)
        let path = UnsafeRawBufferPointer(rebasing: withoutFragment[..<(queryStart ?? withoutFragment.endIndex)])
        let query = queryStart.map { UnsafeRawBufferPointer(rebasing: withoutFragment[$0...]) }
        return target.withUnsafeBytes { base -> HTTPURL? in
            let baseQueryStart = base.firstIndex(of: Query.byte) ?? base.endIndex
            let basePath = UnsafeRawBufferPointer(rebasing: base[..<baseQueryStart])
            let next: SecretBytes
            if path.isEmpty {
                // Same path; the reference's query, else this one's.
                next = Self.joined([basePath, query ?? UnsafeRawBufferPointer(rebasing: base[baseQueryStart...])])
            } else if path.first == Slash.byte {
                next = Self.withoutDotSegments(path).withUnsafeBytes { Self.joined([$0, query ?? UnsafeRawBufferPointer(start: nil, count: 0)]) }
            } else {
                let directory = UnsafeRawBufferPointer(rebasing: basePath[..<((basePath.lastIndex(of: Slash.byte) ?? -1) + 1)])
                let merged = Self.joined([directory, path])
                next = merged.withUnsafeBytes { Self.withoutDotSegments($0) }.withUnsafeBytes {
                    Self.joined([$0, query ?? UnsafeRawBufferPointer(start: nil, count: 0)])
                }
            }
            return next.withUnsafeBytes { HTTPURL(scheme: scheme, host: host, port: port, target: Self.encodedTarget($0)) }
        }
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

    // MARK: Bytes

    private enum Slash { static let byte = UInt8(ascii: "/") }
    private enum Query { static let byte = UInt8(ascii: "?") }
    private enum Fragment { static let byte = UInt8(ascii: "#") }

    /// `scheme:` at the start (a letter, then letters, digits, `+`, `-`, `.`).
    private static func hasScheme(_ reference: UnsafeRawBufferPointer) -> Bool {
        guard let colon = reference.firstIndex(of: UInt8(ascii: ":")), colon > 0, isLetter(reference[0]) else { return false }
        return reference[..<colon].allSatisfy {
            isLetter($0) || (48...57).contains($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
        }
    }

    /// Path and query from `rest` (what follows the authority), the fragment dropped, `/` for
    /// an empty path, every byte a URL may not hold there percent-encoded.
    private static func encodedTarget(_ rest: UnsafeRawBufferPointer) -> SecretBytes {
        let end = rest.firstIndex(of: Fragment.byte) ?? rest.endIndex
        let queryStart = rest[..<end].firstIndex(of: Query.byte) ?? end
        let addsSlash = queryStart == 0
        func isKept(_ index: Int) -> Bool {
            let byte = rest[index]
            if isUnreserved(byte) || isSubDelimiter(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "@") || byte == Slash.byte { return true }
            if byte == Query.byte { return index >= queryStart }
            if byte == UInt8(ascii: "%") { return index + 2 < end && isHexDigit(rest[index + 1]) && isHexDigit(rest[index + 2]) }
            return false
        }
        var length = addsSlash ? 1 : 0
        for index in 0..<end { length += isKept(index) ? 1 : 3 }
        let hex = Array("0123456789ABCDEF".utf8)
        return SecretBytes(count: length) { out in
            var cursor = 0
            if addsSlash {
                out[0] = Slash.byte
                cursor = 1
            }
            for index in 0..<end {
                let byte = rest[index]
                if isKept(index) {
                    out[cursor] = byte
                    cursor += 1
                } else {
                    out[cursor] = UInt8(ascii: "%")
                    out[cursor + 1] = hex[Int(byte >> 4)]
                    out[cursor + 2] = hex[Int(byte & 15)]
                    cursor += 3
                }
            }
        }
    }

    /// RFC 3986 §5.2.4 on an absolute or merged path, in wiped memory.
    private static func withoutDotSegments(_ path: UnsafeRawBufferPointer) -> SecretBytes {
        SecretBytes(capacity: path.count) { out in
            var written = 0
            // A working copy: "/./" and "/../" are replaced by "/" in place.
            _ = SecretBytes(count: path.count) { input in
                input.copyMemory(from: path)
                var at = 0
                let end = input.count
                func hasPrefix(_ text: String) -> Bool {
                    let bytes = Array(text.utf8)
                    return end - at >= bytes.count && bytes.indices.allSatisfy { input[at + $0] == bytes[$0] }
                }
                func isRest(_ text: String) -> Bool { end - at == text.utf8.count && hasPrefix(text) }
                func dropLastSegment() {
                    while written > 0 {
                        written -= 1
                        if out[written] == Slash.byte { break }
                    }
                }
                while at < end {
                    if hasPrefix("../") {
                        at += 3
                    } else if hasPrefix("./") {
                        at += 2
                    } else if hasPrefix("/./") {
                        at += 2
                    } else if isRest("/.") {
                        at += 1
                        input[at] = Slash.byte
                    } else if hasPrefix("/../") {
                        at += 3
                        dropLastSegment()
                    } else if isRest("/..") {
                        at += 2
                        input[at] = Slash.byte
                        dropLastSegment()
                    } else if isRest(".") || isRest("..") {
                        at = end
                    } else {
                        // The first segment, with its leading "/", up to the next "/".
                        repeat {
                            out[written] = input[at]
                            written += 1
                            at += 1
                        } while at < end && input[at] != Slash.byte
                    }
                }
            }
            return written
        }
    }

    private static func joined(_ parts: [UnsafeRawBufferPointer]) -> SecretBytes {
        SecretBytes(count: parts.reduce(0) { $0 + $1.count }) { out in
            var cursor = 0
            for part in parts where !part.isEmpty {
                UnsafeMutableRawBufferPointer(rebasing: out[cursor..<cursor + part.count]).copyMemory(from: part)
                cursor += part.count
            }
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }
    private static func isHexDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte) }
    /// `A-Z a-z 0-9 - . _ ~` (RFC 3986).
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        isLetter(byte) || (48...57).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "~")
    }
    /// `! $ & ' ( ) * + , ; =` (RFC 3986).
    private static func isSubDelimiter(_ byte: UInt8) -> Bool { Array("!$&'()*+,;=".utf8).contains(byte) }
}
