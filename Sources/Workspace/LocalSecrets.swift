import FoundationEssentials
import Sealing
import Yams

/// `.journey/local-secrets.yaml`: values for local runs, git-ignored, a flat mapping of secret
/// name to value:
///
/// ```yaml
/// payments-api-key: sk_test_…
/// slack-token: xoxb-…
/// ```
///
/// Only the names asked for are copied into `SecretBytes`. Messages about the file name keys
/// and positions, never values.
package struct LocalSecrets {
    package let path: String
    private let file: YAMLFile?
    private let entries: [String: Node]

    /// Reads the file if it exists; a missing file holds no values.
    package init(path: String, displayPath: String) throws(WorkspaceError) {
        self.path = displayPath
        guard FileManager.default.fileExists(atPath: path) else {
            file = nil
            entries = [:]
            return
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .io(path: displayPath, reason: "cannot read it as UTF-8 text")
        }
        if text.allSatisfy(\.isWhitespace) {
            file = nil
            entries = [:]
            return
        }
        let file = try YAMLFile(path: displayPath, text: text)
        let root = try file.rootMapping(describedAs: "a mapping of secret names to values, e.g. 'payments-api-key: VALUE'")
        var entries: [String: Node] = [:]
        for (key, value) in root {
            guard let name = key.scalar?.string, (try? SecretName(name)) != nil else {
                throw file.malformed(key, "expected a secret name (lowercase a-z, 0-9, '.', '_', '-') as the key")
            }
            entries[name] = value
        }
        self.file = file
        self.entries = entries
    }

    package init(workspace: Workspace) throws(WorkspaceError) {
        try self.init(path: workspace.localSecretsPath, displayPath: workspace.relative(workspace.localSecretsPath))
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
