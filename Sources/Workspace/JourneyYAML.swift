import Yams

/// A place in a file's text: the byte offset from the file's start, and the 1-based line and
/// column (in Unicode scalars) that Yams reports.
package struct SourcePosition: Sendable, Equatable {
    package var offset: Int
    package var line: Int
    package var column: Int

    package init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }
}

/// The one walk over a journey file's YAML. It visits every mapping entry and every scalar,
/// in file order, with its source position (byte offset, line, column), the key path above
/// it, and — for a scalar — the byte range of its text; `{ secret: NAME }` and `{ env: VAR }`
/// mappings are visited as references, not as entries. The secret-use finder, the leak
/// check's journey rule and the Admin page's editor read journeys through it; the parser
/// (`JourneyParser`) interprets the same YAML tree by its schema.
package struct JourneyYAML {
    /// A mapping entry: the key's text, where the key is, and the keys above it.
    package struct Entry: Sendable, Equatable {
        package var key: String
        package var path: [String]
        package var position: SourcePosition
    }

    /// A scalar value.
    package struct Scalar: Sendable, Equatable {
        package var text: String
        /// The key it is the value of (the nearest key above, through lists); `nil` at the root.
        package var key: String?
        package var path: [String]
        /// The value of a variable in a step's `env` mapping.
        package var isEnvironmentValue: Bool
        /// YAML reads it as null (plain empty, `~`, `null`).
        package var isNull: Bool
        package var position: SourcePosition
        /// The bytes of the scalar's text in the file: inside its quotes when quoted, the value's
        /// own bytes when they are there as written, else the rest of its first line.
        package var range: Range<Int>?
    }

    /// `{ secret: NAME }` or `{ env: VAR }`.
    package struct Reference: Sendable, Equatable {
        package enum Kind: String, Sendable { case secret, env }
        package var kind: Kind
        /// The name as written (not checked); `nil` when the value is not a scalar.
        package var name: String?
        package var path: [String]
        /// Where the mapping starts.
        package var position: SourcePosition
    }

    package enum Item: Sendable, Equatable {
        case entry(Entry)
        case scalar(Scalar)
        case reference(Reference)
    }

    package let root: Node
    private let text: [UInt8]
    private let lineStarts: [Int]

    /// Parses a file's bytes; `nil` when they are not YAML (the parser reports why). Offsets
    /// count the bytes as given, even where they are not valid UTF-8.
    package init?(bytes: some Collection<UInt8>) {
        let raw = Array(bytes)
        let text = String(decoding: raw, as: UTF8.self)
        // Held to the same bounds as every YAML file before Yams builds a tree (alias bombs).
        guard (try? YAMLBounds.check(text, path: "")) != nil, let root = try? Yams.compose(yaml: text, .basic) else { return nil }
        self.init(root: root, bytes: raw)
    }

    /// Parses `text` as every YAML file is read (`YAMLFile`: the bounds, errors with the line
    /// and column, never the text); messages name `path`.
    package static func parse(_ text: String, path: String) throws(WorkspaceError) -> JourneyYAML {
        JourneyYAML(root: try YAMLFile(path: path, text: text).root, text: text)
    }

    /// Walks a tree already parsed from `text`.
    package init(root: Node, text: String) {
        self.init(root: root, bytes: Array(text.utf8))
    }

    private init(root: Node, bytes: [UInt8]) {
        self.root = root
        text = bytes
        var starts = [0]
        for (index, byte) in self.text.enumerated() where byte == 10 { starts.append(index + 1) }
        lineStarts = starts
    }

    /// Every item, in file order.
    package var items: [Item] {
        var found: [Item] = []
        walk(root, key: nil, path: [], inEnv: false, into: &found)
        return found
    }

    private func walk(_ node: Node, key: String?, path: [String], inEnv: Bool, into found: inout [Item]) {
        switch node {
        case .mapping(let mapping):
            if mapping.count == 1, let only = mapping.first, let name = only.key.scalar?.string, let kind = Reference.Kind(rawValue: name) {
                found.append(.reference(Reference(kind: kind, name: only.value.scalar?.string, path: path, position: position(of: node))))
                return
            }
            for (keyNode, value) in mapping {
                let name = keyNode.scalar?.string ?? ""
                found.append(.entry(Entry(key: name, path: path, position: position(of: keyNode))))
                // The pairs of a step's `env` mapping are its variables.
                walk(value, key: name, path: path + [name], inEnv: key == "env", into: &found)
            }
        case .sequence(let sequence):
            for item in sequence { walk(item, key: key, path: path, inEnv: false, into: &found) }
        case .scalar(let scalar):
            let at = position(of: node)
            found.append(
                .scalar(
                    Scalar(
                        text: scalar.string, key: key, path: path, isEnvironmentValue: inEnv, isNull: scalar.isNull, position: at,
                        range: node.mark == nil ? nil : valueRange(at: at, value: scalar.string))))
        case .alias:
            return
        }
    }

    /// The position of a node's mark; a node without one (never from a parsed file) sits at 0.
    package func position(of node: Node) -> SourcePosition {
        guard let mark = node.mark else { return SourcePosition(offset: 0, line: 1, column: 1) }
        return SourcePosition(offset: offset(line: mark.line, column: mark.column) ?? text.count, line: mark.line, column: mark.column)
    }

    /// The byte offset of `line`, `column` (column in Unicode scalars), or `nil` past the end.
    package func offset(line: Int, column: Int) -> Int? {
        guard line >= 1, line <= lineStarts.count else { return nil }
        let lineEnd = line < lineStarts.count ? lineStarts[line] - 1 : text.count
        var position = lineStarts[line - 1]
        var scalars = 1
        while scalars < column, position < lineEnd {
            position += 1
            while position < lineEnd, text[position] & 0xC0 == 0x80 { position += 1 }
            scalars += 1
        }
        return position
    }

    /// The line and column of byte `offset` (clamped to the text).
    package func position(atOffset offset: Int) -> SourcePosition {
        let offset = min(max(offset, 0), text.count)
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let column = text[lineStarts[low]..<offset].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        return SourcePosition(offset: offset, line: low + 1, column: column)
    }

    /// Where the `occurrence`-th (from 0) `needle` at or after byte `start` begins; `nil` if
    /// there are fewer.
    package func offset(of needle: [UInt8], occurrence: Int, from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0 else { return nil }
        var seen = 0
        var index = start
        while index + needle.count <= text.count {
            if text[index..<(index + needle.count)].elementsEqual(needle) {
                if seen == occurrence { return index }
                seen += 1
            }
            index += 1
        }
        return nil
    }

    // MARK: One field, by its address

    /// A mapping entry found by its address, with where its key and value are in the text.
    package struct Field: Sendable, Equatable {
        package var key: SourcePosition
        package var value: SourcePosition
        /// The value's bytes as written: with its quotes or brackets, every line of a block
        /// scalar or a block collection; trailing spaces and comments left out.
        package var extent: Range<Int>
        /// The key's distance in bytes from its line's start: a block value is indented past it.
        package var keyIndent: Int
        /// The entry is inside a flow mapping `{ … }`, where a plain value ends at `,` or `}`.
        package var inFlow: Bool
    }

    /// The entry at `path` — mapping keys, and list indexes (`"0"`) through lists — or `nil`
    /// when there is none.
    package func field(at path: [String]) -> Field? {
        var node = root
        var found: (key: Node, value: Node, parent: Node)?
        for component in path {
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
        guard let found, found.key.mark != nil, found.value.mark != nil else { return nil }
        let key = position(of: found.key)
        let value = position(of: found.value)
        guard value.offset < text.count else { return nil }
        let keyIndent = key.offset - lineStart(containing: key.offset)
        // A flow mapping's mark is its '{' (Yams does not keep the style of a composed node).
        let parentOffset = position(of: found.parent).offset
        let inFlow = parentOffset < text.count && text[parentOffset] == UInt8(ascii: "{")
        let end = extent(from: value.offset, keyIndent: keyIndent, inFlow: inFlow)
        return Field(key: key, value: value, extent: value.offset..<end, keyIndent: keyIndent, inFlow: inFlow)
    }

    private func lineStart(containing offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return lineStarts[low]
    }

    private func lineEnd(_ offset: Int) -> Int {
        var index = offset
        while index < text.count, text[index] != UInt8(ascii: "\n") { index += 1 }
        return index
    }

    private func indentation(at lineStart: Int) -> Int {
        var index = lineStart
        while index < text.count, text[index] == UInt8(ascii: " ") { index += 1 }
        return index - lineStart
    }

    /// Where the value starting at `start` ends (exclusive): quoted and flow values by their
    /// delimiters, plain values up to a comment, block values by indentation.
    private func extent(from start: Int, keyIndent: Int, inFlow: Bool) -> Int {
        switch text[start] {
        case UInt8(ascii: "\""):
            var index = start + 1
            while index < text.count {
                if text[index] == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if text[index] == UInt8(ascii: "\"") { return index + 1 }
                index += 1
            }
            return text.count
        case UInt8(ascii: "'"):
            var index = start + 1
            while index < text.count {
                if text[index] == UInt8(ascii: "'") {
                    if index + 1 < text.count, text[index + 1] == UInt8(ascii: "'") {
                        index += 2
                        continue
                    }
                    return index + 1
                }
                index += 1
            }
            return text.count
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            var quote: UInt8?
            while index < text.count {
                let byte = text[index]
                if let open = quote {
                    if open == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") {
                        index += 2
                        continue
                    }
                    if byte == open {
                        if open == UInt8(ascii: "'"), index + 1 < text.count, text[index + 1] == open {
                            index += 2
                            continue
                        }
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
            return text.count
        default:
            break
        }
        if inFlow {
            // A plain scalar inside { } or [ ]: up to the next ',', '}', ']' or ' #'.
            var index = start
            while index < text.count, !",}]\n".utf8.contains(text[index]) {
                if text[index] == UInt8(ascii: "#"), index > start, text[index - 1] == UInt8(ascii: " ") { break }
                index += 1
            }
            while index > start, text[index - 1] == UInt8(ascii: " ") || text[index - 1] == UInt8(ascii: "\t") { index -= 1 }
            return index
        }
        // A block scalar, a block collection or a plain scalar: the first line's text, then
        // every following line indented deeper than the key (blank lines inside count, trailing
        // blank lines and comments at the key's depth do not).
        let isBlockScalar = text[start] == UInt8(ascii: "|") || text[start] == UInt8(ascii: ">")
        let firstLineStart = lineStart(containing: start)
        let startsOwnLine = start == firstLineStart + indentation(at: firstLineStart) && !isBlockScalar
        var end = isBlockScalar ? lineEnd(start) : trimmedPlainEnd(from: start, to: lineEnd(start))
        var next = lineEnd(start) + 1
        while next < text.count {
            let stop = lineEnd(next)
            let indent = indentation(at: next)
            if next + indent == stop {
                next = stop + 1
                continue
            }
            let firstByte = text[next + indent]
            let deeper = indent > keyIndent || (startsOwnLine && indent >= keyIndent && firstByte == UInt8(ascii: "-"))
            guard deeper else { break }
            if !isBlockScalar && firstByte == UInt8(ascii: "#") {
                next = stop + 1
                continue
            }
            end = isBlockScalar ? stop : trimmedPlainEnd(from: next + indent, to: stop)
            next = stop + 1
        }
        return end
    }

    /// A plain scalar's line ends before ` #` (a comment) and trailing spaces.
    private func trimmedPlainEnd(from start: Int, to stop: Int) -> Int {
        var end = stop
        var index = start
        while index < stop {
            if text[index] == UInt8(ascii: "#"), index > start, text[index - 1] == UInt8(ascii: " ") || text[index - 1] == UInt8(ascii: "\t") {
                end = index
                break
            }
            index += 1
        }
        while end > start, text[end - 1] == UInt8(ascii: " ") || text[end - 1] == UInt8(ascii: "\t") || text[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return end
    }

    private func valueRange(at start: SourcePosition, value: String) -> Range<Int>? {
        let line = start.line
        guard line >= 1, line <= lineStarts.count else { return nil }
        let lineEnd = line < lineStarts.count ? lineStarts[line] - 1 : text.count
        let position = start.offset
        guard position < lineEnd else { return nil }
        let first = text[position]
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            var end = position + 1
            while end < lineEnd, text[end] != first {
                if text[end] == UInt8(ascii: "\\"), first == UInt8(ascii: "\"") { end += 1 }
                end += 1
            }
            return (position + 1)..<min(end, lineEnd)
        }
        let utf8 = Array(value.utf8)
        if position + utf8.count <= lineEnd, text[position..<(position + utf8.count)].elementsEqual(utf8) {
            return position..<(position + utf8.count)
        }
        var end = lineEnd
        while end > position, [9, 10, 13, 32].contains(text[end - 1]) { end -= 1 }
        return position..<end
    }
}
