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
