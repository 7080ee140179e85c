/// A reader for the TOML that scanner configurations use (`.gitleaks.toml`): tables, arrays of
/// tables, dotted keys, strings of all four kinds, integers, floats, booleans, arrays and inline
/// tables. Dates are refused with an error, as is anything malformed, with its line.
///
/// Written here rather than linked (TOMLKit wraps a C++ library): a config is read on every
/// commit, so start-up cost counts, and this subset is all gitleaks configs need.
enum TOML {
    indirect enum Value {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
        case array([Value])
        case table(Table)
    }

    /// A table: values by key, each with the line it was set on.
    final class Table {
        private(set) var values: [String: Value] = [:]
        private(set) var lines: [String: Int] = [:]
        private(set) var keys: [String] = []
        let line: Int
        /// Defined by a `[header]` or by a dotted key (TOML forbids defining either twice).
        var explicitlyDefined = false

        init(line: Int) { self.line = line }

        subscript(key: String) -> Value? { values[key] }
        func line(of key: String) -> Int { lines[key] ?? line }

        func set(_ key: String, _ value: Value, line: Int) {
            if values[key] == nil { keys.append(key) }
            values[key] = value
            lines[key] = line
        }
    }

    struct ParseError: Error, Equatable {
        let line: Int
        let message: String
    }

    static func parse(_ text: String) throws(ParseError) -> Table {
        var parser = Parser(bytes: Array(text.utf8))
        return try parser.document()
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0
        var line = 1

        init(bytes: [UInt8]) { self.bytes = bytes }

        func fail(_ message: String) -> ParseError { ParseError(line: line, message: message) }

        var atEnd: Bool { position >= bytes.count }
        var current: UInt8 { bytes[position] }

        mutating func document() throws(ParseError) -> Table {
            let root = Table(line: 1)
            var table = root
            while true {
                skipBlankLinesAndComments()
                if atEnd { return root }
                if current == UInt8(ascii: "[") {
                    let isArray = position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "[")
                    position += isArray ? 2 : 1
                    skipSpaces()
                    let path = try key()
                    skipSpaces()
                    guard expect(isArray ? "]]" : "]") else { throw fail("expected '\(isArray ? "]]" : "]")' to close the table header") }
                    table = try isArray ? appendArrayTable(root, path) : defineTable(root, path)
                    try endOfLine()
                } else {
                    let path = try key()
                    skipSpaces()
                    guard expect("=") else { throw fail("expected '=' after the key '\(path.joined(separator: "."))'") }
                    skipSpaces()
                    let keyLine = line
                    let value = try self.value()
                    try assign(value, to: path, in: table, line: keyLine)
                    try endOfLine()
                }
            }
        }

        // MARK: Tables

        func child(_ table: Table, _ key: String, creating: Bool) throws(ParseError) -> Table {
            switch table[key] {
            case .table(let found)?: return found
            case .array(let items)?:
                guard case .table(let last)? = items.last else { throw fail("'\(key)' is not a table") }
                return last
            case nil:
                let made = Table(line: line)
                table.set(key, .table(made), line: line)
                return made
            default: throw fail("'\(key)' is already a value, not a table")
            }
        }

        func defineTable(_ root: Table, _ path: [String]) throws(ParseError) -> Table {
            var table = root
            for key in path { table = try child(table, key, creating: true) }
            if table.explicitlyDefined { throw fail("the table [\(path.joined(separator: "."))] is defined twice") }
            table.explicitlyDefined = true
            return table
        }

        func appendArrayTable(_ root: Table, _ path: [String]) throws(ParseError) -> Table {
            var table = root
            for key in path.dropLast() { table = try child(table, key, creating: true) }
            let last = path[path.count - 1]
            let made = Table(line: line)
            made.explicitlyDefined = true
            switch table[last] {
            case nil: table.set(last, .array([.table(made)]), line: line)
            case .array(let items)? where items.allSatisfy({ if case .table = $0 { true } else { false } }):
                table.set(last, .array(items + [.table(made)]), line: table.line(of: last))
            default: throw fail("'\(last)' is already a value, not an array of tables")
            }
            return made
        }

        func assign(_ value: Value, to path: [String], in table: Table, line: Int) throws(ParseError) {
            var target = table
            for key in path.dropLast() { target = try child(target, key, creating: true) }
            let last = path[path.count - 1]
            if target[last] != nil { throw fail("the key '\(path.joined(separator: "."))' is set twice") }
            target.set(last, value, line: line)
        }

        // MARK: Keys

        mutating func key() throws(ParseError) -> [String] {
            var parts: [String] = []
            while true {
                skipSpaces()
                guard !atEnd else { throw fail("expected a key") }
                if current == UInt8(ascii: "\"") {
                    position += 1
                    parts.append(try basicString())
                } else if current == UInt8(ascii: "'") {
                    position += 1
                    parts.append(try literalString())
                } else {
                    let start = position
                    while !atEnd, Self.bareKey.contains(current) { position += 1 }
                    guard position > start else { throw fail("expected a key, found '\(Self.describe(current))'") }
                    parts.append(String(decoding: bytes[start..<position], as: UTF8.self))
                }
                skipSpaces()
                if !atEnd, current == UInt8(ascii: ".") {
                    position += 1
                    continue
                }
                return parts
            }
        }

        static let bareKey = ByteSet("A-Za-z0-9_-")

        // MARK: Values

        mutating func value() throws(ParseError) -> Value {
            guard !atEnd else { throw fail("expected a value") }
            switch current {
            case UInt8(ascii: "\""):
                if hasPrefix("\"\"\"") {
                    position += 3
                    return .string(try multilineString(literal: false))
                }
                position += 1
                return .string(try basicString())
            case UInt8(ascii: "'"):
                if hasPrefix("'''") {
                    position += 3
                    return .string(try multilineString(literal: true))
                }
                position += 1
                return .string(try literalString())
            case UInt8(ascii: "["):
                position += 1
                let openingLine = line
                var items: [Value] = []
                while true {
                    skipWhitespaceAndComments()
                    guard !atEnd else { throw ParseError(line: openingLine, message: "an array is not closed with ']'") }
                    if current == UInt8(ascii: "]") {
                        position += 1
                        return .array(items)
                    }
                    items.append(try value())
                    skipWhitespaceAndComments()
                    guard !atEnd else { throw ParseError(line: openingLine, message: "an array is not closed with ']'") }
                    if current == UInt8(ascii: ",") {
                        position += 1
                    } else if current != UInt8(ascii: "]") {
                        throw fail("expected ',' or ']' in an array, found '\(Self.describe(current))'")
                    }
                }
            case UInt8(ascii: "{"):
                position += 1
                let table = Table(line: line)
                table.explicitlyDefined = true
                skipSpaces()
                if !atEnd, current == UInt8(ascii: "}") {
                    position += 1
                    return .table(table)
                }
                while true {
                    let path = try key()
                    guard expect("=") else { throw fail("expected '=' in an inline table") }
                    skipSpaces()
                    try assign(try value(), to: path, in: table, line: line)
                    skipSpaces()
                    if expect(",") { continue }
                    guard expect("}") else { throw fail("expected ',' or '}' in an inline table") }
                    return .table(table)
                }
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                if hasPrefix("true") {
                    position += 4
                    return .boolean(true)
                }
                if hasPrefix("false") {
                    position += 5
                    return .boolean(false)
                }
                throw fail("expected a value; strings are quoted (\"…\" or '…')")
            default:
                return try number()
            }
        }

        mutating func number() throws(ParseError) -> Value {
            let start = position
            while !atEnd, ByteSet("0-9a-zA-Z_.:+-").contains(current) { position += 1 }
            let text = String(decoding: bytes[start..<position], as: UTF8.self).replacingOccurrences(of: "_", with: "")
            if let integer = Int(text) { return .integer(integer) }
            if text.hasPrefix("0x"), let integer = Int(text.dropFirst(2), radix: 16) { return .integer(integer) }
            if text.hasPrefix("0o"), let integer = Int(text.dropFirst(2), radix: 8) { return .integer(integer) }
            if text.hasPrefix("0b"), let integer = Int(text.dropFirst(2), radix: 2) { return .integer(integer) }
            if let float = Double(text), text.contains(where: { $0.isNumber }) { return .float(float) }
            if ["inf", "+inf", "-inf", "nan", "+nan", "-nan"].contains(text) {
                return .float(Double(text.replacingOccurrences(of: "inf", with: "infinity")) ?? .nan)
            }
            if text.isEmpty { throw fail("expected a value, found '\(atEnd ? "end of file" : Self.describe(current))'") }
            // Not echoed: an unquoted value in a config may be a credential someone allowlisted.
            throw fail("an unquoted value of \(text.count) characters is not one this reader accepts (strings are quoted; dates are not supported)")
        }

        mutating func basicString() throws(ParseError) -> String {
            var out: [UInt8] = []
            while true {
                guard !atEnd, current != 10 else { throw fail("a string is not closed with '\"' on its line") }
                let byte = current
                position += 1
                if byte == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                if byte == UInt8(ascii: "\\") { out += try escape() } else { out.append(byte) }
            }
        }

        mutating func literalString() throws(ParseError) -> String {
            let start = position
            while !atEnd, current != UInt8(ascii: "'") {
                guard current != 10 else { throw fail("a string is not closed with \"'\" on its line") }
                position += 1
            }
            guard !atEnd else { throw fail("a string is not closed with \"'\"") }
            position += 1
            return String(decoding: bytes[start..<(position - 1)], as: UTF8.self)
        }

        mutating func multilineString(literal: Bool) throws(ParseError) -> String {
            let delimiter = literal ? "'''" : "\"\"\""
            let startLine = line
            // A newline right after the opening delimiter is trimmed.
            if hasPrefix("\r\n") { position += 2; line += 1 } else if hasPrefix("\n") { position += 1; line += 1 }
            var out: [UInt8] = []
            while true {
                guard !atEnd else { throw ParseError(line: startLine, message: "a multi-line string is not closed with \(delimiter)") }
                if hasPrefix(delimiter) {
                    position += 3
                    // Up to two quotes right before the closing delimiter belong to the string.
                    var extra = 0
                    while extra < 2, !atEnd, current == bytes[position - 1] { out.append(current); position += 1; extra += 1 }
                    return String(decoding: out, as: UTF8.self)
                }
                let byte = current
                position += 1
                if byte == 10 { line += 1 }
                if !literal, byte == UInt8(ascii: "\\") {
                    // A backslash at the end of a line trims the newline and leading whitespace.
                    var look = position
                    while look < bytes.count, bytes[look] == 32 || bytes[look] == 9 { look += 1 }
                    if look < bytes.count, bytes[look] == 10 || bytes[look] == 13 {
                        position = look
                        while !atEnd, ByteSet.whitespace.contains(current) {
                            if current == 10 { line += 1 }
                            position += 1
                        }
                        continue
                    }
                    out += try escape()
                } else {
                    out.append(byte)
                }
            }
        }

        mutating func escape() throws(ParseError) -> [UInt8] {
            guard !atEnd else { throw fail("a string ends in the middle of an escape") }
            let byte = current
            position += 1
            switch byte {
            case UInt8(ascii: "n"): return [10]
            case UInt8(ascii: "t"): return [9]
            case UInt8(ascii: "r"): return [13]
            case UInt8(ascii: "b"): return [8]
            case UInt8(ascii: "f"): return [12]
            case UInt8(ascii: "e"): return [27]
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): return [byte]
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = byte == UInt8(ascii: "u") ? 4 : 8
                guard position + count <= bytes.count,
                    let scalarValue = UInt32(String(decoding: bytes[position..<(position + count)], as: UTF8.self), radix: 16),
                    let scalar = Unicode.Scalar(scalarValue)
                else { throw fail("\\\(Character(Unicode.Scalar(byte))) needs \(count) hex digits naming a Unicode scalar") }
                position += count
                return Array(String(Character(scalar)).utf8)
            default:
                throw fail(
                    "'\\\(Self.describe(byte))' is not a TOML escape; in a regex write the backslash twice (\"\\\\d\") or use a literal string ('\\d')")
            }
        }

        // MARK: Whitespace

        func hasPrefix(_ text: String) -> Bool {
            let pattern = Array(text.utf8)
            return position + pattern.count <= bytes.count && Array(bytes[position..<(position + pattern.count)]) == pattern
        }

        mutating func expect(_ text: String) -> Bool {
            guard hasPrefix(text) else { return false }
            position += text.utf8.count
            return true
        }

        mutating func skipSpaces() {
            while !atEnd, current == 32 || current == 9 { position += 1 }
        }

        mutating func skipComment() {
            if !atEnd, current == UInt8(ascii: "#") { while !atEnd, current != 10 { position += 1 } }
        }

        mutating func skipBlankLinesAndComments() {
            while true {
                skipSpaces()
                skipComment()
                if !atEnd, current == 13 { position += 1 }
                guard !atEnd, current == 10 else { return }
                position += 1
                line += 1
            }
        }

        mutating func skipWhitespaceAndComments() { skipBlankLinesAndComments() }

        mutating func endOfLine() throws(ParseError) {
            skipSpaces()
            skipComment()
            if !atEnd, current == 13 { position += 1 }
            guard atEnd || current == 10 else { throw fail("unexpected '\(Self.describe(current))' after a value; one key = value per line") }
        }

        static func describe(_ byte: UInt8) -> String {
            byte >= 32 && byte < 127 ? String(Character(Unicode.Scalar(byte))) : "byte \(byte)"
        }
    }
}
