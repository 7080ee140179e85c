/// One form a secret value can take in text, and what to call it in a message.
public struct ValueForm: Sendable {
    /// "" for the value itself, else e.g. " (base64)".
    public let label: String
    public let bytes: SecretBytes
}

/// The forms a value takes when it is printed, pasted or sent: the value itself, each line of a
/// multi-line value, its base64 (standard and URL-safe alphabets, at each of the three byte
/// offsets it can start at), URL-encoded (RFC 3986, form-style `+` for space, either hex case)
/// and JSON-escaped (with and without `\/`). Masking replaces all of them; the leak check looks
/// for all of them. Every form is built straight into wiped memory.
public enum ValueForms {
    /// The value first, then each distinct derived form of at least `minimumDerivedLength` bytes.
    public static func of(_ value: SecretBytes, minimumDerivedLength: Int) -> [ValueForm] {
        var forms = [ValueForm(label: "", bytes: value)]
        func add(_ label: String, _ bytes: SecretBytes) {
            guard bytes.count >= minimumDerivedLength, !forms.contains(where: { $0.bytes == bytes }) else { return }
            forms.append(ValueForm(label: label, bytes: bytes))
        }
        value.withUnsafeBytes { raw in
            var parts = [raw]
            let lines = self.lines(of: raw)
            if lines.count > 1 {
                for line in lines {
                    add(" (one line of it)", SecretBytes(copying: line))
                    parts.append(line)
                }
            }
            for part in parts {
                for offset in 0..<3 {
                    add(" (base64)", base64Fragment(part, offset: offset, alphabet: base64Standard))
                    add(" (base64url)", base64Fragment(part, offset: offset, alphabet: base64URLSafe))
                }
                add(" (URL-encoded)", percentEncoded(part, spaceAsPlus: false, hex: upperHex))
                add(" (URL-encoded)", percentEncoded(part, spaceAsPlus: true, hex: upperHex))
                add(" (URL-encoded)", percentEncoded(part, spaceAsPlus: false, hex: lowerHex))
                add(" (JSON-escaped)", jsonEscaped(part, escapingSlash: false))
                add(" (JSON-escaped)", jsonEscaped(part, escapingSlash: true))
            }
        }
        return forms
    }

    static let base64Standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let base64URLSafe = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let upperHex = Array("0123456789ABCDEF".utf8)
    static let lowerHex = Array("0123456789abcdef".utf8)

    /// The non-empty lines of `value`, without `\r\n` or `\n`.
    static func lines(of value: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer] {
        var lines: [UnsafeRawBufferPointer] = []
        var start = 0
        for index in 0...value.count where index == value.count || value[index] == 10 {
            var end = index
            if end > start, value[end - 1] == 13 { end -= 1 }
            if end > start { lines.append(UnsafeRawBufferPointer(rebasing: value[start..<end])) }
            start = index + 1
        }
        return lines
    }

    /// The base64 characters that depend only on `value` when it starts `offset` bytes into a
    /// 3-byte group of a longer encoded text: characters mixed with bytes before or after it are
    /// left out.
    static func base64Fragment(_ value: UnsafeRawBufferPointer, offset: Int, alphabet: [UInt8]) -> SecretBytes {
        let totalBits = (offset + value.count) * 8
        let first = [0, 2, 3][offset]  // the first character made only of value bits
        let end = totalBits / 6  // characters ending within the value's bits
        // The bit at position p of the stream, where the first `offset` bytes are outside the value.
        func sextet(_ index: Int) -> Int {
            var bits = 0
            for bit in (index * 6)..<(index * 6 + 6) {
                let byte = bit / 8 - offset
                let set = byte >= 0 && byte < value.count && (value[byte] >> (7 - UInt8(bit % 8))) & 1 == 1
                bits = bits << 1 | (set ? 1 : 0)
            }
            return bits
        }
        return SecretBytes(count: max(0, end - first)) { out in
            for index in first..<max(first, end) { out[index - first] = alphabet[sextet(index)] }
        }
    }

    static func percentEncoded(_ value: UnsafeRawBufferPointer, spaceAsPlus: Bool, hex: [UInt8]) -> SecretBytes {
        encoded(value) { byte, emit in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                emit(byte)
            case UInt8(ascii: " ") where spaceAsPlus:
                emit(UInt8(ascii: "+"))
            default:
                emit(UInt8(ascii: "%"))
                emit(hex[Int(byte >> 4)])
                emit(hex[Int(byte & 15)])
            }
        }
    }

    /// JSON string escapes; `escapingSlash` for encoders that write `/` as `\/` (Foundation's).
    static func jsonEscaped(_ value: UnsafeRawBufferPointer, escapingSlash: Bool) -> SecretBytes {
        encoded(value) { byte, emit in
            func escape(_ letter: Character) {
                emit(UInt8(ascii: "\\"))
                emit(letter.asciiValue!)
            }
            switch byte {
            case UInt8(ascii: "\""): escape("\"")
            case UInt8(ascii: "\\"): escape("\\")
            case UInt8(ascii: "/") where escapingSlash: escape("/")
            case 0x0a: escape("n")
            case 0x0d: escape("r")
            case 0x09: escape("t")
            case 0x08: escape("b")
            case 0x0c: escape("f")
            case 0..<0x20, 0x7f:
                for letter in Array("\\u00".utf8) + [lowerHex[Int(byte >> 4)], lowerHex[Int(byte & 15)]] { emit(letter) }
            default: emit(byte)
            }
        }
    }

    /// Runs a per-byte encoder twice, to size the buffer and then to fill it, so no encoded
    /// copy of the value is ever left in ordinary memory.
    private static func encoded(_ value: UnsafeRawBufferPointer, _ encode: (UInt8, (UInt8) -> Void) -> Void) -> SecretBytes {
        var length = 0
        for byte in value { encode(byte) { _ in length += 1 } }
        return SecretBytes(count: length) { out in
            var position = 0
            for byte in value {
                encode(byte) { encodedByte in
                    out[position] = encodedByte
                    position += 1
                }
            }
        }
    }
}
