import Foundation
import Sealing
import Workspace

/// The values this machine knows for a workspace's secret names (DESIGN §7): environment
/// variables named from the secret names, `.journey/local-secrets.yaml`, and the sealed store
/// when a private key is at hand. Each value goes straight into wiped memory.
package enum KnownValueSources {
    /// Every known value; a source that cannot be read is reported to `note` (never a value)
    /// and the scan goes on with the others.
    package static func load(for workspace: Workspace, keyFile: String?, maximumFileSize: Int = .max, note: (String) -> Void) -> [KnownSecret] {
        var names = Set(workspace.everyEnvironment().flatMap { (try? $0.secretNames()) ?? [] })
        for use in SecretUses.scan(workspace, maximumFileSize: maximumFileSize) {
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
        for store in workspace.environment == nil ? workspace.everyEnvironment() : [workspace] {
            known += sealedValues(store, keyFile: keyFile, note: note)
        }
        return known
    }

    /// `.journey/local-secrets.yaml`, through the same loader local runs use.
    private static func localFileValues(_ workspace: Workspace, note: (String) -> Void) -> [KnownSecret] {
        let file: LocalSecrets
        do { file = try LocalSecrets(workspace: workspace) } catch {
            note("the values in \(workspace.relative(workspace.localSecretsPath)) are not checked: \(error)")
            return []
        }
        var known: [KnownSecret] = []
        for (name, value) in file.everyValue() {
            known.append(KnownSecret(name: name, source: file.path, value: value))
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
