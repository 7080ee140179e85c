import Sealing

/// Replaces every resolved value in output with `***`: the exact value, each line of a
/// multi-line value, and its base64 (standard and URL-safe, at all three byte offsets),
/// URL-encoded and JSON-escaped forms.
///
/// The forms are derived once and kept in one `SecretBytes` blob (zeroed when the masker goes).
/// Short-value policy: the exact value is masked at any length; derived forms (lines, encodings)
/// only from `minimumDerivedLength` bytes, so a 2-character line does not blank out output.
public final class Masker: Sendable {
    public static let replacement: [UInt8] = Array("***".utf8)
    public static let minimumDerivedLength = 4

    private let blob: SecretBytes
    /// (offset, length) of each form in `blob`, longest first so the longest match wins.
    private let forms: [(offset: Int, length: Int)]
    /// For each first byte, the indexes into `forms` that start with it.
    private let formsByFirstByte: [[Int]]
    public let longestForm: Int

    public init(values: [SecretBytes]) {
        var collected: [[UInt8]] = []
        for value in values where value.count > 0 {
            value.withUnsafeBytes { raw in
                collected += MaskForms.derive(from: Array(raw))
            }
        }
        // Deduplicate, then order longest first.
        var unique: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        for form in collected where seen.insert(form).inserted { unique.append(form) }
        unique.sort { $0.count > $1.count }

        var offsets: [(Int, Int)] = []
        var total = 0
        for form in unique {
            offsets.append((total, form.count))
            total += form.count
        }
        blob = SecretBytes(count: total) { buffer in
            var cursor = 0
            for form in unique {
                form.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[cursor..<(cursor + form.count)]).copyMemory(from: $0) }
                cursor += form.count
            }
        }
        MaskForms.wipe(&collected)
        MaskForms.wipe(&unique)
        forms = offsets
        var index = [[Int]](repeating: [], count: 256)
        blob.withUnsafeBytes { bytes in
            for (i, form) in offsets.enumerated() { index[Int(bytes[form.0])].append(i) }
        }
        formsByFirstByte = index
        longestForm = offsets.first?.1 ?? 0
    }

    public var isEmpty: Bool { forms.isEmpty }

    /// A streaming masker for one output stream: matches split across chunks are still caught.
    public func stream() -> MaskingStream { MaskingStream(masker: self) }

    public func mask(_ bytes: [UInt8]) -> [UInt8] {
        var stream = stream()
        return stream.feed(bytes) + stream.finish()
    }

    public func mask(_ text: String) -> String {
        isEmpty ? text : String(decoding: mask(Array(text.utf8)), as: UTF8.self)
    }

    /// Masks `buffer`, appending to `output`; returns how many bytes were consumed. Unless
    /// `isFinal`, stops at the first position where a form could still complete with more input.
    func scan(_ buffer: [UInt8], into output: inout [UInt8], isFinal: Bool) -> Int {
        guard !forms.isEmpty else {
            output += buffer
            return buffer.count
        }
        return blob.withUnsafeBytes { patterns in
            var i = 0
            let count = buffer.count
            while i < count {
                let candidates = formsByFirstByte[Int(buffer[i])]
                if candidates.isEmpty {
                    output.append(buffer[i])
                    i += 1
                    continue
                }
                var matched = 0
                var mayGrow = false
                let remaining = count - i
                for candidate in candidates {
                    let form = forms[candidate]
                    let compared = min(form.length, remaining)
                    var equal = true
                    for k in 1..<max(compared, 1) where buffer[i + k] != patterns[form.offset + k] {
                        equal = false
                        break
                    }
                    guard equal else { continue }
                    if compared == form.length {
                        matched = max(matched, form.length)
                    } else if !isFinal {
                        mayGrow = true  // a longer form might still match once more bytes arrive
                    }
                    // forms are sorted longest first: the first full match is the longest
                    if matched > 0 && !mayGrow { break }
                }
                if mayGrow { return i }
                if matched > 0 {
                    output += Masker.replacement
                    i += matched
                } else {
                    output.append(buffer[i])
                    i += 1
                }
            }
            return count
        }
    }
}

/// Masking state for one output stream.
public struct MaskingStream {
    let masker: Masker
    private var pending: [UInt8] = []

    init(masker: Masker) { self.masker = masker }

    /// Masks what can be decided now and holds back a tail that might be the start of a value.
    public mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        pending += chunk
        var output: [UInt8] = []
        output.reserveCapacity(pending.count)
        let consumed = masker.scan(pending, into: &output, isFinal: false)
        pending.removeFirst(consumed)
        return output
    }

    /// Masks and returns whatever is still held back (end of stream).
    public mutating func finish() -> [UInt8] {
        var output: [UInt8] = []
        _ = masker.scan(pending, into: &output, isFinal: true)
        pending.removeAll()
        return output
    }
}

/// The derived forms of one value.
enum MaskForms {
    static func derive(from value: [UInt8]) -> [[UInt8]] {
        var forms: [[UInt8]] = [value]
        var parts = [value]
        // Each line of a multi-line value (a line may be printed on its own).
        let lines = value.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { line -> [UInt8] in
            line.last == UInt8(ascii: "\r") ? Array(line.dropLast()) : Array(line)
        }
        if lines.count > 1 {
            for line in lines where line.count >= Masker.minimumDerivedLength {
                forms.append(line)
                parts.append(line)
            }
        }
        for part in parts {
            for alphabet in [base64Standard, base64URLSafe] {
                for offset in 0..<3 { forms.append(base64Fragment(part, offset: offset, alphabet: alphabet)) }
            }
            forms.append(percentEncoded(part, spaceAsPlus: false, lowercase: false))
            forms.append(percentEncoded(part, spaceAsPlus: true, lowercase: false))
            forms.append(percentEncoded(part, spaceAsPlus: false, lowercase: true))
            forms.append(jsonEscaped(part, escapeSlash: false))
            forms.append(jsonEscaped(part, escapeSlash: true))
        }
        return [value] + forms.dropFirst().filter { $0.count >= Masker.minimumDerivedLength && $0 != value }
    }

    static let base64Standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let base64URLSafe = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The base64 characters that depend only on `value` when it sits `offset` bytes into a
    /// longer encoded stream: leading characters mixed with earlier bytes and trailing ones
    /// mixed with later bytes are dropped.
    static func base64Fragment(_ value: [UInt8], offset: Int, alphabet: [UInt8]) -> [UInt8] {
        var input = [UInt8](repeating: 0, count: offset) + value
        defer { wipe(&input) }
        var encoded: [UInt8] = []
        var i = 0
        while i + 2 < input.count {
            let n = Int(input[i]) << 16 | Int(input[i + 1]) << 8 | Int(input[i + 2])
            encoded += [alphabet[n >> 18 & 63], alphabet[n >> 12 & 63], alphabet[n >> 6 & 63], alphabet[n & 63]]
            i += 3
        }
        let rest = input.count - i
        if rest > 0 {
            let n = Int(input[i]) << 16 | (rest > 1 ? Int(input[i + 1]) << 8 : 0)
            encoded += [alphabet[n >> 18 & 63], alphabet[n >> 12 & 63]]
            if rest > 1 { encoded.append(alphabet[n >> 6 & 63]) }
        }
        // Characters fully determined by the value: from the first one after the prefix bits to
        // the last one that ends within the value's bits.
        let start = [0, 2, 3][offset]
        let end = (input.count * 8) / 6
        defer { wipe(&encoded) }
        return start < end ? Array(encoded[start..<end]) : []
    }

    static func percentEncoded(_ value: [UInt8], spaceAsPlus: Bool, lowercase: Bool) -> [UInt8] {
        let hex = Array((lowercase ? "0123456789abcdef" : "0123456789ABCDEF").utf8)
        var out: [UInt8] = []
        for byte in value {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: " ") where spaceAsPlus:
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return out
    }

    static func jsonEscaped(_ value: [UInt8], escapeSlash: Bool) -> [UInt8] {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in value {
            switch byte {
            case UInt8(ascii: "\""): out += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
            case UInt8(ascii: "/") where escapeSlash: out += Array("\\/".utf8)
            case 0x0a: out += Array("\\n".utf8)
            case 0x0d: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0x08: out += Array("\\b".utf8)
            case 0x0c: out += Array("\\f".utf8)
            case 0..<0x20, 0x7f: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        return out
    }

    /// Best-effort wipe of a derived form before its array is released.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { memset(base, 0, raw.count) }
        }
    }

    static func wipe(_ list: inout [[UInt8]]) {
        for index in list.indices { wipe(&list[index]) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
