import Diagnostics
import Foundation
import Sealing
import Synchronization

/// Where a private key comes from, in the order DESIGN §4 gives: `--key-file`, then
/// `JOURNEY_KEY_FILE`, then `JOURNEY_KEY` (the key text), then — for people, never for
/// runners — the user's key folder.
package enum KeySource {
    /// The variables that carry a private key or its path (`JOURNEY_KEY`, `JOURNEY_KEY_FILE`):
    /// no step inherits them and no journey may read them.
    package static let variablePrefix = "JOURNEY_KEY"
    /// The one key variable that holds a path, not key text: it stays in the environment, where
    /// the sandbox reads it to hide the file and `journey ui` hands it to the runs it starts.
    package static let keyFileVariable = "JOURNEY_KEY_FILE"

    /// `JOURNEY_KEY`'s text, taken out of the environment by `takeKeyTextFromEnvironment`.
    private static let environmentKeyText = Mutex<SecretBytes?>(nil)

    /// Takes the key's text out of this process's environment: `JOURNEY_KEY`'s value is copied
    /// into wiped memory, then every `JOURNEY_KEY…` variable but `JOURNEY_KEY_FILE` has its
    /// text overwritten in place (the environment block `/proc/PID/environ` shows) and is
    /// removed (`unsetenv`).
    ///
    /// `journey` calls this before anything else: `ProcessInfo.processInfo.environment` copies
    /// every variable into `String`s that are never wiped, and children started without an
    /// explicit environment inherit this one. Once it has run, neither holds the key's text.
    /// Later calls take whatever was set since (tests set variables in-process).
    package static func takeKeyTextFromEnvironment() {
        var names: [String] = []
        var taken: SecretBytes?
        // `clearenv()` leaves `environ` null, which its imported type does not admit.
        let block: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        guard var entry = block else { return }
        while let variable = entry.pointee {
            entry += 1
            let text = UnsafeMutableRawBufferPointer(start: variable, count: strlen(variable))
            guard let equals = text.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: text[..<equals], as: UTF8.self)
            guard name.hasPrefix(variablePrefix), name != keyFileVariable else { continue }
            let value = UnsafeMutableRawBufferPointer(rebasing: text[(equals + 1)...])
            // The first one, as `getenv` would pick.
            if name == "JOURNEY_KEY", taken == nil, !value.isEmpty { taken = SecretBytes(copying: value) }
            if !value.isEmpty { explicit_bzero(value.baseAddress!, value.count) }
            names.append(name)
        }
        for name in Set(names) { unsetenv(name) }
        if let taken { environmentKeyText.withLock { $0 = taken } }
    }

    /// How far the lookup may go when no key is named.
    package enum Fallback: Sendable {
        /// A person's key: a key in the key folder whose id is among these recipients.
        case keyFolder(recipients: [Recipient])
        /// A runner names its key explicitly and never falls back to a personal key folder.
        case none
    }

    /// The key folder: `$XDG_CONFIG_HOME/journey/keys`, or `~/.config/journey/keys`.
    package static func keyFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let config =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return config + "/journey/keys"
    }

    /// Finds a person's private key: a named one, else a key in the key folder whose id is
    /// among `recipients`.
    package static func load(keyFile: String?, recipients: [Recipient]) throws(KeyLookupError) -> PrivateKey {
        try load(keyFile: keyFile, fallback: .keyFolder(recipients: recipients))
    }

    /// Finds the private key to open with. `JOURNEY_KEY`'s text is taken out of the
    /// environment first (if `journey` has not done so already), so no child inherits it.
    package static func load(keyFile: String?, fallback: Fallback) throws(KeyLookupError) -> PrivateKey {
        takeKeyTextFromEnvironment()
        let environment = ProcessInfo.processInfo.environment
        if let keyFile { return try loadFile(keyFile) }
        if let path = environment[keyFileVariable], !path.isEmpty { return try loadFile(path) }
        if let text = environmentKeyText.withLock({ $0 }) {
            do { return try PrivateKey(text: text) } catch { throw .malformedEnvironmentKey }
        }
        guard case .keyFolder(let recipients) = fallback else { throw .noNamedKey }
        let folder = keyFolder(environment: environment)
        let ids = Set(recipients.map(\.id))
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".key") }.sorted()
        var skipped: [String] = []
        for file in files {
            do {
                let key = try PrivateKey.load(fromFile: folder + "/" + file)
                if ids.contains(key.id) { return key }
            } catch {
                // Said in the error, not skipped silently: a key with a loose mode is the usual one.
                skipped.append(error.description)
            }
        }
        throw .noKey(folder: folder, skipped: skipped)
    }

    private static func loadFile(_ path: String) throws(KeyLookupError) -> PrivateKey {
        do { return try PrivateKey.load(fromFile: path) } catch { throw .key(error) }
    }

    /// Whether a key is named outside the key folder (`--key-file`, `JOURNEY_KEY_FILE`, `JOURNEY_KEY`).
    package static func keyIsNamed(keyFile: String?) -> Bool {
        takeKeyTextFromEnvironment()
        return keyFile != nil || !(ProcessInfo.processInfo.environment[keyFileVariable] ?? "").isEmpty || environmentKeyText.withLock { $0 != nil }
    }
}

package enum KeyLookupError: UserFacingError {
    case key(KeyError)
    case malformedEnvironmentKey
    /// No key of the folder is a recipient; `skipped` says why each unreadable key was passed over.
    case noKey(folder: String, skipped: [String] = [])
    /// The recipients list, needed to pick a key from the key folder, does not read.
    case unreadableRecipients(reason: String)
    /// A runner was given no key: it never falls back to a key folder.
    case noNamedKey

    package var message: String {
        switch self {
        case .key(let error): return error.description
        case .malformedEnvironmentKey:
            return "JOURNEY_KEY does not hold a journey private key: expected the text of a key file ('\(PrivateKey.textPrefix)…')"
        case .noKey(let folder, let skipped):
            let passedOver = skipped.isEmpty ? "" : " (passed over: " + skipped.joined(separator: "; ") + ")"
            return "no private key to open with: pass --key-file FILE, set JOURNEY_KEY_FILE or JOURNEY_KEY, or put a recipient's key in \(folder)\(passedOver)"
        case .unreadableRecipients(let reason):
            return "cannot pick a key from the key folder: \(reason); fix the recipients file, or name the key with --key-file FILE"
        case .noNamedKey:
            return "no private key for the runner: pass --key-file FILE, or set JOURNEY_KEY_FILE (a key file) or JOURNEY_KEY (the key text)"
        }
    }
}
