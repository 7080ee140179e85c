import Workspace
import Yams

/// Rewrites the text of chosen fields of a journey file and nothing else: each field's value is
/// found by the source position of its node (`YAMLFile` marks), its extent is measured in the
/// text, and only those bytes are replaced. Comments, key order and formatting elsewhere stay
/// byte for byte. The caller re-parses the result and compares it with what was asked
/// (`JourneyEditor.save`), so an extent measured wrong is refused, never written.
///
/// Kept small and apart on purpose: when the journey walkers become one with source ranges,
/// `locate` and `extent` give way to the ranges it records.
enum JourneyTextEdit {
    struct Edit: Equatable {
        var path: String
        var source: EditorField.Source
        var text: String
    }

    /// Applies `edits` to `text`; throws when a field cannot be found or written in place.
    static func apply(_ edits: [Edit], to text: String, file: String) throws(AdminUIError) -> String {
        let yaml: YAMLFile
        do { yaml = try YAMLFile(path: file, text: text) } catch { throw .edit("\(file) does not parse: \(error)") }
        let bytes = Array(text.utf8)
        let lineStarts = Self.lineStarts(bytes)
        var replacements: [(range: Range<Int>, text: [UInt8])] = []
        for edit in edits {
            guard let found = locate(edit.path, in: yaml.root) else { throw .edit("no field '\(edit.path)' in \(file)") }
            guard let keyMark = found.key.mark, let valueMark = found.value.mark else { throw .edit("no position for '\(edit.path)' in \(file)") }
            let keyStart = offset(of: keyMark, in: bytes, lineStarts: lineStarts)
            let start = offset(of: valueMark, in: bytes, lineStarts: lineStarts)
            let keyIndent = keyStart - lineStart(containing: keyStart, lineStarts: lineStarts)
            guard start < bytes.count, !"&*!".utf8.contains(bytes[start]) else {
                throw .edit("'\(edit.path)' uses an anchor, alias or tag; edit it in the file")
            }
            // A flow mapping starts at its '{' (Yams does not keep the style of a composed node).
            let inFlow = found.parent.mark.map { bytes[offset(of: $0, in: bytes, lineStarts: lineStarts)] == UInt8(ascii: "{") } ?? false
            let end = extent(from: start, in: bytes, lineStarts: lineStarts, keyIndent: keyIndent, inFlow: inFlow)
            let original = bytes[start]
            let replacement = try written(edit, originalStart: original, inFlow: inFlow, indent: keyIndent)
            replacements.append((start..<end, Array(replacement.utf8)))
        }
        replacements.sort { $0.range.lowerBound > $1.range.lowerBound }
        for (index, item) in replacements.enumerated() where index > 0 {
            if item.range.upperBound > replacements[index - 1].range.lowerBound { throw .edit("two edits touch the same text in \(file)") }
        }
        var result = bytes
        for item in replacements { result.replaceSubrange(item.range, with: item.text) }
        return String(decoding: result, as: UTF8.self)
    }

    // MARK: Finding the node

    /// The key and value nodes at a dotted path, and the mapping holding them.
    static func locate(_ path: String, in root: Node) -> (key: Node, value: Node, parent: Node)? {
        var node = root
        var found: (key: Node, value: Node, parent: Node)?
        for component in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            if let index = Int(component), let list = node.sequence {
                guard index >= 0, index < list.count else { return nil }
                node = list[index]
                found = nil
                continue
            }
            guard let mapping = node.mapping, let pair = mapping.first(where: { $0.key.scalar?.string == component }) else { return nil }
            found = (pair.key, pair.value, node)
            node = pair.value
        }
        return found
    }

    // MARK: Positions and extents

    static func lineStarts(_ bytes: [UInt8]) -> [Int] {
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(index + 1) }
        return starts
    }

    static func lineStart(containing offset: Int, lineStarts: [Int]) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return lineStarts[low]
    }

    /// libyaml counts lines and columns from 0 in characters; Yams adds 1 to each.
    static func offset(of mark: Mark, in bytes: [UInt8], lineStarts: [Int]) -> Int {
        var index = lineStarts[min(max(mark.line - 1, 0), lineStarts.count - 1)]
        var characters = mark.column - 1
        while characters > 0, index < bytes.count {
            index += 1
            while index < bytes.count, bytes[index] & 0xC0 == 0x80 { index += 1 }
            characters -= 1
        }
        return index
    }

    /// Where the value starting at `start` ends (exclusive), trailing spaces and comments left out.
    static func extent(from start: Int, in bytes: [UInt8], lineStarts: [Int], keyIndent: Int, inFlow: Bool) -> Int {
        func lineEnd(_ offset: Int) -> Int {
            var index = offset
            while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            return index
        }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            var index = start + 1
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\\") { index += 2; continue }
                if bytes[index] == UInt8(ascii: "\"") { return index + 1 }
                index += 1
            }
            return bytes.count
        case UInt8(ascii: "'"):
            var index = start + 1
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "'") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "'") { index += 2; continue }
                    return index + 1
                }
                index += 1
            }
            return bytes.count
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            var quote: UInt8?
            while index < bytes.count {
                let byte = bytes[index]
                if let open = quote {
                    if open == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") { index += 2; continue }
                    if byte == open {
                        if open == UInt8(ascii: "'"), index + 1 < bytes.count, bytes[index + 1] == open { index += 2; continue }
                        quote = nil
                    }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return index + 1 }
                }
                index += 1
            }
            return bytes.count
        default:
            break
        }
        if inFlow {
            // A plain scalar inside { } or [ ]: up to the next ',', '}', ']' or ' #'.
            var index = start
            while index < bytes.count, !",}]\n".utf8.contains(bytes[index]) {
                if bytes[index] == UInt8(ascii: "#"), index > start, bytes[index - 1] == UInt8(ascii: " ") { break }
                index += 1
            }
            while index > start, bytes[index - 1] == UInt8(ascii: " ") || bytes[index - 1] == UInt8(ascii: "\t") { index -= 1 }
            return index
        }
        // A block scalar, a block collection or a plain scalar: the first line's text, then
        // every following line indented deeper than the key (blank lines inside count, trailing
        // blank lines and comments at the key's depth do not).
        let isBlockScalar = bytes[start] == UInt8(ascii: "|") || bytes[start] == UInt8(ascii: ">")
        let startsOwnLine =
            start == lineStart(containing: start, lineStarts: lineStarts) + indentation(at: lineStart(containing: start, lineStarts: lineStarts), bytes)
            && !isBlockScalar
        var end = isBlockScalar ? lineEnd(start) : trimmedPlainEnd(from: start, to: lineEnd(start), bytes)
        var next = lineEnd(start) + 1
        while next < bytes.count {
            let stop = lineEnd(next)
            let indent = indentation(at: next, bytes)
            let blank = next + indent == stop
            if blank { next = stop + 1; continue }
            let firstByte = bytes[next + indent]
            let deeper = indent > keyIndent || (startsOwnLine && indent >= keyIndent && firstByte == UInt8(ascii: "-"))
            guard deeper else { break }
            if !isBlockScalar && firstByte == UInt8(ascii: "#") { next = stop + 1; continue }
            end = isBlockScalar ? stop : trimmedPlainEnd(from: next + indent, to: stop, bytes)
            next = stop + 1
        }
        return end
    }

    private static func indentation(at lineStart: Int, _ bytes: [UInt8]) -> Int {
        var index = lineStart
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
        return index - lineStart
    }

    /// A plain scalar's line ends before ` #` (a comment) and trailing spaces.
    private static func trimmedPlainEnd(from start: Int, to stop: Int, _ bytes: [UInt8]) -> Int {
        var end = stop
        var index = start
        while index < stop {
            if bytes[index] == UInt8(ascii: "#"), index > start, bytes[index - 1] == UInt8(ascii: " ") || bytes[index - 1] == UInt8(ascii: "\t") {
                end = index
                break
            }
            index += 1
        }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return end
    }

    // MARK: Writing a value

    /// The text for a value, in the style it had where that keeps the meaning.
    static func written(_ edit: Edit, originalStart: UInt8, inFlow: Bool, indent: Int) throws(AdminUIError) -> String {
        switch edit.source {
        case .secret:
            guard (try? SecretName(edit.text)) != nil else { throw .edit("'\(edit.text)' is not a secret name") }
            return "{ secret: \(edit.text) }"
        case .env:
            guard isVariableName(edit.text) else { throw .edit("'\(edit.path)': expected an environment variable name (A-Z, a-z, 0-9 and '_')") }
            return "{ env: \(edit.text) }"
        case .literal:
            let text = edit.text
            if text.contains("\n"), originalStart == UInt8(ascii: "|"), !inFlow, let block = blockLiteral(text, indent: indent + 2) { return block }
            if originalStart == UInt8(ascii: "'"), !text.contains("\n"), text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) {
                return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
            }
            // A number-like text stays plain only where it was plain: written in place of a
            // reference it is quoted, so other YAML readers see a string too.
            let wasPlain = !"\"{[|>".utf8.contains(originalStart)
            if originalStart != UInt8(ascii: "\""), isPlainSafe(text, inFlow: inFlow), wasPlain || !looksTyped(text) { return text }
            return YAMLText.quoted(text)
        }
    }

    /// `|` (or `|-` without a final newline) with every line at `indent`; `nil` when a line
    /// would not survive (leading spaces on the first line, control characters).
    static func blockLiteral(_ text: String, indent: Int) -> String? {
        let keepsNewline = text.hasSuffix("\n")
        let body = keepsNewline ? String(text.dropLast()) : text
        if body.hasSuffix("\n") { return nil }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, !first.hasPrefix(" "), !first.isEmpty else { return nil }
        guard body.unicodeScalars.allSatisfy({ ($0.value >= 0x20 && $0.value != 0x7f) || $0 == "\n" }) else { return nil }
        let pad = String(repeating: " ", count: indent)
        return (keepsNewline ? "|" : "|-") + lines.map { $0.isEmpty ? "\n" : "\n" + pad + $0 }.joined()
    }

    /// Whether YAML reads `text` back unchanged as a plain (unquoted) string.
    static func isPlainSafe(_ text: String, inFlow: Bool) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if first == " " || last == " " || last == ":" { return false }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return false }
        if text.contains(": ") || text.contains(" #") { return false }
        if inFlow, text.unicodeScalars.contains(where: { ",[]{}".unicodeScalars.contains($0) }) { return false }
        if ["~", "null", "Null", "NULL", "true", "false", "True", "False", "TRUE", "FALSE", "yes", "no", "on", "off"].contains(text) { return false }
        return text.unicodeScalars.allSatisfy {
            $0.value >= 0x20 && $0.value != 0x7f && $0.value != 0x85 && $0 != "\u{2028}" && $0 != "\u{2029}" && $0 != "\u{FEFF}"
        }
    }

    /// Text a YAML reader would type as a number, boolean or null when plain.
    static func looksTyped(_ text: String) -> Bool {
        if Double(text) != nil || Int(text) != nil { return true }
        return ["~", "null", "true", "false", "yes", "no", "on", "off", "y", "n"].contains(text.lowercased())
    }

    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}
