import FoundationEssentials
import Yams

/// A parsed YAML file that remembers where each node came from, for messages with file, line
/// and column. Parse errors never quote the file's text: it may hold a value. The one way the
/// tool reads YAML: every file is held to `YAMLBounds` before it is composed.
package struct YAMLFile {
    package let path: String
    package let text: String
    package let root: Node

    package init(path: String, text: String) throws(WorkspaceError) {
        self.path = path
        try YAMLBounds.check(text, path: path)
        self.text = text
        do {
            // Resolver.basic: every scalar is read as text here, and the default resolver
            // compiles seven ICU regular expressions on first use (a quarter of a `journey run`).
            guard let node = try Yams.compose(yaml: text, .basic) else {
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

    /// Loads `path`, unless a merge left git conflict markers in it: then `conflict` says so
    /// instead of a YAML error about the markers.
    package static func loadUnlessConflicted(
        _ path: String, reportedAs shown: String, conflict: (String) -> WorkspaceError
    ) throws(WorkspaceError) -> YAMLFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .io(path: shown, reason: FileManager.default.fileExists(atPath: path) ? "cannot read it as UTF-8 text" : "no such file")
        }
        if MergeConflictText.isConflicted(text) { throw conflict(text) }
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

    /// libyaml's terse problems, said in words: most are indentation.
    static func explained(_ problem: String) -> String {
        let indentation =
            "; YAML reads structure from indentation: the keys of one mapping start in the same column, a nested value is indented further than its key, and list items of one list start with '-' in the same column (spaces only, no tabs)"
        switch problem {
        case _ where problem.contains("mapping values are not allowed"):
            return
                " — a ':' where no key can start: this line is probably indented more than the keys beside it, or a value holds ': ' and needs quotes"
                + indentation
        case _ where problem.contains("could not find expected ':'"):
            return " — a line that is not 'key: value' inside a mapping: a key is missing its ':', or a continued value is indented less than it should be"
                + indentation
        case _ where problem.contains("did not find expected key"):
            return " — this line does not line up with the keys before it" + indentation
        case _ where problem.contains("did not find expected '-' indicator"):
            return " — this line lines up with neither the keys of the list item above it nor a new '-' item" + indentation
        case _ where problem.contains("cannot start any token") || problem.contains("tab"):
            return " — YAML indents with spaces; replace tabs with spaces"
        default:
            return ""
        }
    }

    private static func describe(_ error: YamlError, path: String) -> WorkspaceError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return .malformed(SourceLocation(file: path, line: mark.line, column: mark.column), expected: "invalid YAML: \(problem)\(explained(problem))")
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

extension Node.Scalar {
    /// Whether YAML reads this scalar as null: a plain (unquoted) empty string, `~`, `null`,
    /// `Null` or `NULL`. The one null check every journey reader uses.
    package var isNull: Bool {
        style == .plain && ["", "~", "null", "Null", "NULL"].contains(string)
    }
}
