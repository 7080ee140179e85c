import Foundation
import Sealing
import Yams

/// One `secrets/<name>.sealed` file: clear metadata plus the sealed value (docs/FORMAT.md).
public struct SealedFile: Sendable, Equatable {
    public var name: SecretName
    public var description: String
    public var version: Int
    /// ISO 8601, UTC.
    public var updated: String
    /// Recipient names beside each wrap, for people reading the file; opening uses key ids only.
    public var recipientNames: [KeyID: String]
    public var sealed: SealedValue

    public init(name: SecretName, description: String, version: Int, updated: String, recipientNames: [KeyID: String], sealed: SealedValue) {
        self.name = name
        self.description = description
        self.version = version
        self.updated = updated
        self.recipientNames = recipientNames
        self.sealed = sealed
    }

    public func context(workspaceID: String) -> SealContext {
        SealContext(workspaceID: workspaceID, name: name.rawValue, version: version)
    }

    static let allowedKeys: Set<String> = ["format", "name", "description", "version", "updated", "recipients", "nonce", "ciphertext"]

    /// Parses a sealed file, checking every field's shape; the name inside must match the file name.
    public static func parse(_ file: YAMLFile, expectedName: SecretName? = nil) throws(WorkspaceError) -> SealedFile {
        let root = try file.rootMapping(describedAs: "a sealed secret")
        try file.rejectUnknownKeys(root, allowed: allowedKeys, in: "a sealed file")
        let format = try file.requiredString("format", in: root, at: file.root)
        guard format == SealContext.formatTag else {
            throw file.malformed(root["format"]!, "unsupported format '\(WorkspaceError.printable(format))'; expected '\(SealContext.formatTag)' (a newer journey may have written it)")
        }
        let nameText = try file.requiredString("name", in: root, at: file.root)
        let name: SecretName
        do { name = try SecretName(nameText) } catch { throw file.malformed(root["name"]!, error.description) }
        if let expectedName, expectedName != name {
            throw file.malformed(root["name"]!, "the file says it holds '\(name)' but is named '\(expectedName).sealed'; sealed files cannot be renamed (seal the value again with 'journey secret add \(expectedName)')")
        }
        let description = try file.string("description", in: root, at: file.root) ?? ""
        let versionText = try file.requiredString("version", in: root, at: file.root)
        guard let version = Int(versionText), version >= 1, version < Int.max, String(version) == versionText else {
            throw file.malformed(root["version"]!, "expected 'version' to be a whole number ≥ 1")
        }
        let updated = try file.string("updated", in: root, at: file.root) ?? ""
        let nonce = try bytes("nonce", in: root, file: file)
        let ciphertext = try bytes("ciphertext", in: root, file: file)
        guard let listNode = root["recipients"], let list = listNode.sequence, !list.isEmpty else {
            throw file.malformed(root["recipients"] ?? file.root, "expected 'recipients': a non-empty list of {key-id, name, wrapped-key}")
        }
        var wraps: [KeyWrap] = []
        var names: [KeyID: String] = [:]
        for entry in list {
            guard let mapping = entry.mapping else { throw file.malformed(entry, "expected a mapping with key-id, name and wrapped-key") }
            try file.rejectUnknownKeys(mapping, allowed: ["key-id", "name", "wrapped-key"], in: "a sealed file's recipient")
            let idText = try file.requiredString("key-id", in: mapping, at: entry)
            guard let keyID = KeyID(hex: idText) else { throw file.malformed(mapping["key-id"]!, "expected 'key-id' to be 16 lowercase hex digits") }
            names[keyID] = try file.string("name", in: mapping, at: entry) ?? ""
            wraps.append(KeyWrap(keyID: keyID, wrappedKey: try bytes("wrapped-key", in: mapping, file: file, parent: entry)))
        }
        return SealedFile(
            name: name, description: description, version: version, updated: updated, recipientNames: names,
            sealed: SealedValue(nonce: nonce, ciphertext: ciphertext, wraps: wraps))
    }

    private static func bytes(_ key: String, in mapping: Node.Mapping, file: YAMLFile, parent: Node? = nil) throws(WorkspaceError) -> [UInt8] {
        let text = try file.requiredString(key, in: mapping, at: parent ?? file.root)
        guard let data = Data(base64Encoded: text) else {
            throw file.malformed(mapping[key]!, "expected '\(key)' to be standard base64")
        }
        return Array(data)
    }

    /// The canonical text: fixed key order, one line per field, so diffs stay small.
    public func encoded() -> String {
        var text = "# Sealed by journey; do not edit. Rotate with: journey secret update \(name)\n"
        text += "format: \(SealContext.formatTag)\n"
        text += "name: \(name)\n"
        text += "description: \(YAMLText.quoted(description))\n"
        text += "version: \(version)\n"
        text += "updated: \(YAMLText.quoted(updated))\n"
        text += "recipients:\n"
        for wrap in sealed.wraps {
            text += "  - key-id: \(wrap.keyID.hex)\n"
            text += "    name: \(YAMLText.quoted(recipientNames[wrap.keyID] ?? ""))\n"
            text += "    wrapped-key: \(Data(wrap.wrappedKey).base64EncodedString())\n"
        }
        text += "nonce: \(Data(sealed.nonce).base64EncodedString())\n"
        text += "ciphertext: \(Data(sealed.ciphertext).base64EncodedString())\n"
        return text
    }
}
