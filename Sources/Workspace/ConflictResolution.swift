import Diagnostics
import FileIO
import Foundation
import Sealing

/// Which side of a merge conflict to keep.
package enum MergeSide: String, Sendable {
    case ours, theirs
}

extension Workspace {
    /// Settles a sealed file a merge left conflicted: opens the value of `side` with `key` and
    /// seals it again, for the current recipients, at one more than the higher of the two
    /// versions, so every clone and runner sees a version newer than either side's.
    @discardableResult
    package func resolveConflict(_ name: SecretName, keeping side: MergeSide, with key: PrivateKey) throws(WorkspaceError) -> SealedFile {
        let held = try lock(name.rawValue)
        defer { withExtendedLifetime(held) {} }
        let path = sealedPath(name)
        let text: String
        do throws(FileIOError) {
            text = String(decoding: try SmallFile.read(path), as: UTF8.self)
        } catch .cannotOpen(_, let code) where code == ENOENT {
            throw unknownSecret(name)
        } catch {
            throw .io(path: relative(path), reason: error.reason)
        }
        guard MergeConflictText.isConflicted(text) else {
            throw .io(
                path: relative(path), reason: "has no merge conflict to resolve; 'journey secret show \(ShellWord.quoted(name.rawValue))' shows its version")
        }
        guard let sides = MergeConflictText.sides(text) else {
            throw .unresolvedMerge(
                path: relative(path), detail: "its conflict markers do not pair up",
                fix: "take one side from git ('git checkout --ours -- \(ShellWord.quoted(relative(path)))' or '--theirs'), then 'git add' it")
        }
        let chosen = try SealedFile.parse(path: relative(path) + " (\(side.rawValue))", text: side == .ours ? sides.ours : sides.theirs, expectedName: name)
        let other = try? SealedFile.parse(path: relative(path), text: side == .ours ? sides.theirs : sides.ours, expectedName: name)
        guard chosen.environment == environment else {
            throw .wrongEnvironment(secret: name.rawValue, path: relative(path), sealedFor: chosen.environment?.rawValue, expected: environment?.rawValue)
        }
        let value: SecretBytes
        do {
            value = try SecretBox.open(chosen.sealed, context: chosen.context(workspaceID: config.id), with: key)
        } catch {
            throw openError(name, error)
        }
        let version = max(chosen.version, other?.version ?? 0) + 1
        return try write(name, value: value, description: chosen.description, version: version)
    }
}
