import Diagnostics
import FileIO
import Foundation
import Sealing

/// Environments (DESIGN §9): `environments:` in `workspace.yaml`, one store per environment in
/// `secrets/<env>/`.
extension Workspace {
    /// The flat store of this workspace, whatever `workspace.yaml` lists: what
    /// `addEnvironment(_:movingFlatStore:openingWith:)` moves.
    package func flatStore() -> Workspace {
        var flatConfig = config
        flatConfig.environments = []
        return Workspace(root: root, config: flatConfig)
    }

    /// Creates environment `name`: `secrets/<name>/` with a `recipients.yaml`, and the name in
    /// `workspace.yaml`. With `movingFlatStore`, the flat layout's recipients and secrets move
    /// into it: each secret is opened with `key`, sealed again for the environment (format
    /// version 2, same version number) for the flat recipients, which move with them. All or nothing: the new store is built in a
    /// hidden folder beside the others and renamed into place; a failure before the
    /// `workspace.yaml` write leaves the workspace as it was.
    @discardableResult
    package func addEnvironment(_ name: EnvironmentName, movingFlatStore: Bool = false, openingWith key: PrivateKey? = nil) throws(WorkspaceError)
        -> Workspace
    {
        let held = try lock(".environments")
        defer { withExtendedLifetime(held) {} }
        let current = try Workspace(root: root)  // re-read: another process may have added one
        guard !current.config.environments.contains(name) else { throw .environmentExists(name.rawValue) }
        let target = secretsRoot + "/" + name.rawValue
        guard !FileManager.default.fileExists(atPath: target) else {
            throw .io(
                path: relative(target),
                reason: "already exists but workspace.yaml does not list it; move it away, then run 'journey env add \(ShellWord.quoted(name.rawValue))' again")
        }
        let flat = current.flatStore()
        let flatNames = try flat.secretNames()
        if !movingFlatStore, current.config.environments.isEmpty, !flatNames.isEmpty {
            throw .flatSecretsRemain(names: flatNames.map(\.rawValue), environment: name.rawValue)
        }
        if movingFlatStore, key == nil, let first = flatNames.first {
            throw .cannotOpen(
                secret: first.rawValue, path: relative(flat.sealedPath(first)), reason: "no key was given to open it",
                fix: "pass --key-file with a key that opens the flat secrets")
        }

        let building = secretsRoot + "/.\(name).adding-\(Hex.randomID().prefix(8))"
        do {
            try FileManager.default.createDirectory(atPath: building, withIntermediateDirectories: true)
        } catch {
            throw .io(path: relative(building), reason: "cannot create the folder")
        }
        var moved: [String] = []
        do throws(WorkspaceError) {
            let contents = movingFlatStore ? try flat.recipientsContents() : RecipientsFile.Contents()
            let recipients = contents.recipients
            // Sealed again, a value is no less known to a key that could open it before: each
            // version a removed key could open (recorded, or still wrapped for it) stays shown as
            // exposed under its new nonce until it is rotated.
            var exposed = contents.removed.map { RemovedRecipient(name: $0.name, keyID: $0.keyID, removed: $0.removed, couldOpen: []) }
            func expose(_ keyID: KeyID, name: String, _ version: SealedVersion) {
                if let index = exposed.firstIndex(where: { $0.keyID == keyID }) {
                    exposed[index].couldOpen.append(version)
                } else {
                    exposed.append(RemovedRecipient(name: name, keyID: keyID, removed: Timestamp.now(), couldOpen: [version]))
                }
            }
            if movingFlatStore {
                for secret in flatNames {
                    guard let key else { break }  // refused above when there are secrets
                    let (value, file) = try flat.openSecret(secret, with: key)
                    let context = SealContext(workspaceID: config.id, environment: name.rawValue, name: secret.rawValue, version: file.version)
                    let sealed: SealedValue
                    do { sealed = try SecretBox.seal(value, context: context, recipients: recipients.map(\.key)) } catch {
                        throw .cannotSeal(secret: secret.rawValue, reason: error.description)
                    }
                    let names = Dictionary(recipients.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
                    let resealed = SealedFile(
                        name: secret, environment: name, description: file.description, version: file.version, updated: Timestamp.now(),
                        recipientNames: names, sealed: sealed)
                    try writeAtomically(Array(resealed.encoded().utf8), to: building + "/" + secret.rawValue + "." + Self.sealedExtension)
                    for holder in flat.exposure(of: file, in: contents) { expose(holder.keyID, name: holder.name, SealedVersion(resealed)) }
                    moved.append(flat.sealedPath(secret))
                }
                moved.append(flat.recipientsPath)
            }
            let removed = exposed.filter { !$0.couldOpen.isEmpty }
            try writeAtomically(Array(RecipientsFile.encode(recipients, removed: removed).utf8), to: building + "/recipients.yaml")
            guard rename(building, target) == 0 else {
                throw .io(path: relative(target), reason: "cannot move the new store into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: building)
            throw error
        }
        var updated = current.config
        updated.environments = (updated.environments + [name]).sorted()
        do throws(WorkspaceError) {
            try writeAtomically(Array(updated.encoded().utf8), to: configPath)
        } catch {
            try? FileManager.default.removeItem(atPath: target)
            throw error
        }
        // The environment now holds them; the flat copies would never be read again.
        for path in moved { unlink(path) }
        return try Workspace(root: root, environment: name)
    }

    /// What `journey env list` shows for one environment.
    package struct EnvironmentSummary: Sendable {
        package var name: EnvironmentName
        package var recipients: [Recipient]
        package var secrets: [SecretName]
        /// Names journeys that run in this environment reference and it has no sealed file for.
        package var missing: [SecretName]
    }

    /// Every environment with its recipients, secrets and the references it lacks.
    package func environmentSummaries() throws(WorkspaceError) -> [EnvironmentSummary] {
        let journeys = JourneyCatalog(workspace: self).journeys
        var summaries: [EnvironmentSummary] = []
        for store in everyEnvironment() {
            guard let name = store.environment else { continue }
            let secrets = try store.secretNames()
            let referenced = Set(journeys.filter { $0.environments?.contains(name) ?? true }.flatMap(\.secretNames))
            summaries.append(
                EnvironmentSummary(name: name, recipients: try store.recipients(), secrets: secrets, missing: referenced.subtracting(secrets).sorted()))
        }
        return summaries
    }
}

extension Workspace {
    /// ` --env ENV` for the chosen environment, to complete the commands a message suggests.
    package var envFlag: String { environment.map { " --env " + ShellWord.quoted($0.rawValue) } ?? "" }

    /// Refuses to run `journey` in this store's environment when its `environments:` list
    /// leaves that environment out.
    package func checkRunsHere(_ journey: Journey) throws(WorkspaceError) {
        guard let environment, let listed = journey.environments, !listed.contains(environment) else { return }
        throw .journeyNotInEnvironment(journey: journey.name, file: journey.file, environment: environment.rawValue, listed: listed.map(\.rawValue))
    }
}
