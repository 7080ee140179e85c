import Foundation
import Sealing

/// Reads a request's flat JSON object: `{"name": "…", "value": "…"}`. String fields that are
/// values go straight into `SecretBytes` (wiped memory) and never become a Swift `String`;
/// every other field is decoded to text. Nested objects are not accepted here, nor a key given
/// twice (which of two values would count is a guess a script and the server could make
/// differently). A body refused half way is wiped too: it may hold a value.
struct RequestJSON {
    private var strings: [String: [UInt8]] = [:]

    init(_ body: [UInt8]) throws(AdminUIError) {
        var fields: [String: [UInt8]] = [:]
        do {
            try Self.parse(body, into: &fields)
        } catch {
            Self.wipe(&fields)
            throw error
        }
        strings = fields
    }

    private static func wipe(_ fields: inout [String: [UInt8]]) {
        for key in Array(fields.keys) {
            fields[key]!.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } }
            fields[key] = nil
        }
    }

    private static func parse(_ body: [UInt8], into strings: inout [String: [UInt8]]) throws(AdminUIError) {
        var index = 0
        func skipSpace() { while index < body.count, [0x20, 0x09, 0x0A, 0x0D].contains(body[index]) { index += 1 } }
        func expect(_ byte: UInt8) throws(AdminUIError) {
            skipSpace()
            guard index < body.count, body[index] == byte else { throw .badRequest("expected a JSON object of strings") }
            index += 1
        }
        func string() throws(AdminUIError) -> [UInt8] {
            try expect(UInt8(ascii: "\""))
            // Room for the longest string the body can hold: growing would free unwiped copies.
            var out: [UInt8] = []
            out.reserveCapacity(body.count - index)
            var complete = false
            defer {
                if !complete { out.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } } }
            }
            while index < body.count {
                let byte = body[index]
                index += 1
                if byte == UInt8(ascii: "\"") {
                    complete = true
                    return out
                }
                if byte < 0x20 { throw .badRequest("a control character in a JSON string") }
                guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
                guard index < body.count else { break }
                let escape = body[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 1 < body.count, body[index] == UInt8(ascii: "\\"), body[index + 1] == UInt8(ascii: "u") else {
                            throw .badRequest("a lone surrogate in a JSON string")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw .badRequest("a lone surrogate in a JSON string") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw .badRequest("a lone surrogate in a JSON string") }
                    out += Array(String(Character(unicode)).utf8)
                default: throw .badRequest("a bad escape in a JSON string")
                }
            }
            throw .badRequest("an unterminated JSON string")
        }
        func hex4() throws(AdminUIError) -> UInt32 {
            guard index + 4 <= body.count, let value = UInt32(String(decoding: body[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw .badRequest("a bad \\u escape in a JSON string")
            }
            index += 4
            return value
        }
        var seen = Set<String>()
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if index < body.count, body[index] == UInt8(ascii: "}") { index += 1; return }
        while true {
            let key = String(decoding: try string(), as: UTF8.self)
            guard !seen.contains(key) else { throw .badRequest("the key '\(AccessControl.printable(key))' is given twice; give each field once") }
            seen.insert(key)
            try expect(UInt8(ascii: ":"))
            skipSpace()
            if index + 4 <= body.count, Array(body[index..<index + 4]) == Array("null".utf8) {
                index += 4
            } else {
                strings[key] = try string()
            }
            skipSpace()
            guard index < body.count else { throw .badRequest("expected a JSON object of strings") }
            if body[index] == UInt8(ascii: ",") { index += 1; continue }
            if body[index] == UInt8(ascii: "}") { index += 1; break }
            throw .badRequest("expected a JSON object of strings")
        }
        skipSpace()
        guard index == body.count else { throw .badRequest("expected one JSON object") }
    }

    func text(_ key: String) -> String? { strings[key].map { String(decoding: $0, as: UTF8.self) } }

    /// A value field, moved into wiped memory; the parsed copy is wiped at once.
    mutating func secret(_ key: String) -> SecretBytes? {
        guard strings[key] != nil else { return nil }
        let value = strings[key]!.withUnsafeBytes { SecretBytes(copying: $0) }
        strings[key]!.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } }
        strings[key] = nil
        return value
    }

    /// Wipes every field left.
    mutating func wipe() {
        Self.wipe(&strings)
    }
}
