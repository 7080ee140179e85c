// libyaml's event API, the parser Yams is built on (Yams' own C module), read directly: the
// bound has to hold before Yams composes, since its composer already hashes aliased mapping
// keys in full.
internal import CYaml

/// Limits every YAML file the tool reads is held to, checked in one linear pass over the
/// parser's events before the file is composed: a few hundred bytes of nested aliases (an
/// "alias bomb", YAML's billion laughs) would otherwise expand to billions of nodes and stall
/// every command — and every commit, through the leak check — that reads the file.
package enum YAMLBounds {
    /// Nodes in the document once every alias is expanded; real journeys hold hundreds.
    package static let maximumNodes = 100_000
    /// Collections inside collections; the composer and every walker recurse this deep.
    package static let maximumDepth = 128

    /// Throws when `text` expands past the limits; says nothing about other YAML errors,
    /// which the composer reports with their position.
    package static func check(_ text: String, path: String) throws(WorkspaceError) {
        var bytes = Array(text.utf8)
        if let problem = bytes.withUnsafeMutableBufferPointer({ firstProblem(in: $0) }) {
            throw .malformed(SourceLocation(file: path, line: problem.line, column: problem.column), expected: problem.message)
        }
        bytes.removeAll()
    }

    private struct Problem {
        var line: Int
        var column: Int
        var message: String
    }

    private static func firstProblem(in buffer: UnsafeMutableBufferPointer<UInt8>) -> Problem? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)

        /// Expanded size of each anchored node (a later anchor of the same name replaces it).
        var anchored: [String: Int] = [:]
        /// Open collections: their anchor and expanded size so far.
        var open: [(anchor: String?, size: Int)] = []
        var total = 0
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }  // the composer says what is wrong
            defer { yaml_event_delete(&event) }
            let mark = event.start_mark
            func problem(_ message: String) -> Problem {
                Problem(line: Int(mark.line) + 1, column: Int(mark.column) + 1, message: message)
            }
            var size = 0
            var anchor: String?
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_SCALAR_EVENT:
                size = 1
                anchor = string(event.data.scalar.anchor)
            case YAML_ALIAS_EVENT:
                size = string(event.data.alias.anchor).flatMap { anchored[$0] } ?? 1
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let name = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                open.append((string(name), 1))
                total += 1
                guard open.count <= maximumDepth else {
                    return problem("refused: collections nested more than \(maximumDepth) deep; flatten the file")
                }
                continue
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let closed = open.popLast() else { continue }
                if let name = closed.anchor { anchored[name] = closed.size }
                if !open.isEmpty { open[open.count - 1].size = min(open[open.count - 1].size + closed.size, maximumNodes + 1) }
                continue
            default:
                continue
            }
            if let anchor { anchored[anchor] = size }
            total += event.type == YAML_ALIAS_EVENT ? size : 1
            if !open.isEmpty { open[open.count - 1].size = min(open[open.count - 1].size + size, maximumNodes + 1) }
            guard total <= maximumNodes else {
                return problem(
                    "refused: its aliases (*name) expand to more than \(maximumNodes) YAML nodes, which would stall every command that reads it (a YAML alias bomb); write the repeated parts out or use fewer aliases"
                )
            }
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }
}
