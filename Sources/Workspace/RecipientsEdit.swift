import FileIO
import Foundation
import Sealing

/// One command's change to a store's `recipients.yaml`: the file read once, under its write
/// lock (held until this value is dropped, so another process's change is never lost), each
/// sealed file read at most once, and every write atomic. `keys add`, `keys remove` and
/// `secret rekey` go through it, and a step that fails leaves the files it had not written yet
/// as they were.
package final class RecipientsEdit {
    package let store: Workspace
    private let held: FileLock
    package private(set) var contents: RecipientsFile.Contents
    private var names: [SecretName]?
    private var sealed: [SecretName: Result<SealedFile, WorkspaceError>] = [:]

    init(store: Workspace, lock: FileLock, contents: RecipientsFile.Contents) {
        self.store = store
        self.held = lock
        self.contents = contents
    }

    package var recipients: [Recipient] { contents.recipients }

    /// The store's secret names, listed once.
    package func secretNames() throws(WorkspaceError) -> [SecretName] {
        if let names { return names }
        let listed = try store.secretNames()
        names = listed
        return listed
    }

    /// One sealed file, read (and checked) once.
    package func sealedFile(_ name: SecretName) throws(WorkspaceError) -> SealedFile {
        if sealed[name] == nil { sealed[name] = Result { () throws(WorkspaceError) in try store.readSealed(name) } }
        return try sealed[name]!.get()
    }

    /// Writes `recipients` and `removed` (default: the records as they are) atomically.
    func write(recipients: [Recipient], removed: [RemovedRecipient]? = nil) throws(WorkspaceError) {
        let updated = RecipientsFile.Contents(recipients: recipients, removed: removed ?? contents.removed)
        try writeAtomically(Array(RecipientsFile.encode(updated.recipients, removed: updated.removed).utf8), to: store.recipientsPath)
        contents = updated
    }

    /// The nonce of a secret's current version, for pruning records of rotated versions.
    private func currentNonce(_ secret: String) -> String? {
        guard let name = try? SecretName(secret), let file = try? sealedFile(name) else { return nil }
        return SealedVersion(file).nonce
    }

    /// The existing records with `records` merged in, pruned of versions no longer current.
    private func recording(_ records: [RemovedRecipient]) -> [RemovedRecipient] {
        store.recording(records, into: contents.removed, currentNonce: currentNonce)
    }

    /// Refuses a name that breaks `RecipientName`'s rule, or a name or key already listed:
    /// what `add` checks, for a caller that has more to do before adding.
    package func checkNew(name: String, key: PublicKey) throws(WorkspaceError) {
        let path = store.relative(store.recipientsPath)
        if let problem = RecipientName.problem(name) { throw .malformed(SourceLocation(file: path), expected: problem) }
        guard !recipients.contains(where: { $0.name == name }) else { throw .recipientExists(name, path: path) }
        if let same = recipients.first(where: { $0.key == key }) { throw .recipientExists(same.name, path: path) }
    }

    /// Adds a recipient, after `checkNew`'s checks.
    package func add(name: String, key: PublicKey) throws(WorkspaceError) {
        try checkNew(name: name, key: key)
        try write(recipients: recipients + [Recipient(name: name, key: key, added: Timestamp.now())])
    }

    /// Takes `name` off the recipients and returns it, with the secrets its key could open
    /// (to be rotated), recorded with their versions under `removed:`.
    package func remove(name: String) throws(WorkspaceError) -> (removed: Recipient, readable: [SecretName]) {
        var list = recipients
        guard let index = list.firstIndex(where: { $0.name == name }) else { throw .unknownRecipient(name, path: store.relative(store.recipientsPath)) }
        let removed = list.remove(at: index)
        var readable: [SecretName] = []
        var versions: [SealedVersion] = []
        for secret in try secretNames() {
            let file = try sealedFile(secret)
            guard file.sealed.wraps.contains(where: { $0.keyID == removed.id }) else { continue }
            readable.append(secret)
            versions.append(SealedVersion(file))
        }
        let record = RemovedRecipient(name: removed.name, keyID: removed.id, removed: Timestamp.now(), couldOpen: versions)
        try write(recipients: list, removed: recording([record]))
        return (removed, readable)
    }

    /// A re-wrapped secret: the file before and after.
    package struct Rewrap: Sendable {
        package var before: SealedFile
        package var after: SealedFile
    }

    /// Re-wraps the data key of each of `names` for the recipients, with `key`; the ciphertext
    /// and version stay, so only a file's recipients block changes. Every secret's write lock
    /// is taken first and held to the end (a rotation meanwhile is never overwritten by an older
    /// version), and each file is read once. One secret's failure is its outcome, not the end
    /// of the others.
    package func rekey(_ requested: [SecretName], with key: PrivateKey) -> [(name: SecretName, outcome: Result<Rewrap, WorkspaceError>)] {
        // Each name once: a second lock on one lock file would wait for the first forever.
        var seen = Set<SecretName>()
        let names = requested.filter { seen.insert($0).inserted }
        var locks: [FileLock] = []
        defer { withExtendedLifetime(locks) {} }
        var outcomes: [(name: SecretName, outcome: Result<Rewrap, WorkspaceError>)] = []
        for name in names {
            do throws(WorkspaceError) {
                locks.append(try store.lock(name.rawValue))
                sealed[name] = nil  // read under its lock, even when listed before
                _ = try sealedFile(name)
            } catch {
                sealed[name] = .failure(error)
            }
        }
        for name in names {
            outcomes.append((name, Result { () throws(WorkspaceError) in try rewrap(name, with: key) }))
        }
        return outcomes
    }

    private func rewrap(_ name: SecretName, with key: PrivateKey) throws(WorkspaceError) -> Rewrap {
        let before = try sealedFile(name)
        var file = before
        do {
            file.sealed = try SecretBox.rewrap(before.sealed, context: before.context(workspaceID: store.config.id), with: key, for: recipients.map(\.key))
        } catch {
            throw store.openError(name, error)
        }
        file.recipientNames = Dictionary(recipients.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        file.updated = Timestamp.now()
        // Keys this re-wrap drops held the data key: record them before the wraps are gone, so
        // the version stays shown as exposed until it is rotated.
        let kept = Set(file.sealed.wraps.map(\.keyID))
        let dropped = before.sealed.wraps.filter { !kept.contains($0.keyID) }
        if !dropped.isEmpty {
            let records = dropped.map {
                RemovedRecipient(name: before.recipientNames[$0.keyID] ?? "", keyID: $0.keyID, removed: Timestamp.now(), couldOpen: [SealedVersion(before)])
            }
            try write(recipients: recipients, removed: recording(records))
        }
        try writeAtomically(Array(file.encoded().utf8), to: store.sealedPath(name))
        sealed[name] = .success(file)
        return Rewrap(before: before, after: file)
    }
}
