import Foundation
import Yams

/// A parsed YAML file that remembers where each node came from, for messages with file, line
/// and column. Parse errors never quote the file's text: it may hold a value. The one way the
/// tool reads YAML: every file is held to `YAMLBounds` before it is composed.
package struct YAMLFile {
    package let path: String
    package let root: Node

    package init(path: String, text: String) throws(WorkspaceError) {
        self.path = path
        try YAMLBounds.check(text, path: path)
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw WorkspaceError.malformed(SourceLocation(file: path, line: 1, column: 1), expected: "the file is empty; expected a YAML mapping")
            }
            root = node
        } catch let error as WorkspaceError {
            throw error
        } catch let error as YamlError {
            throw Self.describe(error, path: path)
        } catch {
            throw WorkspaceError.malformed(SourceLocation(file: path), expected: "expected valid YAML")
        }
    }

    package static func load(_ path: String) throws(WorkspaceError) -> YAMLFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .io(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read it as UTF-8 text" : "no such file")
        }
        return try YAMLFile(path: path, text: text)
    }

    package func location(of node: Node) -> SourceLocation {
        SourceLocation(file: path, line: node.mark?.line, column: node.mark?.column)
    }

    package func malformed(_ node: Node, _ expected: String) -> WorkspaceError {
        .malformed(location(of: node), expected: expected)
    }

    /// The root as a mapping, or an error saying what the file should hold.
    package func rootMapping(describedAs what: String) throws(WorkspaceError) -> Node.Mapping {
        guard let mapping = root.mapping else { throw malformed(root, "expected \(what) (a YAML mapping)") }
        return mapping
    }

    /// A scalar string under `key`; `nil` when absent, an error when of another shape.
    package func string(_ key: String, in mapping: Node.Mapping, at parent: Node) throws(WorkspaceError) -> String? {
        guard let node = mapping[key] else { return nil }
        guard let scalar = node.scalar else { throw malformed(node, "expected '\(key)' to be a string") }
        return scalar.string
    }

    package func requiredString(_ key: String, in mapping: Node.Mapping, at parent: Node) throws(WorkspaceError) -> String {
        guard let value = try string(key, in: mapping, at: parent) else {
            throw malformed(parent, "missing '\(key)'")
        }
        return value
    }

    /// Rejects keys other than `allowed`, naming the first unknown one and where it is.
    package func rejectUnknownKeys(_ mapping: Node.Mapping, allowed: Set<String>, in what: String) throws(WorkspaceError) {
        for (key, _) in mapping {
            guard let name = key.scalar?.string, allowed.contains(name) else {
                let shown = key.scalar?.string ?? "?"
                throw malformed(
                    key, "unknown key '\(WorkspaceError.printable(shown))' in \(what); expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
        }
    }

    private static func describe(_ error: YamlError, path: String) -> WorkspaceError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return .malformed(SourceLocation(file: path, line: mark.line, column: mark.column), expected: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .malformed(
                SourceLocation(file: path, line: context.mark.line, column: context.mark.column),
                expected: "duplicate key \(duplicates.map { "'\(WorkspaceError.printable($0))'" }.joined(separator: ", ")); each key may appear once")
        case .reader(let problem, _, _, _):
            return .malformed(SourceLocation(file: path), expected: "cannot read YAML: \(problem)")
        default:
            return .malformed(SourceLocation(file: path), expected: "expected valid YAML")
        }
    }
}
