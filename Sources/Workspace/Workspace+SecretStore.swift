import Diagnostics
import FileIO
import Foundation
import Sealing

/// The sealed store: `recipients.yaml` and one `<name>.sealed` per secret, in `secrets/` (the
/// flat layout) or in the chosen environment's `secrets/<env>/`.
extension Workspace {
    // MARK: Recipients

    package func recipients() throws(WorkspaceError) -> [Recipient] {
        try recipientsContents().recipients
    }

    /// The recipients and the removed keys whose versions are not rotated yet.
    package func recipientsContents() throws(WorkspaceError) -> RecipientsFile.Contents {
        try requireEnvironmentChosen()
        guard FileManager.default.fileExists(atPath: recipientsPath) else { return .init() }
        let file = try YAMLFile.loadUnlessConflicted(recipientsPath, reportedAs: relative(recipientsPath)) { _ in
            WorkspaceError.unresolvedMerge(
                path: relative(recipientsPath), detail: "a recipient holds a different key on each side of the merge",
                fix: "keep the right key between the markers (ask that person which is theirs), delete the markers, then 'git add \(relative(recipientsPath))'")
        }
        return try RecipientsFile.parseContents(file)
    }

    /// Adds a recipient; refuses a name that breaks `RecipientName`'s rule, and a duplicate
    /// name or key.
    package func addRecipient(name: String, key: PublicKey) throws(WorkspaceError) {
        try editRecipients().add(name: name, key: key)
    }

    /// Removes a recipient and returns it, with the secrets it could open (to be rotated).
    package func removeRecipient(name: String) throws(WorkspaceError) -> (removed: Recipient, readable: [SecretName]) {
        try editRecipients().remove(name: name)
    }

    /// `recipients.yaml`, read once under its write lock, to change: see `RecipientsEdit`.
    package func editRecipients() throws(WorkspaceError) -> RecipientsEdit {
        let held = try lock(".recipients")  // a name no secret can have: rekey holds this and every secret's lock
        return RecipientsEdit(store: self, lock: held, contents: try recipientsContents())
    }

    /// `removed` with `records` merged in (by key id), keeping only versions still current (the
    /// nonce `currentNonce` gives for the secret): a rotated or deleted secret no longer needs
    /// a record.
    func recording(_ records: [RemovedRecipient], into removed: [RemovedRecipient], currentNonce: (String) -> String?) -> [RemovedRecipient] {
        var merged = RemovedRecipient.union(removed, records)
        for index in merged.indices {
            merged[index].couldOpen = merged[index].couldOpen.filter { currentNonce($0.secret) == $0.nonce }
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
        try requireEnvironmentChosen()
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
        try requireEnvironmentChosen()
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
            throw unknownSecret(name)
        } catch {
            throw .io(path: relative(path), reason: error.reason)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .io(path: relative(path), reason: "cannot read it as UTF-8 text")
        }
        if MergeConflictText.isConflicted(text) { throw conflictError(name, text: text) }
        let file = try SealedFile.parse(path: relative(path), text: text, expectedName: name)
        // The folder decides the environment: a file sealed for another one (or a version 1
        // file inside an environment, or a version 2 file in the flat layout) is refused here,
        // before any key is used. An edited `environment:` field fails the AEAD instead.
        guard file.environment == environment else {
            throw .wrongEnvironment(secret: name.rawValue, path: relative(path), sealedFor: file.environment?.rawValue, expected: environment?.rawValue)
        }
        return file
    }

    /// No sealed file for `name`: names the closest existing secret when it looks like a typo.
    package func unknownSecret(_ name: SecretName) -> WorkspaceError {
        let path = relative(sealedPath(name))
        let known = ((try? secretNames()) ?? []).map(\.rawValue)
        if let closest = NameSuggestion.closest(to: name.rawValue, among: known) {
            return .misspelledSecret(name.rawValue, path: path, closest: closest)
        }
        return .unknownSecret(name.rawValue, path: path)
    }

    /// A sealed file a merge left with both sides in it, named, with the command that settles it.
    func conflictError(_ name: SecretName, text: String) -> WorkspaceError {
        let versions = MergeConflictText.sides(text).map { sides in
            [sides.ours, sides.theirs].map { (try? SealedFile.parse(path: "", text: $0))?.version.description ?? "?" }
        }
        let detail =
            versions.map { "both sides changed secret '\(name)' (version \($0[0]) here, version \($0[1]) on the merged side)" }
            ?? "secret '\(name)' has git conflict markers"
        return .unresolvedMerge(
            path: relative(sealedPath(name)), detail: detail,
            fix:
                "keep one value with 'journey secret resolve \(ShellWord.quoted(name.rawValue))\(envFlag) --ours' or 'journey secret resolve \(ShellWord.quoted(name.rawValue))\(envFlag) --theirs' (it is sealed again at the next version)"
        )
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
        let (held, current) = try beginRotation(name)
        defer { withExtendedLifetime(held) {} }
        return try write(name, value: value, description: description ?? current.description, version: current.version + 1, beforeRename: beforeRename)
    }

    /// Rotates a secret whose new value `value` gives once the current file is read (once,
    /// under the secret's write lock): a command asks for the value only for a secret that
    /// exists, and says which version it replaced. An error thrown by `value` leaves the file
    /// as it was.
    ///
    /// The lock is taken only once `value` has returned: a person typing a value could
    /// otherwise hold it for minutes, and with it a `secret rekey --all` (and every
    /// `keys add`/`remove` waiting behind that). Every writer replaces a sealed file by rename,
    /// so the file is the one read exactly when its device, inode, size and change time are
    /// unchanged; if another command rotated it meanwhile, nothing is written and the error
    /// says to run the update again.
    package func updateSecret(_ name: SecretName, description: String? = nil, value: (SealedFile) throws -> SecretBytes) throws -> (
        previous: SealedFile, file: SealedFile
    ) {
        let path = sealedPath(name)
        let seen = Self.fileStamp(path)
        let current = try readSealed(name)
        try Self.requireSuccessor(name, current)
        let newValue = try value(current)
        let held = try lock(name.rawValue)
        defer { withExtendedLifetime(held) {} }
        guard let seen, Self.fileStamp(path) == seen else {
            throw WorkspaceError.cannotSeal(
                secret: name.rawValue,
                reason:
                    "another command changed \(relative(path)) while the value was being read (it was version \(current.version)); nothing was written: run 'journey secret update \(ShellWord.quoted(name.rawValue))\(envFlag)' again"
            )
        }
        let file = try write(name, value: newValue, description: description ?? current.description, version: current.version + 1)
        return (current, file)
    }

    /// What tells one version of a file from the next (each write is a new file renamed into
    /// place); nil when there is no file.
    private static func fileStamp(_ path: String) -> [Int]? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return [Int(status.st_dev), Int(status.st_ino), Int(status.st_size), Int(status.st_ctim.tv_sec), Int(status.st_ctim.tv_nsec)]
    }

    /// Takes the secret's write lock and reads its current file, refusing one at the last
    /// version: readers refuse 2⁶³ − 1 (it has no successor), so an update that would reach it
    /// is refused here instead of leaving a file no one can open.
    private func beginRotation(_ name: SecretName) throws(WorkspaceError) -> (FileLock, SealedFile) {
        let held = try lock(name.rawValue)
        let current = try readSealed(name)
        try Self.requireSuccessor(name, current)
        return (held, current)
    }

    /// Refuses a file at the last version: readers refuse 2⁶³ − 1 (it has no successor).
    private static func requireSuccessor(_ name: SecretName, _ current: SealedFile) throws(WorkspaceError) {
        guard current.version < SealedFile.maximumVersion else {
            throw .cannotSeal(
                secret: name.rawValue,
                reason:
                    "it is at version \(current.version), the last a sealed file can carry (2⁶³ − 2), so an update would make it unreadable; start it over with 'journey secret remove \(ShellWord.quoted(name.rawValue))' and 'journey secret add \(ShellWord.quoted(name.rawValue))' (version 1)"
            )
        }
    }

    func write(_ name: SecretName, value: SecretBytes, description: String, version: Int, beforeRename: () throws -> Void = {}) throws(WorkspaceError)
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
        try SealedFile.checkDescription(description, path: relative(path))
        let recipients = try recipients()
        let sealed: SealedValue
        do {
            sealed = try SecretBox.seal(
                value, context: SealContext(workspaceID: config.id, environment: environment?.rawValue, name: name.rawValue, version: version),
                recipients: recipients.map(\.key))
        } catch .noRecipients where environment != nil {
            throw .cannotSeal(
                secret: name.rawValue,
                reason:
                    "environment '\(environment?.rawValue ?? "")' has no recipients to seal for; add one with 'journey keys generate NAME\(envFlag)' or 'journey keys add NAME PUBKEY\(envFlag)'"
            )
        } catch {
            throw .cannotSeal(secret: name.rawValue, reason: error.description)
        }
        let file = SealedFile(
            name: name, environment: environment, description: description, version: version, updated: Timestamp.now(),
            recipientNames: Dictionary(recipients.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first }), sealed: sealed)
        try writeAtomically(Array(file.encoded().utf8), to: path, beforeRename: beforeRename)
        return file
    }

    /// Re-wraps the data key of `name` for the current recipients; the ciphertext and version
    /// stay, so only the recipients block of the file changes.
    @discardableResult
    package func rekeySecret(_ name: SecretName, with key: PrivateKey) throws(WorkspaceError) -> SealedFile {
        try editRecipients().rekey([name], with: key)[0].outcome.get().after
    }

    package func removeSecret(_ name: SecretName) throws(WorkspaceError) {
        try requireEnvironmentChosen()
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
        return (try openSecret(name, from: file, with: key), file)
    }

    /// Decrypts `file`, the sealed file of `name` as `readSealed` returned it: a caller that has
    /// checked the file (the runner checks its version) opens exactly what it checked.
    package func openSecret(_ name: SecretName, from file: SealedFile, with key: PrivateKey) throws(WorkspaceError) -> SecretBytes {
        do {
            return try SecretBox.open(file.sealed, context: file.context(workspaceID: config.id), with: key)
        } catch {
            throw openError(name, error)
        }
    }

    func openError(_ name: SecretName, _ error: SealingError) -> WorkspaceError {
        let path = relative(sealedPath(name))
        let fix: String
        switch error {
        case .notARecipient(let keyID, let ids):
            // Name people, not only key ids: recipients.yaml first, then the names the file carries.
            let listed = Dictionary(((try? recipients()) ?? []).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let carried = (try? readSealed(name))?.recipientNames ?? [:]
            func named(_ id: KeyID) -> String { (listed[id] ?? carried[id]).map { "'\(WorkspaceError.printable($0))' (key id \(id))" } ?? "key id \(id)" }
            let holders = ids.map(named).joined(separator: ", ")
            let yours = (listed[keyID] ?? carried[keyID]) == nil ? "key id \(keyID)" : "key \(named(keyID))"
            let reason = "the \(yours) is not a recipient; it opens with: \(holders.isEmpty ? "no key" : holders)"
            return .cannotOpen(
                secret: name.rawValue, path: path, reason: reason,
                fix:
                    "ask one of them to add your key ('journey keys request YOUR-NAME' prints the 'journey keys add …' line to send them) and run 'journey secret rekey \(ShellWord.quoted(name.rawValue))\(envFlag)'"
            )
        case .authenticationFailed:
            // The key opened its wrap, so the value is bound to other associated data: the
            // workspace id (edited in workspace.yaml), or the file was altered.
            fix =
                "the workspace id \(config.id) in \(relative(configPath)), the secret's name and its version are bound into the sealed value: if the id in \(relative(configPath)) was changed after sealing, restore it (see 'git log -p \(ShellWord.quoted(relative(configPath)))'); otherwise the file was altered: restore it from git ('git checkout -- \(ShellWord.quoted(path))') or seal the value again with 'journey secret update \(ShellWord.quoted(name.rawValue))\(envFlag)'"
        case .badPadding, .wrapDidNotOpen:
            fix =
                "restore the file from git ('git checkout -- \(ShellWord.quoted(path))') or seal the value again with 'journey secret update \(ShellWord.quoted(name.rawValue))\(envFlag)'"
        default:
            fix = "seal the value again with 'journey secret update \(ShellWord.quoted(name.rawValue))\(envFlag)'"
        }
        return .cannotOpen(secret: name.rawValue, path: path, reason: error.description, fix: fix)
    }
}
