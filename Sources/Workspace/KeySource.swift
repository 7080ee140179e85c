import Foundation
import Sealing

/// Where a private key comes from, in the order DESIGN §4 gives: `--key-file`, then
/// `JOURNEY_KEY_FILE`, then `JOURNEY_KEY` (the key text), then the user's key folder.
package enum KeySource {
    /// The key folder: `$XDG_CONFIG_HOME/journey/keys`, or `~/.config/journey/keys`.
    package static func keyFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let config =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return config + "/journey/keys"
    }

    /// Finds the private key to open with. `JOURNEY_KEY` is removed from this process's
    /// environment once read, so no child inherits it. Without an explicit key, a key in the
    /// key folder whose id is among `recipients` is used.
    package static func load(keyFile: String?, recipients: [Recipient]) throws(KeyLookupError) -> PrivateKey {
        let environment = ProcessInfo.processInfo.environment
        if let keyFile { return try loadFile(keyFile) }
        if let path = environment["JOURNEY_KEY_FILE"], !path.isEmpty { return try loadFile(path) }
        if let text = takeKeyFromEnvironment() {
            do { return try PrivateKey(text: text) } catch { throw .malformedEnvironmentKey }
        }
        let folder = keyFolder(environment: environment)
        let ids = Set(recipients.map(\.id))
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".key") }.sorted()
        for file in files {
            if let key = try? PrivateKey.load(fromFile: folder + "/" + file), ids.contains(key.id) { return key }
        }
        throw .noKey(folder: folder)
    }

    private static func loadFile(_ path: String) throws(KeyLookupError) -> PrivateKey {
        do { return try PrivateKey.load(fromFile: path) } catch { throw .key(error) }
    }

    /// Copies `JOURNEY_KEY` into a wiped buffer and removes it from the environment.
    private static func takeKeyFromEnvironment() -> SecretBytes? {
        guard let pointer = getenv("JOURNEY_KEY") else { return nil }
        let length = strlen(pointer)
        let text = SecretBytes(count: length) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: length)) }
        memset(pointer, 0, length)
        unsetenv("JOURNEY_KEY")
        return length == 0 ? nil : text
    }
}

package enum KeyLookupError: Error, CustomStringConvertible {
    case key(KeyError)
    case malformedEnvironmentKey
    case noKey(folder: String)

    package var description: String {
        switch self {
        case .key(let error): return error.description
        case .malformedEnvironmentKey:
            return "JOURNEY_KEY does not hold a journey private key: expected the text of a key file ('\(PrivateKey.textPrefix)…')"
        case .noKey(let folder):
            return "no private key to open with: pass --key-file FILE, set JOURNEY_KEY_FILE or JOURNEY_KEY, or put a recipient's key in \(folder)"
        }
    }
}
