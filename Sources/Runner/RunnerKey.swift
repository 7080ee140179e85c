import Foundation
import Sealing
import Workspace

/// The runner's private key. Runners name their key explicitly — `--key-file`, else
/// `JOURNEY_KEY_FILE`, else `JOURNEY_KEY` (the key text) — and never fall back to a personal
/// key folder.
package enum RunnerKey {
    package static func load(keyFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PrivateKey {
        let named =
            keyFile != nil
            || !(environment["JOURNEY_KEY_FILE"] ?? "").isEmpty
            || !(environment["JOURNEY_KEY"] ?? "").isEmpty
        guard named else { throw RunnerError.noKey }
        defer { scrubKeyText() }
        return try KeySource.load(keyFile: keyFile, recipients: [])
    }

    /// `KeySource.load` removes `JOURNEY_KEY` when it reads it; when the key came from a file
    /// instead, the variable may still be set. Either way it must not reach a step: overwrite
    /// the text in place and remove the variable.
    static func scrubKeyText() {
        guard let pointer = getenv("JOURNEY_KEY") else { return }
        memset(pointer, 0, strlen(pointer))
        unsetenv("JOURNEY_KEY")
    }
}
