import FoundationEssentials
import Sealing
import Yams

/// `.journey/local-secrets.yaml`: values for local runs, git-ignored, a flat mapping of secret
/// name to value, with optional sections per environment under `environments:` (a mapping
/// there is a section; a string is the value of a secret named `environments`):
///
/// ```yaml
/// payments-api-key: sk_test_…
/// slack-token: xoxb-…
/// environments:
///   staging:
///     payments-api-key: sk_test_staging_…
/// ```
///
/// With an environment chosen, its section is read first, then the top level.
///
/// Only the names asked for are copied into `SecretBytes`. Messages about the file name keys
/// and positions, never values.
package struct LocalSecrets {
    package let path: String
    private let file: YAMLFile?
    /// The values in effect: the chosen environment's section over the top level.
    private let entries: [String: Node]
    /// Every value of every section and the top level, for the leak check.
    private let everyEntry: [(name: String, node: Node)]

    /// Reads the file if it exists; a missing file holds no values.
    package init(path: String, displayPath: String, environment: EnvironmentName? = nil) throws(WorkspaceError) {
        self.path = displayPath
        guard FileManager.default.fileExists(atPath: path) else {
            file = nil
            entries = [:]
            everyEntry = []
            return
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .io(path: displayPath, reason: "cannot read it as UTF-8 text")
        }
        if text.allSatisfy(\.isWhitespace) {
            file = nil
            entries = [:]
            everyEntry = []
            return
        }
        let file = try YAMLFile(path: displayPath, text: text)
        let root = try file.rootMapping(describedAs: "a mapping of secret names to values, e.g. 'payments-api-key: VALUE'")
        func values(_ mapping: Node.Mapping) throws(WorkspaceError) -> [(String, Node)] {
            var found: [(String, Node)] = []
            for (key, value) in mapping {
                guard let name = key.scalar?.string, (try? SecretName(name)) != nil else {
                    throw file.malformed(key, "expected a secret name (lowercase a-z, 0-9, '.', '_', '-') as the key")
                }
                found.append((name, value))
            }
            return found
        }
        var entries: [String: Node] = [:]
        var every: [(name: String, node: Node)] = []
        var section: [(String, Node)] = []
        for (name, value) in try values(root) {
            guard name == "environments", let sections = value.mapping else {
                entries[name] = value
                every.append((name, value))
                continue
            }
            for (key, body) in sections {
                guard let text = key.scalar?.string, let sectionName = try? EnvironmentName(text), let mapping = body.mapping else {
                    throw file.malformed(
                        key, "expected under 'environments' an environment name mapping secret names to values, e.g. 'staging: { payments-api-key: VALUE }'")
                }
                let sectionValues = try values(mapping)
                every += sectionValues.map { (name: $0.0, node: $0.1) }
                if sectionName == environment { section = sectionValues }
            }
        }
        for (name, value) in section { entries[name] = value }
        self.file = file
        self.entries = entries
        everyEntry = every
    }

    package init(workspace: Workspace) throws(WorkspaceError) {
        try self.init(path: workspace.localSecretsPath, displayPath: workspace.relative(workspace.localSecretsPath), environment: workspace.environment)
    }

    /// Every value in the file, every section included, for the leak check; values that are
    /// not strings are skipped.
    package func everyValue() -> [(name: String, value: SecretBytes)] {
        everyEntry.compactMap { entry in
            guard let scalar = entry.node.scalar, !scalar.string.isEmpty else { return nil }
            return (entry.name, SecretBytes(copying: Array(scalar.string.utf8)))
        }
    }

    package var names: [String] { entries.keys.sorted() }

    /// The value for `name`, or nil when the file does not hold it.
    package func value(for name: SecretName) throws(WorkspaceError) -> SecretBytes? {
        guard let node = entries[name.rawValue], let file else { return nil }
        guard let scalar = node.scalar else {
            throw file.malformed(node, "expected the value of '\(name)' to be a string")
        }
        return SecretBytes(copying: Array(scalar.string.utf8))
    }

    /// Where `name` is written, for messages.
    package func location(of name: SecretName) -> SourceLocation? {
        guard let node = entries[name.rawValue], let file else { return nil }
        return file.location(of: node)
    }
}
