/// The scalar fields of a sealed file, with their positions, whichever parser read them.
struct SealedFields {
    struct Field {
        var value: String
        var line: Int
        var column: Int
        init(_ value: String, line: Int, column: Int) {
            self.value = value
            self.line = line
            self.column = column
        }
    }
    struct Entry {
        var line: Int
        var values: [String: Field] = [:]
    }
    var rootLine: Int
    var top: [String: Field] = [:]
    var recipientsLine: Int?
    var recipients: [Entry] = []
}

/// Reads exactly the layout `SealedFile.encoded()` writes: comment lines, `key: value` lines,
/// and the recipients list of `  - key:` / `    key:` lines; values plain (from a safe
/// alphabet, so YAML would read them the same) or double-quoted with the escapes
/// `YAMLText.quoted` writes. Returns `nil` on anything else, and the caller falls back to YAML.
enum CanonicalSealedText {
    static func fields(of text: String) -> SealedFields? {
        var fields = SealedFields(rootLine: 1)
        var inRecipients = false
        var lineNumber = 0
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine[...]
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            if line.starts(with: "  - ".utf8) {
                guard inRecipients, let (key, field) = pair(line.dropFirst(4), line: lineNumber, column: 5) else { return nil }
                var entry = SealedFields.Entry(line: lineNumber)
                entry.values[key] = field
                fields.recipients.append(entry)
            } else if line.starts(with: "    ".utf8) {
                guard inRecipients, !fields.recipients.isEmpty, let (key, field) = pair(line.dropFirst(4), line: lineNumber, column: 5),
                    fields.recipients[fields.recipients.count - 1].values[key] == nil
                else { return nil }
                fields.recipients[fields.recipients.count - 1].values[key] = field
            } else if line.elementsEqual("recipients:".utf8) {
                guard fields.recipientsLine == nil else { return nil }
                inRecipients = true
                fields.recipientsLine = lineNumber
            } else {
                guard let (key, field) = pair(line, line: lineNumber, column: 1), SealedFile.allowedKeys.contains(key),
                    key != "recipients", fields.top[key] == nil
                else { return nil }
                inRecipients = false
                fields.top[key] = field
            }
        }
        for entry in fields.recipients where !Set(entry.values.keys).isSubset(of: SealedFile.recipientKeys) { return nil }
        return fields
    }

    /// `key: value` with `value` plain or double-quoted; column is where `key` starts.
    private static func pair(_ line: Substring.UTF8View.SubSequence, line lineNumber: Int, column: Int) -> (String, SealedFields.Field)? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let key = line[line.startIndex..<colon]
        guard !key.isEmpty, key.allSatisfy(isKeyByte) else { return nil }
        let afterColon = line[line.index(after: colon)...]
        guard afterColon.first == UInt8(ascii: " ") else { return nil }
        let rawValue = afterColon.dropFirst()
        let valueColumn = column + key.count + 2
        let value: String?
        if rawValue.first == UInt8(ascii: "\"") {
            value = unquote(rawValue)
        } else {
            // A lone `-` would start a block sequence in YAML, not a string.
            value =
                !rawValue.isEmpty && rawValue.allSatisfy(isPlainByte) && !rawValue.elementsEqual("-".utf8)
                ? String(decoding: rawValue, as: UTF8.self) : nil
        }
        guard let value else { return nil }
        return (String(decoding: key, as: UTF8.self), SealedFields.Field(value, line: lineNumber, column: valueColumn))
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The characters libyaml accepts in a stream (YAML 1.1 `c-printable`).
    private static func isPrintableInYAML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0a, 0x0d, 0x20...0x7e, 0x85, 0xa0...0xd7ff, 0xe000...0xfffd, 0x10000...0x10ffff: return true
        default: return false
        }
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "-")
    }

    /// Characters YAML reads as the same plain string: base64, hex, names, the format tag.
    /// (No leading `-`, `?` or `:`; no `: ` or ` #`.)
    private static func isPlainByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// Decodes a double-quoted scalar that uses only the escapes `YAMLText.quoted` writes, and
    /// only where libyaml reads the same string: anything it would refuse or read otherwise (a
    /// raw control character, `\x` without two hex digits, invalid UTF-8) returns `nil`, and
    /// the YAML reader then gives the error.
    private static func unquote(_ quoted: Substring.UTF8View.SubSequence) -> String? {
        let bytes = Array(quoted)
        guard bytes.count >= 2, bytes.last == UInt8(ascii: "\""),
            let raw = String(validating: bytes, as: UTF8.self), raw.unicodeScalars.allSatisfy(isPrintableInYAML)
        else { return nil }
        var out: [UInt8] = []
        var i = 1
        while i < bytes.count - 1 {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") { return nil }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            guard i + 1 < bytes.count - 1 else { return nil }
            switch bytes[i + 1] {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "N"): out += Array("\u{85}".utf8)
            case UInt8(ascii: "L"): out += Array("\u{2028}".utf8)
            case UInt8(ascii: "P"): out += Array("\u{2029}".utf8)
            case UInt8(ascii: "x"):
                guard i + 3 < bytes.count - 1, let high = hexDigit(bytes[i + 2]), let low = hexDigit(bytes[i + 3]) else { return nil }
                // libyaml reads `\xHH` as the code point U+00HH, written as UTF-8.
                out += Array(String(Character(Unicode.Scalar(high << 4 | low))).utf8)
                i += 2
            default: return nil
            }
            i += 2
        }
        return String(validating: out, as: UTF8.self)
    }
}
