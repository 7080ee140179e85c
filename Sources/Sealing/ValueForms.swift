/// One form a secret value can take in text, and what to call it in a message.
package struct ValueForm: Sendable {
    /// "" for the value itself, else e.g. " (base64)".
    package let label: String
    package let bytes: SecretBytes

    /// Whether this is a base64 form, which encoders may wrap into lines.
    package var isBase64: Bool { label.contains("base64") }
}

/// The forms a value takes when it is printed, pasted or sent: the value itself, each line of a
/// multi-line value, its base64 (standard and URL-safe alphabets, at each of the three byte
/// offsets it can start at), URL-encoded (every byte but the unreserved ones, as query encoders
/// do; keeping `/` as Python's `quote` does; keeping path characters as URL builders do; `+` for
/// space; either hex case) and JSON-escaped (with and without `\/`; non-ASCII as `\uXXXX` as
/// Python writes it; `<>&` as `\u003c` as Go writes it; `<>&='` as Gson writes them) and as
/// Python's `repr()` shows it (`\\`, `\'`, `\n`, `\xHH`, for `str` and `bytes`). A value that ends in a newline or
/// starts or ends with spaces is also taken trimmed, as programs often print it. Masking
/// replaces all of them; the leak check looks for all of them. Every form is built straight
/// into wiped memory.
package enum ValueForms {
    /// The value first, then each distinct derived form of at least `minimumDerivedLength` bytes.
    package static func of(_ value: SecretBytes, minimumDerivedLength: Int) -> [ValueForm] {
        var forms = [ValueForm(label: "", bytes: value)]
        func add(_ label: String, _ bytes: SecretBytes) {
            guard bytes.count >= minimumDerivedLength, !forms.contains(where: { $0.bytes == bytes }) else { return }
            forms.append(ValueForm(label: label, bytes: bytes))
        }
        value.withUnsafeBytes { raw in
            var parts = [raw]
            let trimmed = self.trimmed(raw)
            if trimmed.count < raw.count, trimmed.count > 0 {
                add(" (trimmed)", SecretBytes(copying: trimmed))
                parts.append(trimmed)
            }
            let lines = self.lines(of: trimmed)
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
                for kept in [keptNone, keptSlash, keptInPaths] {
                    add(" (URL-encoded)", percentEncoded(part, keeping: kept, spaceAsPlus: false, hex: upperHex))
                    add(" (URL-encoded)", percentEncoded(part, keeping: kept, spaceAsPlus: false, hex: lowerHex))
                }
                add(" (URL-encoded)", percentEncoded(part, keeping: keptNone, spaceAsPlus: true, hex: upperHex))
                add(" (URL-encoded)", percentEncoded(part, keeping: keptNone, spaceAsPlus: true, hex: lowerHex))
                for style in JSONStyle.allCases { add(" (JSON-escaped)", jsonEscaped(part, style: style)) }
                for quote in [false, true] {
                    for bytesObject in [false, true] {
                        add(" (Python repr)", pythonRepr(part, escapingSingleQuote: quote, asBytes: bytesObject))
                    }
                }
            }
        }
        return forms
    }

    static let base64Standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let base64URLSafe = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let upperHex = Array("0123456789ABCDEF".utf8)
    static let lowerHex = Array("0123456789abcdef".utf8)

    /// `value` without leading and trailing spaces, tabs, CR and LF.
    static func trimmed(_ value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }
        var start = 0
        var end = value.count
        while start < end, isSpace(value[start]) { start += 1 }
        while end > start, isSpace(value[end - 1]) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: value[start..<end])
    }

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

    /// Bytes an encoder may leave as they are, beyond the unreserved `A-Z a-z 0-9 - . _ ~`.
    static let keptNone: Set<UInt8> = []
    static let keptSlash: Set<UInt8> = [UInt8(ascii: "/")]
    static let keptInPaths = Set(Array("/:@!$&'()*+,;=".utf8))

    static func percentEncoded(_ value: UnsafeRawBufferPointer, keeping kept: Set<UInt8>, spaceAsPlus: Bool, hex: [UInt8]) -> SecretBytes {
        encoded(value) { byte, emit in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                emit(byte)
            case UInt8(ascii: " ") where spaceAsPlus:
                emit(UInt8(ascii: "+"))
            case _ where kept.contains(byte):
                emit(byte)
            default:
                emit(UInt8(ascii: "%"))
                emit(hex[Int(byte >> 4)])
                emit(hex[Int(byte & 15)])
            }
        }
    }

    /// How JSON encoders differ: `/` as `\/` (Foundation), non-ASCII as `\uXXXX` (Python's
    /// default), `<`, `>`, `&` as `\u003c`… (Go), and also `=` and `'` (Gson's default).
    enum JSONStyle: CaseIterable {
        case plain, escapedSlash, asciiOnly, asciiOnlyUppercase, htmlSafe, gson
    }

    static func jsonEscaped(_ value: UnsafeRawBufferPointer, style: JSONStyle) -> SecretBytes {
        let hex = style == .asciiOnlyUppercase ? upperHex : lowerHex
        let asciiOnly = style == .asciiOnly || style == .asciiOnlyUppercase
        if asciiOnly, !isValidUTF8(value) { return SecretBytes(copying: []) }
        return encodedScalars(value, asciiOnly: asciiOnly) { scalar, emit in
            func escape(_ letter: Character) {
                emit(UInt8(ascii: "\\"))
                emit(letter.asciiValue!)
            }
            func unicodeEscape(_ unit: UInt16) {
                for byte in Array("\\u".utf8) { emit(byte) }
                for shift in [12, 8, 4, 0] { emit(hex[Int(unit >> UInt16(shift)) & 15]) }
            }
            switch scalar {
            case 0x22: escape("\"")
            case 0x5c: escape("\\")
            case 0x2f where style == .escapedSlash: escape("/")
            case 0x0a: escape("n")
            case 0x0d: escape("r")
            case 0x09: escape("t")
            case 0x08: escape("b")
            case 0x0c: escape("f")
            // (A `where` binds to the last pattern only, so each of <, >, & gets its own.)
            case 0x3c where style == .htmlSafe || style == .gson, 0x3e where style == .htmlSafe || style == .gson,
                0x26 where style == .htmlSafe || style == .gson, 0x3d where style == .gson, 0x27 where style == .gson:
                unicodeEscape(UInt16(scalar))
            case 0..<0x20, 0x7f: unicodeEscape(UInt16(scalar))
            case 0x80...0xffff where asciiOnly: unicodeEscape(UInt16(scalar))
            case 0x10000... where asciiOnly:
                let offset = scalar - 0x10000
                unicodeEscape(UInt16(0xd800 + (offset >> 10)))
                unicodeEscape(UInt16(0xdc00 + (offset & 0x3ff)))
            default:
                emit(UInt8(scalar))  // a byte, or (ASCII-only) a scalar below 0x80
            }
        }
    }

    /// The inside of Python's `repr()` of the value as `str` (non-ASCII kept) or `bytes`
    /// (non-ASCII as `\xHH`): `\\`, `\n`, `\r`, `\t`, other control bytes as `\xHH`, and `'` as
    /// `\'` when the value holds both quote kinds (Python then keeps single quotes).
    static func pythonRepr(_ value: UnsafeRawBufferPointer, escapingSingleQuote: Bool, asBytes: Bool) -> SecretBytes {
        encoded(value) { byte, emit in
            func escape(_ letter: UInt8) {
                emit(UInt8(ascii: "\\"))
                emit(letter)
            }
            switch byte {
            case UInt8(ascii: "\\"): escape(byte)
            case UInt8(ascii: "'") where escapingSingleQuote: escape(byte)
            case 0x0a: escape(UInt8(ascii: "n"))
            case 0x0d: escape(UInt8(ascii: "r"))
            case 0x09: escape(UInt8(ascii: "t"))
            case 0..<0x20, 0x7f,
                0x80... where asBytes:
                escape(UInt8(ascii: "x"))
                emit(lowerHex[Int(byte >> 4)])
                emit(lowerHex[Int(byte & 15)])
            default: emit(byte)
            }
        }
    }

    /// Checks UTF-8 without copying the value into a `String`.
    private static func isValidUTF8(_ value: UnsafeRawBufferPointer) -> Bool {
        var iterator = value.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Like `encoded`, but over Unicode scalars when `asciiOnly` (the value is valid UTF-8
    /// then); otherwise over bytes, each passed as its own scalar value.
    private static func encodedScalars(_ value: UnsafeRawBufferPointer, asciiOnly: Bool, _ encode: (UInt32, (UInt8) -> Void) -> Void) -> SecretBytes {
        func forEachUnit(_ body: (UInt32) -> Void) {
            guard asciiOnly else {
                for byte in value { body(UInt32(byte)) }
                return
            }
            var iterator = value.makeIterator()
            var decoder = UTF8()
            while case .scalarValue(let scalar) = decoder.decode(&iterator) { body(scalar.value) }
        }
        var length = 0
        forEachUnit { unit in encode(unit) { _ in length += 1 } }
        return SecretBytes(count: length) { out in
            var position = 0
            forEachUnit { unit in
                encode(unit) { encodedByte in
                    out[position] = encodedByte
                    position += 1
                }
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
