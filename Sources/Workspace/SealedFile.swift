import Diagnostics
import FoundationEssentials
import Sealing
import Yams

/// One `secrets/<name>.sealed` file: clear metadata plus the sealed value (docs/FORMAT.md).
package struct SealedFile: Sendable, Equatable {
    package var name: SecretName
    /// The environment it is sealed for (format version 2); nil: version 1, the flat layout.
    package var environment: EnvironmentName?
    package var description: String
    package var version: Int
    /// ISO 8601, UTC.
    package var updated: String
    /// Recipient names beside each wrap, for people reading the file; opening uses key ids only.
    package var recipientNames: [KeyID: String]
    package var sealed: SealedValue

    package init(
        name: SecretName, environment: EnvironmentName? = nil, description: String, version: Int, updated: String, recipientNames: [KeyID: String],
        sealed: SealedValue
    ) {
        self.name = name
        self.environment = environment
        self.description = description
        self.version = version
        self.updated = updated
        self.recipientNames = recipientNames
        self.sealed = sealed
    }

    /// The context it opens under. The store checks `environment` against the folder the file
    /// was read from before opening (`Workspace.readSealed`), so the environment bound here is
    /// the folder's.
    package func context(workspaceID: String) -> SealContext {
        SealContext(workspaceID: workspaceID, environment: environment?.rawValue, name: name.rawValue, version: version)
    }

    /// The largest version a reader accepts: 2⁶³ − 2, so that every version has a successor.
    package static let maximumVersion = Int.max - 1

    /// Bounds on what a sealed file may carry (issue 9: a 100 MB description was printed by
    /// `secret list`). A value is at most `SecretBox.maximumValueSize` (64 KiB); the whole file
    /// leaves room for that and hundreds of recipients.
    package static let maximumFileBytes = 1 << 20
    package static let maximumDescriptionBytes = 1024
    package static let maximumRecipientNameBytes = 256
    package static let maximumUpdatedBytes = 64

    /// Refuses a description over the bound, when sealing.
    package static func checkDescription(_ description: String, path: String) throws(WorkspaceError) {
        guard description.utf8.count <= maximumDescriptionBytes else {
            throw .malformed(
                SourceLocation(file: path),
                expected: "a description of at most \(maximumDescriptionBytes) bytes (this one has \(description.utf8.count)); shorten it")
        }
    }

    static let allowedKeys: Set<String> = ["format", "name", "environment", "description", "version", "updated", "recipients", "nonce", "ciphertext"]
    static let recipientKeys: Set<String> = ["key-id", "name", "wrapped-key"]

    /// Parses a sealed file's text. The canonical layout this tool writes is read by a small
    /// line parser (`CanonicalSealedText`, about 20× faster than composing YAML, which matters
    /// when a run opens hundreds of values); anything else goes through the YAML parser. Both
    /// feed the same checks.
    package static func parse(path: String, text: String, expectedName: SecretName? = nil) throws(WorkspaceError) -> SealedFile {
        if let fields = CanonicalSealedText.fields(of: text) {
            return try validate(fields, path: path, expectedName: expectedName)
        }
        return try parse(YAMLFile(path: path, text: text), expectedName: expectedName)
    }

    /// Parses an already-composed YAML sealed file.
    package static func parse(_ file: YAMLFile, expectedName: SecretName? = nil) throws(WorkspaceError) -> SealedFile {
        try validate(fields(of: file), path: file.path, expectedName: expectedName)
    }

    /// The scalar fields of a YAML sealed file, with positions; shapes other than scalars
    /// where scalars belong are errors here.
    private static func fields(of file: YAMLFile) throws(WorkspaceError) -> SealedFields {
        let root = try file.rootMapping(describedAs: "a sealed secret")
        try file.rejectUnknownKeys(root, allowed: allowedKeys, in: "a sealed file")
        var fields = SealedFields(rootLine: file.root.mark?.line ?? 1)
        for (keyNode, valueNode) in root {
            guard let key = keyNode.scalar?.string, key != "recipients" else { continue }
            guard let scalar = valueNode.scalar else { throw file.malformed(valueNode, "expected '\(key)' to be a string") }
            fields.top[key] = SealedFields.Field(scalar.string, line: valueNode.mark?.line ?? 0, column: valueNode.mark?.column ?? 0)
        }
        if let listNode = root["recipients"] {
            guard let list = listNode.sequence else {
                throw file.malformed(listNode, "expected 'recipients': a non-empty list of {key-id, name, wrapped-key}")
            }
            fields.recipientsLine = listNode.mark?.line
            for entry in list {
                guard let mapping = entry.mapping else { throw file.malformed(entry, "expected a mapping with key-id, name and wrapped-key") }
                try file.rejectUnknownKeys(mapping, allowed: recipientKeys, in: "a sealed file's recipient")
                var recipient = SealedFields.Entry(line: entry.mark?.line ?? 0)
                for (keyNode, valueNode) in mapping {
                    let key = keyNode.scalar?.string ?? ""
                    guard let scalar = valueNode.scalar else { throw file.malformed(valueNode, "expected '\(key)' to be a string") }
                    recipient.values[key] = SealedFields.Field(scalar.string, line: valueNode.mark?.line ?? 0, column: valueNode.mark?.column ?? 0)
                }
                fields.recipients.append(recipient)
            }
        }
        return fields
    }

    /// Checks every field and builds the file; errors carry file, line and the fix.
    private static func validate(_ fields: SealedFields, path: String, expectedName: SecretName?) throws(WorkspaceError) -> SealedFile {
        func malformed(_ field: SealedFields.Field?, _ line: Int?, _ expected: String) -> WorkspaceError {
            .malformed(SourceLocation(file: path, line: field?.line ?? line, column: field?.column), expected: expected)
        }
        func required(_ key: String) throws(WorkspaceError) -> SealedFields.Field {
            guard let field = fields.top[key] else { throw malformed(nil, fields.rootLine, "missing '\(key)'") }
            return field
        }
        func bytes(_ field: SealedFields.Field, _ key: String) throws(WorkspaceError) -> [UInt8] {
            guard let data = Data(base64Encoded: field.value) else { throw malformed(field, nil, "expected '\(key)' to be standard base64") }
            return Array(data)
        }

        let format = try required("format")
        guard format.value == SealContext.formatTag || format.value == SealContext.environmentFormatTag else {
            throw malformed(
                format, nil,
                "unsupported format '\(WorkspaceError.printable(format.value))'; expected '\(SealContext.formatTag)' or '\(SealContext.environmentFormatTag)' (a newer journey may have written it)"
            )
        }
        // Version 2 names its environment in the clear (and binds it in the associated data);
        // version 1 has none.
        var environment: EnvironmentName?
        if format.value == SealContext.environmentFormatTag {
            let field = try required("environment")
            do { environment = try EnvironmentName(field.value) } catch { throw malformed(field, nil, error.description) }
        } else if let field = fields.top["environment"] {
            throw malformed(field, nil, "a '\(SealContext.formatTag)' file has no 'environment' (only '\(SealContext.environmentFormatTag)' files do)")
        }
        let nameField = try required("name")
        let name: SecretName
        do { name = try SecretName(nameField.value) } catch { throw malformed(nameField, nil, error.description) }
        if let expectedName, expectedName != name {
            throw malformed(
                nameField, nil,
                "the file says it holds '\(name)' but is named '\(expectedName).sealed'; sealed files cannot be renamed (seal the value again with 'journey secret add \(ShellWord.quoted(expectedName.rawValue))')"
            )
        }
        if let description = fields.top["description"], description.value.utf8.count > maximumDescriptionBytes {
            throw malformed(
                description, nil,
                "expected 'description' to be at most \(maximumDescriptionBytes) bytes (it has \(description.value.utf8.count)); seal the value again with a shorter --description"
            )
        }
        if let updated = fields.top["updated"], updated.value.utf8.count > maximumUpdatedBytes {
            throw malformed(updated, nil, "expected 'updated' to be a timestamp of at most \(maximumUpdatedBytes) bytes")
        }
        let versionField = try required("version")
        guard let version = Int(versionField.value), version >= 1, version <= maximumVersion, String(version) == versionField.value else {
            throw malformed(versionField, nil, "expected 'version' to be a whole number ≥ 1")
        }
        let nonce = try bytes(try required("nonce"), "nonce")
        let ciphertext = try bytes(try required("ciphertext"), "ciphertext")
        guard !fields.recipients.isEmpty else {
            throw malformed(nil, fields.recipientsLine ?? fields.rootLine, "expected 'recipients': a non-empty list of {key-id, name, wrapped-key}")
        }
        var wraps: [KeyWrap] = []
        var names: [KeyID: String] = [:]
        for entry in fields.recipients {
            guard let idField = entry.values["key-id"] else { throw malformed(nil, entry.line, "missing 'key-id'") }
            guard let keyID = KeyID(hex: idField.value) else { throw malformed(idField, nil, "expected 'key-id' to be 16 lowercase hex digits") }
            guard let wrapField = entry.values["wrapped-key"] else { throw malformed(nil, entry.line, "missing 'wrapped-key'") }
            if let nameField = entry.values["name"], nameField.value.utf8.count > maximumRecipientNameBytes {
                throw malformed(nameField, nil, "expected a recipient 'name' of at most \(maximumRecipientNameBytes) bytes")
            }
            names[keyID] = entry.values["name"]?.value ?? ""
            wraps.append(KeyWrap(keyID: keyID, wrappedKey: try bytes(wrapField, "wrapped-key")))
        }
        return SealedFile(
            name: name, environment: environment, description: fields.top["description"]?.value ?? "", version: version,
            updated: fields.top["updated"]?.value ?? "", recipientNames: names,
            sealed: SealedValue(nonce: nonce, ciphertext: ciphertext, wraps: wraps))
    }

    /// The canonical text: fixed key order, one line per field, so diffs stay small.
    package func encoded() -> String {
        var text = "# Sealed by journey; do not edit. Rotate with: journey secret update \(name)\n"
        text += "format: \(environment == nil ? SealContext.formatTag : SealContext.environmentFormatTag)\n"
        text += "name: \(name)\n"
        if let environment { text += "environment: \(environment)\n" }
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
