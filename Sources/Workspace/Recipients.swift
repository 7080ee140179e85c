import Sealing
import Yams

/// One public key that sealed values are wrapped for.
package struct Recipient: Sendable, Equatable {
    package var name: String
    package var key: PublicKey
    /// When it was added, ISO 8601 in UTC.
    package var added: String

    package init(name: String, key: PublicKey, added: String) {
        self.name = name
        self.key = key
        self.added = added
    }

    package var id: KeyID { key.id }
}

/// `secrets/recipients.yaml`: the public keys every new or updated value is sealed for.
package enum RecipientsFile {
    package static func parse(_ file: YAMLFile) throws(WorkspaceError) -> [Recipient] {
        let root = try file.rootMapping(describedAs: "a mapping with a 'recipients' list")
        try file.rejectUnknownKeys(root, allowed: ["recipients"], in: "recipients.yaml")
        guard let listNode = root["recipients"] else { return [] }
        if case .scalar(let scalar) = listNode, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { return [] }
        guard let list = listNode.sequence else { throw file.malformed(listNode, "expected 'recipients' to be a list of {name, key, added}") }
        var recipients: [Recipient] = []
        var names = Set<String>()
        for entry in list {
            guard let mapping = entry.mapping else { throw file.malformed(entry, "expected a recipient: a mapping with name, key and added") }
            try file.rejectUnknownKeys(mapping, allowed: ["name", "key", "added"], in: "a recipient")
            let name = try file.requiredString("name", in: mapping, at: entry)
            let keyText = try file.requiredString("key", in: mapping, at: entry)
            let added = try file.string("added", in: mapping, at: entry) ?? ""
            let key: PublicKey
            do { key = try PublicKey(text: keyText) } catch {
                throw file.malformed(mapping["key"]!, "\(error); copy the key printed by 'journey keys generate' or 'journey keys list'")
            }
            guard names.insert(name).inserted else { throw file.malformed(entry, "recipient name '\(name)' appears twice; names must be unique") }
            recipients.append(Recipient(name: name, key: key, added: added))
        }
        return recipients
    }

    package static func encode(_ recipients: [Recipient]) -> String {
        var text = "# Public keys that journey seals secret values for. Managed by 'journey keys'.\n"
        text += "# Anyone can seal with these; only the matching private keys can open.\n"
        guard !recipients.isEmpty else { return text + "recipients: []\n" }
        text += "recipients:\n"
        for recipient in recipients {
            text += "  - name: \(YAMLText.quoted(recipient.name))\n"
            text += "    key: \(recipient.key.text)\n"
            text += "    added: \(YAMLText.quoted(recipient.added))\n"
        }
        return text
    }
}

/// Writing YAML scalars the tool controls: double-quoted with JSON-style escapes, which YAML
/// reads back unchanged.
package enum YAMLText {
    package static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            // YAML reads these as line breaks: escape them so they round-trip.
            case "\u{85}": out += "\\N"
            case "\u{2028}": out += "\\L"
            case "\u{2029}": out += "\\P"
            default:
                // What YAML refuses raw in a stream: C0 and C1 controls, DEL, U+FFFE and U+FFFF.
                if scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) {
                    out += "\\x" + String(format2: scalar.value)
                } else if scalar.value == 0xfffe || scalar.value == 0xffff {
                    out += "\\u" + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    fileprivate init(format2 value: UInt32) {
        let hex = String(value, radix: 16)
        self = hex.count < 2 ? "0" + hex : hex
    }
}
