import Sealing

/// What the journey merge driver makes of three versions of a sealed file or of
/// `recipients.yaml`: a merged text, or a conflict left in the file for a person to settle.
package enum MergeOutcome: Equatable {
    case merged(String)
    /// `text` holds both sides between git's conflict markers; `reason` says why.
    case conflict(text: String, reason: String)
}

/// git's conflict markers, written and read. A conflicted sealed file is reported by name by
/// every reader, never as a YAML error, and `journey secret resolve` reads the two sides back.
package enum MergeConflictText {
    /// Both sides whole, between markers, as the merge driver leaves a true conflict.
    package static func wholeFile(ours: String, theirs: String) -> String {
        "<<<<<<< ours\n" + terminated(ours) + "=======\n" + terminated(theirs) + ">>>>>>> theirs\n"
    }

    /// Whether `text` holds git conflict markers (a line starting `<<<<<<<`).
    package static func isConflicted(_ text: String) -> Bool {
        text.hasPrefix("<<<<<<<") || text.contains("\n<<<<<<<")
    }

    /// The two sides of a conflicted text: the lines outside the markers plus each hunk's
    /// ours or theirs lines (diff3's `|||||||` base section is dropped). Whole-file markers
    /// from the merge driver and git's own per-hunk markers both read back. `nil` when the
    /// markers do not pair up.
    package static func sides(_ text: String) -> (ours: String, theirs: String)? {
        enum Part { case common, ours, base, theirs }
        var part = Part.common
        var ours = "", theirs = ""
        var sawConflict = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
            let entry = line + "\n"
            switch part {
            case .common:
                if line.hasPrefix("<<<<<<<") {
                    part = .ours
                    sawConflict = true
                } else {
                    ours += entry
                    theirs += entry
                }
            case .ours:
                if line.hasPrefix("|||||||") { part = .base } else if line.hasPrefix("=======") { part = .theirs } else { ours += entry }
            case .base:
                if line.hasPrefix("=======") { part = .theirs }
            case .theirs:
                if line.hasPrefix(">>>>>>>") { part = .common } else { theirs += entry }
            }
        }
        guard sawConflict, part == .common else { return nil }
        return (ours, theirs)
    }

    private static func terminated(_ text: String) -> String { text.isEmpty || text.hasSuffix("\n") ? text : text + "\n" }
}

/// Three-way merge of one sealed secret.
///
/// - A side that only re-wrapped (same ciphertext, same version) merges with the other: the
///   wraps are joined by key id, a wrap one side removed stays removed.
/// - When the versions differ, the higher one wins whole: it is a later rotation (wraps it
///   lacks are then reported by `journey check`, which says to rekey).
/// - Equal versions with different values are a true conflict: both sides rotated.
package enum SealedMerge {
    package static func merge(base: String?, ours: String, theirs: String, path: String) -> MergeOutcome {
        if ours == theirs { return .merged(ours) }
        guard let oursFile = try? SealedFile.parse(path: path, text: ours),
            let theirsFile = try? SealedFile.parse(path: path, text: theirs)
        else {
            return .conflict(text: MergeConflictText.wholeFile(ours: ours, theirs: theirs), reason: "a side is not a valid sealed file")
        }
        guard oursFile.environment == theirsFile.environment else {
            return .conflict(
                text: MergeConflictText.wholeFile(ours: ours, theirs: theirs),
                reason:
                    "the sides are sealed for different environments (\(oursFile.environment?.rawValue ?? "none") and \(theirsFile.environment?.rawValue ?? "none"))"
            )
        }
        let baseFile = base.flatMap { try? SealedFile.parse(path: path, text: $0) }
        if oursFile.version != theirsFile.version {
            return .merged(oursFile.version > theirsFile.version ? ours : theirs)
        }
        guard oursFile.sealed.nonce == theirsFile.sealed.nonce, oursFile.sealed.ciphertext == theirsFile.sealed.ciphertext else {
            return .conflict(
                text: MergeConflictText.wholeFile(ours: ours, theirs: theirs),
                reason: "both sides rotated '\(oursFile.name)' to version \(oursFile.version)")
        }
        // The same value on both sides: join the wraps, honour removals.
        let baseIDs = Set(baseFile?.sealed.wraps.map(\.keyID) ?? [])
        let theirsIDs = Set(theirsFile.sealed.wraps.map(\.keyID))
        let oursIDs = Set(oursFile.sealed.wraps.map(\.keyID))
        func kept(_ id: KeyID) -> Bool {
            let inOurs = oursIDs.contains(id), inTheirs = theirsIDs.contains(id)
            return (inOurs && inTheirs) || !baseIDs.contains(id)
        }
        var merged = oursFile
        merged.sealed.wraps = oursFile.sealed.wraps.filter { kept($0.keyID) } + theirsFile.sealed.wraps.filter { !oursIDs.contains($0.keyID) && kept($0.keyID) }
        for (id, name) in theirsFile.recipientNames where merged.recipientNames[id] == nil { merged.recipientNames[id] = name }
        merged.recipientNames = merged.recipientNames.filter { id, _ in merged.sealed.wraps.contains { $0.keyID == id } }
        if let baseFile, oursFile.description == baseFile.description { merged.description = theirsFile.description }
        merged.updated = max(oursFile.updated, theirsFile.updated)
        return .merged(merged.encoded())
    }
}

/// Three-way merge of `recipients.yaml`: the union of both sides' keys; a recipient one side
/// removed (and the other left alone) stays removed; a conflict only when one name holds two
/// different keys. The records of removed keys (`removed:`) are the union of both sides', so a
/// version a removed key could open stays shown as exposed after the merge.
package enum RecipientsMerge {
    package static func merge(base: String?, ours: String, theirs: String, path: String) -> MergeOutcome {
        if ours == theirs { return .merged(ours) }
        func parse(_ text: String) -> RecipientsFile.Contents? { try? RecipientsFile.parseContents(YAMLFile(path: path, text: text)) }
        guard let oursContents = parse(ours), let theirsContents = parse(theirs) else {
            return .conflict(text: MergeConflictText.wholeFile(ours: ours, theirs: theirs), reason: "a side is not a valid recipients file")
        }
        let oursList = oursContents.recipients, theirsList = theirsContents.recipients
        let removed = RemovedRecipient.union(oursContents.removed, theirsContents.removed)
        let baseList = base.flatMap(parse)?.recipients ?? []
        let baseByName = Dictionary(baseList.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let theirsByName = Dictionary(theirsList.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let oursByName = Dictionary(oursList.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var merged: [Recipient] = []
        var clashes: [(Recipient, Recipient)] = []
        for recipient in oursList {
            if let other = theirsByName[recipient.name] {
                if other.key == recipient.key { merged.append(recipient) } else { clashes.append((recipient, other)) }
            } else if let old = baseByName[recipient.name], old.key == recipient.key {
                continue  // They removed it; we left it alone: removed.
            } else {
                merged.append(recipient)
            }
        }
        for recipient in theirsList where oursByName[recipient.name] == nil {
            if let old = baseByName[recipient.name], old.key == recipient.key { continue }  // We removed it.
            merged.append(recipient)
        }
        guard clashes.isEmpty else {
            let clean = merged.filter { r in !clashes.contains { $0.0.name == r.name } }
            let ours = RecipientsFile.encode(clean + clashes.map(\.0), removed: removed)
            let theirs = RecipientsFile.encode(clean + clashes.map(\.1), removed: removed)
            let names = clashes.map { "'\($0.0.name)' (key id \($0.0.id) here, \($0.1.id) on the other side)" }.joined(separator: ", ")
            return .conflict(text: MergeConflictText.wholeFile(ours: ours, theirs: theirs), reason: "recipient \(names) holds a different key on each side")
        }
        return .merged(RecipientsFile.encode(merged, removed: removed))
    }
}
