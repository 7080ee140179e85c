import Sealing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A secret value known on this machine, with where it came from (for the message).
public struct KnownSecret: Sendable {
    public let name: String
    /// `$PAYMENTS_API_KEY`, `.journey/local-secrets.yaml`, `the sealed store`.
    public let source: String
    public let value: SecretBytes

    public init(name: String, source: String, value: SecretBytes) {
        self.name = name
        self.source = source
        self.value = value
    }
}

/// Finds exact values known locally, in the forms a value takes when pasted into files:
/// plain, each line of a multi-line value, base64 (standard and URL-safe, at the three byte
/// offsets), URL-encoded and JSON-escaped. Every form lives in wiped memory.
public struct KnownValues: Sendable {
    public static let ruleID = "known-secret-value"
    /// Shorter values would match ordinary text; they are left out (and said so in the docs).
    public static let minimumLength = 6

    struct Form: Sendable {
        let secret: String
        let source: String
        let encoding: String
        let bytes: SecretBytes
    }

    let forms: [Form]

    public init(_ secrets: [KnownSecret]) {
        var forms: [Form] = []
        for secret in secrets where secret.value.count >= Self.minimumLength {
            var seen: [SecretBytes] = []
            func add(_ encoding: String, _ bytes: SecretBytes) {
                guard bytes.count >= Self.minimumLength, !seen.contains(bytes) else { return }
                seen.append(bytes)
                forms.append(Form(secret: secret.name, source: secret.source, encoding: encoding, bytes: bytes))
            }
            secret.value.withUnsafeBytes { value in
                add("", secret.value)
                for line in Self.lines(of: value) where line.count < value.count { add(" (one line of it)", SecretBytes(copying: line)) }
                add(" (JSON-escaped)", Encodings.jsonEscaped(value))
                add(" (JSON-escaped)", Encodings.jsonEscaped(value, escapingSlash: true))
                add(" (URL-encoded)", Encodings.percentEncoded(value))
                for offset in 0..<3 {
                    let stable = Encodings.base64Stable(value, offset: offset)
                    add(" (base64)", stable)
                    add(" (base64url)", Encodings.urlSafe(stable))
                }
            }
        }
        self.forms = forms
    }

    public var isEmpty: Bool { forms.isEmpty }

    static func lines(of value: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer] {
        var lines: [UnsafeRawBufferPointer] = []
        var start = 0
        for index in 0...value.count where index == value.count || value[index] == 10 {
            var end = index
            if end > start, value[end - 1] == 13 { end -= 1 }
            if end - start >= minimumLength { lines.append(UnsafeRawBufferPointer(rebasing: value[start..<end])) }
            start = index + 1
        }
        return lines
    }

    /// Every occurrence of every form in `bytes` (`memchr` to each candidate start).
    func candidates(in bytes: UnsafeRawBufferPointer) -> [Candidate] {
        guard !forms.isEmpty else { return [] }
        var found: [Candidate] = []
        for form in forms {
            form.bytes.withUnsafeBytes { needle in
                var offset = 0
                while let start = ByteSearch.firstIndex(of: needle, in: bytes, from: offset) {
                    found.append(
                        Candidate(
                            rule: Self.ruleID, title: "value of a known secret",
                            fix:
                                "replace it with the reference { secret: \(form.secret) } or ${{ secrets.\(form.secret) }}; if it was ever pushed, rotate it with 'journey secret update \(form.secret)'",
                            range: start..<(start + needle.count), visiblePrefix: 0, priority: 0,
                            message: "the value of secret '\(form.secret)'\(form.encoding), known from \(form.source)"))
                    offset = start + needle.count
                }
            }
        }
        return found
    }
}

/// The encoded forms of a value, each built straight into wiped memory.
enum Encodings {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The part of the base64 text of `value` that does not depend on the bytes around it when
    /// the value starts `offset` bytes into a 3-byte group: whole groups of value bytes only.
    static func base64Stable(_ value: UnsafeRawBufferPointer, offset: Int) -> SecretBytes {
        let skip = offset == 0 ? 0 : 3 - offset
        let groups = max(0, (value.count - skip) / 3)
        return SecretBytes(count: groups * 4) { out in
            for group in 0..<groups {
                let i = skip + group * 3
                let triple = UInt32(value[i]) << 16 | UInt32(value[i + 1]) << 8 | UInt32(value[i + 2])
                for j in 0..<4 { out[group * 4 + j] = alphabet[Int((triple >> UInt32(18 - 6 * j)) & 63)] }
            }
        }
    }

    static func urlSafe(_ base64: SecretBytes) -> SecretBytes {
        base64.withUnsafeBytes { text in
            SecretBytes(count: text.count) { out in
                for i in 0..<text.count {
                    out[i] = text[i] == UInt8(ascii: "+") ? UInt8(ascii: "-") : text[i] == UInt8(ascii: "/") ? UInt8(ascii: "_") : text[i]
                }
            }
        }
    }

    static func percentEncoded(_ value: UnsafeRawBufferPointer) -> SecretBytes {
        let unreserved = ByteSet("a-zA-Z0-9._~-")
        let hex = Array("0123456789ABCDEF".utf8)
        let length = value.reduce(0) { $0 + (unreserved.contains($1) ? 1 : 3) }
        return SecretBytes(count: length) { out in
            var o = 0
            for byte in value {
                if unreserved.contains(byte) {
                    out[o] = byte
                    o += 1
                } else {
                    out[o] = UInt8(ascii: "%")
                    out[o + 1] = hex[Int(byte >> 4)]
                    out[o + 2] = hex[Int(byte & 15)]
                    o += 3
                }
            }
        }
    }

    /// JSON string escapes; `escapingSlash` for encoders that write `/` as `\/` (Foundation's).
    static func jsonEscaped(_ value: UnsafeRawBufferPointer, escapingSlash: Bool = false) -> SecretBytes {
        func escape(_ byte: UInt8) -> [UInt8]? {
            switch byte {
            case UInt8(ascii: "/") where escapingSlash: return Array("\\/".utf8)
            case UInt8(ascii: "\""): return Array("\\\"".utf8)
            case UInt8(ascii: "\\"): return Array("\\\\".utf8)
            case 10: return Array("\\n".utf8)
            case 13: return Array("\\r".utf8)
            case 9: return Array("\\t".utf8)
            case 0..<32:
                let hex = Array("0123456789abcdef".utf8)
                return Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: return nil
            }
        }
        let length = value.reduce(0) { $0 + (escape($1)?.count ?? 1) }
        return SecretBytes(count: length) { out in
            var o = 0
            for byte in value {
                if let escaped = escape(byte) {
                    for e in escaped { out[o] = e; o += 1 }
                } else {
                    out[o] = byte
                    o += 1
                }
            }
        }
    }
}
