import FileIO
import Foundation
import Sealing

/// The sealed store: `secrets/recipients.yaml` and one `secrets/<name>.sealed` per secret.
extension Workspace {
    // MARK: Recipients

    package func recipients() throws(WorkspaceError) -> [Recipient] {
        guard FileManager.default.fileExists(atPath: recipientsPath) else { return [] }
        return try RecipientsFile.parse(YAMLFile.load(recipientsPath))
    }

    /// Adds a recipient; refuses a duplicate name or key.
    package func addRecipient(name: String, key: PublicKey) throws(WorkspaceError) {
        guard !name.isEmpty, !name.contains(where: { $0.isNewline }) else {
            throw .malformed(SourceLocation(file: relative(recipientsPath)), expected: "a recipient name must be one non-empty line")
        }
        let held = try lock("recipients")
        defer { withExtendedLifetime(held) {} }
        var list = try recipients()
        guard !list.contains(where: { $0.name == name }) else { throw .recipientExists(name, path: relative(recipientsPath)) }
        if let same = list.first(where: { $0.key == key }) {
            throw .recipientExists(same.name, path: relative(recipientsPath))
        }
        list.append(Recipient(name: name, key: key, added: Timestamp.now()))
        try writeAtomically(Array(RecipientsFile.encode(list).utf8), to: recipientsPath)
    }

    /// Removes a recipient and returns it, with the secrets it could open (to be rotated).
    package func removeRecipient(name: String) throws(WorkspaceError) -> (removed: Recipient, readable: [SecretName]) {
        let held = try lock("recipients")
        defer { withExtendedLifetime(held) {} }
        var list = try recipients()
        guard let index = list.firstIndex(where: { $0.name == name }) else { throw .unknownRecipient(name, path: relative(recipientsPath)) }
        let removed = list.remove(at: index)
        var readable: [SecretName] = []
        for secret in try secretNames() where try readSealed(secret).sealed.wraps.contains(where: { $0.keyID == removed.id }) {
            readable.append(secret)
        }
        try writeAtomically(Array(RecipientsFile.encode(list).utf8), to: recipientsPath)
        return (removed, readable)
    }

    // MARK: Reading

    package func sealedPath(_ name: SecretName) -> String {
        secretsFolder + "/" + name.rawValue + "." + Self.sealedExtension
    }

    /// Every secret name with a sealed file, sorted.
    package func secretNames() throws(WorkspaceError) -> [SecretName] {
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: secretsFolder) } catch {
            if !FileManager.default.fileExists(atPath: secretsFolder) { return [] }
            throw .io(path: relative(secretsFolder), reason: "cannot list the folder")
        }
        return entries.compactMap { entry in
            guard entry.hasSuffix("." + Self.sealedExtension), !entry.hasPrefix(".") else { return nil }
            return try? SecretName(String(entry.dropLast(Self.sealedExtension.count + 1)))
        }.sorted()
    }

    package func hasSecret(_ name: SecretName) -> Bool {
        FileManager.default.fileExists(atPath: sealedPath(name))
    }

    /// Reads and checks one sealed file (no decryption).
    package func readSealed(_ name: SecretName) throws(WorkspaceError) -> SealedFile {
        let path = sealedPath(name)
        var status = stat()
        if stat(path, &status) == 0, Int(status.st_size) > SealedFile.maximumFileBytes {
            throw .malformed(
                SourceLocation(file: relative(path)),
                expected:
                    "a sealed file of at most \(SealedFile.maximumFileBytes) bytes (this one has \(status.st_size)); restore it from git or seal the value again"
            )
        }
        let bytes: [UInt8]
        do throws(FileIOError) {
            bytes = try SmallFile.read(path)
        } catch .cannotOpen(_, let code) where code == ENOENT {
            throw .unknownSecret(name.rawValue, path: relative(path))
        } catch {
            throw .io(path: relative(path), reason: error.reason)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .io(path: relative(path), reason: "cannot read it as UTF-8 text")
        }
        return try SealedFile.parse(path: relative(path), text: text, expectedName: name)
    }

    // MARK: Writing

    /// Seals `value` as a new secret, version 1. Needs only the recipients' public keys.
    @discardableResult
    package func addSecret(_ name: SecretName, value: SecretBytes, description: String) throws(WorkspaceError) -> SealedFile {
        let held = try lock(name.rawValue)
        defer { withExtendedLifetime(held) {} }
        guard !hasSecret(name) else { throw .secretExists(name.rawValue, path: relative(sealedPath(name))) }
        return try write(name, value: value, description: description, version: 1)
    }

    /// Rotates a secret: a new value under a fresh data key, version + 1, for the current
    /// recipients. `beforeRename` is passed to `AtomicFile.write` (tests interrupt it there).
    @discardableResult
    package func updateSecret(_ name: SecretName, value: SecretBytes, description: String? = nil, beforeRename: () throws -> Void = {}) throws(WorkspaceError)
        -> SealedFile
    {
        let held = try lock(name.rawValue)
        defer { withExtendedLifetime(held) {} }
        let current = try readSealed(name)
        return try write(name, value: value, description: description ?? current.description, version: current.version + 1, beforeRename: beforeRename)
    }

    private func write(_ name: SecretName, value: SecretBytes, description: String, version: Int, beforeRename: () throws -> Void = {}) throws(WorkspaceError)
        -> SealedFile
    {
        let path = sealedPath(name)
        try SealedFile.checkDescription(description, path: relative(path))
        let recipients = try recipients()
        let sealed: SealedValue
        do {
            sealed = try SecretBox.seal(
                value, context: SealContext(workspaceID: config.id, name: name.rawValue, version: version), recipients: recipients.map(\.key))
        } catch {
            throw .cannotSeal(secret: name.rawValue, reason: error.description)
        }
        let file = SealedFile(
            name: name, description: description, version: version, updated: Timestamp.now(),
            recipientNames: Dictionary(recipients.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first }), sealed: sealed)
        try writeAtomically(Array(file.encoded().utf8), to: path, beforeRename: beforeRename)
        return file
    }

    /// Re-wraps the data key of `name` for the current recipients; the ciphertext and version
    /// stay, so only the recipients block of the file changes.
    @discardableResult
    package func rekeySecret(_ name: SecretName, with key: PrivateKey) throws(WorkspaceError) -> SealedFile {
        let held = try lock(name.rawValue)
        defer { withExtendedLifetime(held) {} }
        var file = try readSealed(name)
        let recipients = try recipients()
        do {
            file.sealed = try SecretBox.rewrap(file.sealed, context: file.context(workspaceID: config.id), with: key, for: recipients.map(\.key))
        } catch {
            throw openError(name, error)
        }
        file.recipientNames = Dictionary(recipients.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        file.updated = Timestamp.now()
        try writeAtomically(Array(file.encoded().utf8), to: sealedPath(name))
        return file
    }

    package func removeSecret(_ name: SecretName) throws(WorkspaceError) {
        let held = try lock(name.rawValue)
        defer { withExtendedLifetime(held) {} }
        let path = sealedPath(name)
        guard hasSecret(name) else { throw .unknownSecret(name.rawValue, path: relative(path)) }
        guard unlink(path) == 0 else { throw .io(path: relative(path), reason: "cannot remove: \(String(cString: strerror(errno)))") }
    }

    // MARK: Opening

    /// Decrypts one secret with `key`. Errors name the secret and the fix, never the value.
    package func openSecret(_ name: SecretName, with key: PrivateKey) throws(WorkspaceError) -> (value: SecretBytes, file: SealedFile) {
        let file = try readSealed(name)
        do {
            return (try SecretBox.open(file.sealed, context: file.context(workspaceID: config.id), with: key), file)
        } catch {
            throw openError(name, error)
        }
    }

    func openError(_ name: SecretName, _ error: SealingError) -> WorkspaceError {
        let path = relative(sealedPath(name))
        let fix: String
        switch error {
        case .notARecipient:
            fix = "use a private key listed there, or have a holder of one add this key ('journey keys add') and run 'journey secret rekey \(name)'"
        case .authenticationFailed:
            // The key opened its wrap, so the value is bound to other associated data: the
            // workspace id (edited in workspace.yaml), or the file was altered.
            fix =
                "the workspace id \(config.id) in \(relative(configPath)), the secret's name and its version are bound into the sealed value: if the id in \(relative(configPath)) was changed after sealing, restore it (see 'git log -p \(relative(configPath))'); otherwise the file was altered: restore it from git ('git checkout -- \(path)') or seal the value again with 'journey secret update \(name)'"
        case .badPadding, .wrapDidNotOpen:
            fix = "restore the file from git ('git checkout -- \(path)') or seal the value again with 'journey secret update \(name)'"
        default:
            fix = "seal the value again with 'journey secret update \(name)'"
        }
        return .cannotOpen(secret: name.rawValue, path: path, reason: error.description, fix: fix)
    }
}
