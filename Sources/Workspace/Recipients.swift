import Foundation
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

/// The rule for a recipient's name: ASCII letters, digits, `.`, `_`, `-` and `@`, starting
/// with a letter or digit, at most 64 characters (`alice`, `ci-runner`, `ada@example.com`).
/// A name is a label for a key, and it travels: into the key file's name
/// (`<key folder>/NAME.key`), into `journey keys add NAME …` lines a newcomer sends for pasting
/// into a shell, into messages. So it has no space, quote, `/`, `$`, `;`, backtick or control
/// character, whether it comes from a command line, the Admin page or a checked-out
/// `recipients.yaml`.
package enum RecipientName {
    package static let maximumLength = 64
    package static let rule = "letters, digits, '.', '_', '-' and '@', starting with a letter or digit, at most \(maximumLength) characters"

    /// Why `name` breaks the rule, or nil when it keeps it.
    package static func problem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        let reason: String
        if bytes.isEmpty {
            reason = "it is empty"
        } else if bytes.count > maximumLength {
            reason = "it is longer than \(maximumLength) characters"
        } else if !isLetterOrDigit(bytes[0]) {
            reason = "it must start with a letter or digit"
        } else if let bad = name.unicodeScalars.first(where: { !$0.isASCII || !isAllowed(UInt8($0.value)) }) {
            reason = "it holds \(bad.value < 0x20 || bad.value == 0x7f ? "a control character" : "'\(bad)'")"
        } else {
            return nil
        }
        return "invalid recipient name '\(WorkspaceError.printable(name))': \(reason); use \(rule)"
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@")
    }
}

/// A key taken off the recipients, with the sealed versions it could open then. Re-wrapping
/// does not take a value from someone who held its data key: each of those versions stays
/// exposed to the key until the secret is rotated (a new data key and nonce).
package struct RemovedRecipient: Sendable, Equatable {
    package var name: String
    package var keyID: KeyID
    /// When it was removed (or found dropped by a re-wrap), ISO 8601 in UTC.
    package var removed: String
    package var couldOpen: [SealedVersion]

    package init(name: String, keyID: KeyID, removed: String, couldOpen: [SealedVersion]) {
        self.name = name
        self.keyID = keyID
        self.removed = removed
        self.couldOpen = couldOpen
    }
}

extension RemovedRecipient {
    /// Both lists' records, one per key id, each with the versions either side says that key
    /// could open: what `keys remove` and `rekey` add, and what a merge of two branches keeps.
    package static func union(_ first: [RemovedRecipient], _ second: [RemovedRecipient]) -> [RemovedRecipient] {
        var merged = first
        for record in second {
            if let index = merged.firstIndex(where: { $0.keyID == record.keyID }) {
                for version in record.couldOpen where !merged[index].couldOpen.contains(version) { merged[index].couldOpen.append(version) }
            } else {
                merged.append(record)
            }
        }
        return merged
    }
}

/// One sealed version of a secret, named by its nonce (fresh on every write of a value, kept by
/// a re-wrap): the same nonce means the same data key.
package struct SealedVersion: Sendable, Hashable {
    package var secret: String
    package var nonce: String

    package init(secret: String, nonce: String) {
        self.secret = secret
        self.nonce = nonce
    }

    package init(_ file: SealedFile) {
        self.init(secret: file.name.rawValue, nonce: Data(file.sealed.nonce).base64EncodedString())
    }
}

/// `secrets/recipients.yaml`: the public keys every new or updated value is sealed for, and
/// the keys removed since whose values are not rotated yet.
package enum RecipientsFile {
    package struct Contents: Sendable, Equatable {
        package var recipients: [Recipient] = []
        package var removed: [RemovedRecipient] = []
    }

    package static func parse(_ file: YAMLFile) throws(WorkspaceError) -> [Recipient] {
        try parseContents(file).recipients
    }

    package static func parseContents(_ file: YAMLFile) throws(WorkspaceError) -> Contents {
        let root = try file.rootMapping(describedAs: "a mapping with a 'recipients' list")
        try file.rejectUnknownKeys(root, allowed: ["recipients", "removed"], in: "recipients.yaml")
        return Contents(recipients: try recipients(root["recipients"], in: file), removed: try removed(root["removed"], in: file))
    }

    private static func isEmpty(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { return true }
        return false
    }

    private static func removed(_ node: Node?, in file: YAMLFile) throws(WorkspaceError) -> [RemovedRecipient] {
        guard let node, !isEmpty(node) else { return [] }
        guard let list = node.sequence else { throw file.malformed(node, "expected 'removed' to be a list of {name, key-id, removed, could-open}") }
        var entries: [RemovedRecipient] = []
        for entry in list {
            guard let mapping = entry.mapping else {
                throw file.malformed(entry, "expected a removed key: a mapping with name, key-id, removed and could-open")
            }
            try file.rejectUnknownKeys(mapping, allowed: ["name", "key-id", "removed", "could-open"], in: "a removed key")
            let idText = try file.requiredString("key-id", in: mapping, at: entry)
            guard let keyID = KeyID(hex: idText) else { throw file.malformed(mapping["key-id"]!, "expected 'key-id' to be 16 lowercase hex digits") }
            var versions: [SealedVersion] = []
            if let openNode = mapping["could-open"], !isEmpty(openNode) {
                guard let openList = openNode.sequence else { throw file.malformed(openNode, "expected 'could-open' to be a list of {secret, nonce}") }
                for item in openList {
                    guard let version = item.mapping else { throw file.malformed(item, "expected a mapping with secret and nonce") }
                    try file.rejectUnknownKeys(version, allowed: ["secret", "nonce"], in: "a sealed version")
                    versions.append(
                        SealedVersion(
                            secret: try file.requiredString("secret", in: version, at: item), nonce: try file.requiredString("nonce", in: version, at: item)))
                }
            }
            entries.append(
                RemovedRecipient(
                    name: try file.string("name", in: mapping, at: entry) ?? "", keyID: keyID,
                    removed: try file.string("removed", in: mapping, at: entry) ?? "",
                    couldOpen: versions))
        }
        return entries
    }

    private static func recipients(_ listNode: Node?, in file: YAMLFile) throws(WorkspaceError) -> [Recipient] {
        guard let listNode, !isEmpty(listNode) else { return [] }
        guard let list = listNode.sequence else { throw file.malformed(listNode, "expected 'recipients' to be a list of {name, key, added}") }
        var recipients: [Recipient] = []
        var names = Set<String>()
        for entry in list {
            guard let mapping = entry.mapping else { throw file.malformed(entry, "expected a recipient: a mapping with name, key and added") }
            try file.rejectUnknownKeys(mapping, allowed: ["name", "key", "added"], in: "a recipient")
            let name = try file.requiredString("name", in: mapping, at: entry)
            // A checked-out repository chooses these names: one that could break out of a
            // printed command line or the key folder is refused here, where every reader passes.
            if let problem = RecipientName.problem(name) {
                throw file.malformed(
                    mapping["name"]!, "\(problem); rename it in this file (the name is only a label: the key is what opens, so nothing else changes)")
            }
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

    package static func encode(_ recipients: [Recipient], removed: [RemovedRecipient] = []) -> String {
        var text = "# Public keys that journey seals secret values for. Managed by 'journey keys'.\n"
        text += "# Anyone can seal with these; only the matching private keys can open.\n"
        if recipients.isEmpty {
            text += "recipients: []\n"
        } else {
            text += "recipients:\n"
            for recipient in recipients {
                text += "  - name: \(YAMLText.quoted(recipient.name))\n"
                text += "    key: \(recipient.key.text)\n"
                text += "    added: \(YAMLText.quoted(recipient.added))\n"
            }
        }
        guard !removed.isEmpty else { return text }
        text += "# Keys removed while they could still open these versions; rotate each ('journey secret update').\n"
        text += "removed:\n"
        for entry in removed {
            text += "  - name: \(YAMLText.quoted(entry.name))\n"
            text += "    key-id: \(entry.keyID.hex)\n"
            text += "    removed: \(YAMLText.quoted(entry.removed))\n"
            text += "    could-open:\n"
            for version in entry.couldOpen {
                text += "      - secret: \(YAMLText.quoted(version.secret))\n"
                text += "        nonce: \(YAMLText.quoted(version.nonce))\n"
            }
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
                    out += "\\x" + Hex.encode([UInt8(scalar.value)])
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
