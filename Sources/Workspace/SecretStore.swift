import Foundation
import Sealing

/// The sealed store: `secrets/recipients.yaml` and one `secrets/<name>.sealed` per secret.
extension Workspace {
    // MARK: Recipients

    package func recipients() throws(WorkspaceError) -> [Recipient] {
        try recipientsContents().recipients
    }

    /// The recipients and the removed keys whose versions are not rotated yet.
    package func recipientsContents() throws(WorkspaceError) -> RecipientsFile.Contents {
        guard FileManager.default.fileExists(atPath: recipientsPath) else { return .init() }
        return try RecipientsFile.parseContents(YAMLFile.load(recipientsPath))
    }

    /// Adds a recipient; refuses a duplicate name or key.
    package func addRecipient(name: String, key: PublicKey) throws(WorkspaceError) {
        guard !name.isEmpty, !name.contains(where: { $0.isNewline }) else {
            throw .malformed(SourceLocation(file: relative(recipientsPath)), expected: "a recipient name must be one non-empty line")
        }
        let held = try lock("recipients")
        defer { withExtendedLifetime(held) {} }
        let contents = try recipientsContents()
        var list = contents.recipients
        guard !list.contains(where: { $0.name == name }) else { throw .recipientExists(name, path: relative(recipientsPath)) }
        if let same = list.first(where: { $0.key == key }) {
            throw .recipientExists(same.name, path: relative(recipientsPath))
        }
        list.append(Recipient(name: name, key: key, added: Timestamp.now()))
        try AtomicFile.write(RecipientsFile.encode(list, removed: contents.removed), to: recipientsPath)
    }

    /// Removes a recipient and returns it, with the secrets it could open (to be rotated).
    package func removeRecipient(name: String) throws(WorkspaceError) -> (removed: Recipient, readable: [SecretName]) {
        let held = try lock("recipients")
        defer { withExtendedLifetime(held) {} }
        let contents = try recipientsContents()
        var list = contents.recipients
        guard let index = list.firstIndex(where: { $0.name == name }) else { throw .unknownRecipient(name, path: relative(recipientsPath)) }
        let removed = list.remove(at: index)
        var readable: [SecretName] = []
        var versions: [SealedVersion] = []
        for secret in try secretNames() {
            let file = try readSealed(secret)
            guard file.sealed.wraps.contains(where: { $0.keyID == removed.id }) else { continue }
            readable.append(secret)
            versions.append(SealedVersion(file))
        }
        let record = RemovedRecipient(name: removed.name, keyID: removed.id, removed: Timestamp.now(), couldOpen: versions)
        try AtomicFile.write(RecipientsFile.encode(list, removed: recording([record], into: contents.removed)), to: recipientsPath)
        return (removed, readable)
    }

    /// `removed` with `records` merged in (by key id), keeping only versions still current: a
    /// rotated or deleted secret no longer needs a record.
    private func recording(_ records: [RemovedRecipient], into removed: [RemovedRecipient]) -> [RemovedRecipient] {
        var merged = removed
        for record in records {
            if let index = merged.firstIndex(where: { $0.keyID == record.keyID }) {
                for version in record.couldOpen where !merged[index].couldOpen.contains(version) { merged[index].couldOpen.append(version) }
            } else {
                merged.append(record)
            }
        }
        var current: [String: String] = [:]
        for index in merged.indices {
            merged[index].couldOpen = merged[index].couldOpen.filter { version in
                if current[version.secret] == nil, let name = try? SecretName(version.secret), let file = try? readSealed(name) {
                    current[version.secret] = SealedVersion(file).nonce
                }
                return current[version.secret] == version.nonce
            }
        }
        return merged.filter { !$0.couldOpen.isEmpty }
    }

    /// The keys that could open the current version of `file` but are no longer recipients:
    /// still wrapped in it, or recorded when removed or dropped by a re-wrap. Each stays
    /// exposed until the secret is rotated.
    package func exposure(of file: SealedFile, in contents: RecipientsFile.Contents) -> [(name: String, keyID: KeyID)] {
        let current = Set(contents.recipients.map(\.id))
        var exposed: [(name: String, keyID: KeyID)] = []
        for wrap in file.sealed.wraps where !current.contains(wrap.keyID) {
            exposed.append((file.recipientNames[wrap.keyID] ?? "", wrap.keyID))
        }
        let version = SealedVersion(file)
        for entry in contents.removed where !current.contains(entry.keyID) && entry.couldOpen.contains(version) {
            if !exposed.contains(where: { $0.keyID == entry.keyID }) { exposed.append((entry.name, entry.keyID)) }
        }
        return exposed
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
        let text: String
        switch SmallFile.read(path) {
        case .success(let bytes):
            guard let decoded = String(validating: bytes, as: UTF8.self) else {
                throw .io(path: relative(path), reason: "cannot read it as UTF-8 text")
            }
            text = decoded
        case .failure(let error) where error.code == ENOENT:
            throw .unknownSecret(name.rawValue, path: relative(path))
        case .failure(let error):
            throw .io(path: relative(path), reason: String(cString: strerror(error.code)))
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
        // Readers refuse 2⁶³ − 1 (it has no successor): an update that would reach it is refused
        // here instead of leaving a file no one can open.
        guard current.version < SealedFile.maximumVersion else {
            throw .cannotSeal(
                secret: name.rawValue,
                reason:
                    "it is at version \(current.version), the last a sealed file can carry (2⁶³ − 2), so an update would make it unreadable; start it over with 'journey secret remove \(name)' and 'journey secret add \(name)' (version 1)"
            )
        }
        return try write(name, value: value, description: description ?? current.description, version: current.version + 1, beforeRename: beforeRename)
    }

    private func write(_ name: SecretName, value: SecretBytes, description: String, version: Int, beforeRename: () throws -> Void = {}) throws(WorkspaceError)
        -> SealedFile
    {
        let path = sealedPath(name)
        if value.withUnsafeBytes({ $0.contains(0) }) {
            throw .cannotSeal(
                secret: name.rawValue,
                reason:
                    "the value holds a NUL byte; values reach programs as environment variables, which end at the first NUL, so the program would get a cut value and the rest could show unmasked; encode a binary value first (e.g. base64) and decode it where it is used"
            )
        }
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
        try AtomicFile.write(Array(file.encoded().utf8), to: path, beforeRename: beforeRename)
        return file
    }

    /// Re-wraps the data key of `name` for the current recipients; the ciphertext and version
    /// stay, so only the recipients block of the file changes.
    @discardableResult
    package func rekeySecret(_ name: SecretName, with key: PrivateKey) throws(WorkspaceError) -> SealedFile {
        let held = try lock(name.rawValue)
        defer { withExtendedLifetime(held) {} }
        var file = try readSealed(name)
        let before = file
        let recipients = try recipients()
        do {
            file.sealed = try SecretBox.rewrap(file.sealed, context: file.context(workspaceID: config.id), with: key, for: recipients.map(\.key))
        } catch {
            throw openError(name, error)
        }
        file.recipientNames = Dictionary(recipients.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        file.updated = Timestamp.now()
        // Keys this re-wrap drops held the data key: record them before the wraps are gone, so
        // the version stays shown as exposed until it is rotated.
        let kept = Set(file.sealed.wraps.map(\.keyID))
        let dropped = before.sealed.wraps.filter { !kept.contains($0.keyID) }
        if !dropped.isEmpty {
            let heldRecipients = try lock("recipients")
            defer { withExtendedLifetime(heldRecipients) {} }
            let contents = try recipientsContents()
            let records = dropped.map {
                RemovedRecipient(name: before.recipientNames[$0.keyID] ?? "", keyID: $0.keyID, removed: Timestamp.now(), couldOpen: [SealedVersion(before)])
            }
            try AtomicFile.write(RecipientsFile.encode(contents.recipients, removed: recording(records, into: contents.removed)), to: recipientsPath)
        }
        try AtomicFile.write(Array(file.encoded().utf8), to: sealedPath(name))
        return file
    }

    package func removeSecret(_ name: SecretName) throws(WorkspaceError) {
        let held = try lock(name.rawValue)
        defer { withExtendedLifetime(held) {} }
        let path = sealedPath(name)
        guard hasSecret(name) else { throw .unknownSecret(name.rawValue, path: relative(path)) }
        guard unlink(path) == 0 else { throw .io(path: relative(path), reason: "cannot remove: \(lastError())") }
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
        case .authenticationFailed, .badPadding, .wrapDidNotOpen:
            fix = "restore the file from git ('git checkout -- \(path)') or seal the value again with 'journey secret update \(name)'"
        default:
            fix = "seal the value again with 'journey secret update \(name)'"
        }
        return .cannotOpen(secret: name.rawValue, path: path, reason: error.description, fix: fix)
    }
}

/// Timestamps written into files: ISO 8601, UTC, whole seconds.
package enum Timestamp {
    package static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}

/// Whole-file reads with plain system calls: a run reads hundreds of small sealed files, and
/// Foundation's file APIs cost several times more per file.
enum SmallFile {
    struct Errno: Error { var code: Int32 }

    static func read(_ path: String) -> Result<[UInt8], Errno> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(Errno(code: errno)) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return .failure(Errno(code: errno)) }
            if n == 0 { return .success(bytes) }
            bytes += chunk[0..<n]
        }
    }
}
