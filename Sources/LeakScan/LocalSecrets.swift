import Foundation
import Sealing
import Workspace
import Yams

/// The values this machine knows for a workspace's secret names (DESIGN §7): environment
/// variables named from the secret names, `.journey/local-secrets.yaml`, and the sealed store
/// when a private key is at hand. Each value goes straight into wiped memory.
public enum LocalSecrets {
    /// Every known value; a source that cannot be read is reported to `note` (never a value)
    /// and the scan goes on with the others.
    public static func load(for workspace: Workspace, keyFile: String?, note: (String) -> Void) -> [KnownSecret] {
        var names = Set((try? workspace.secretNames()) ?? [])
        for use in SecretUses.scan(workspace) {
            if let name = try? SecretName(use.secret) { names.insert(name) }
        }
        var known: [KnownSecret] = []
        for name in names.sorted() {
            let variable = name.environmentVariable(prefix: workspace.config.envPrefix)
            if let pointer = getenv(variable) {
                let length = strlen(pointer)
                if length > 0 {
                    let value = SecretBytes(count: length) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: length)) }
                    known.append(KnownSecret(name: name.rawValue, source: "$\(variable)", value: value))
                }
            }
        }
        known += localFileValues(workspace, note: note)
        known += sealedValues(workspace, keyFile: keyFile, note: note)
        return known
    }

    /// `.journey/local-secrets.yaml`: a mapping of secret name to value.
    private static func localFileValues(_ workspace: Workspace, note: (String) -> Void) -> [KnownSecret] {
        let path = workspace.localSecretsPath
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let file: YAMLFile
        do { file = try YAMLFile.load(path) } catch {
            note("cannot read \(workspace.relative(path)) for known values: \(error)")
            return []
        }
        guard let mapping = file.root.mapping else {
            note("\(workspace.relative(path)) is not a mapping of secret name to value; its values are not checked")
            return []
        }
        var known: [KnownSecret] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string, let text = value.scalar?.string, !text.isEmpty else { continue }
            known.append(KnownSecret(name: name, source: workspace.relative(path), value: SecretBytes(copying: Array(text.utf8))))
        }
        return known
    }

    /// Sealed values, when a key opens them; without a key this source is skipped silently.
    private static func sealedValues(_ workspace: Workspace, keyFile: String?, note: (String) -> Void) -> [KnownSecret] {
        guard let names = try? workspace.secretNames(), !names.isEmpty else { return [] }
        let key: PrivateKey
        do {
            key = try KeySource.load(keyFile: keyFile, recipients: (try? workspace.recipients()) ?? [])
        } catch {
            if case .noKey = error { return [] }
            note("sealed values are not checked: \(error)")
            return []
        }
        var known: [KnownSecret] = []
        for name in names {
            do {
                let opened = try workspace.openSecret(name, with: key)
                known.append(KnownSecret(name: name.rawValue, source: "the sealed store", value: opened.value))
            } catch {
                if case .cannotOpen = error { continue }  // not a recipient of this one: nothing to compare
                note("sealed value of '\(name)' is not checked: \(error)")
            }
        }
        return known
    }
}
