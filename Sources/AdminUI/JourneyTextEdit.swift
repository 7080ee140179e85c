import Workspace

/// Rewrites the text of chosen fields of a journey file and nothing else: each field is found
/// by its address through `JourneyYAML` (the one journey walker, which knows each value's
/// bytes in the text) and only those bytes are replaced. Comments, key order and formatting
/// elsewhere stay byte for byte. The caller re-parses the result and compares it with what
/// was asked (`JourneyEditor.save`), so an extent measured wrong is refused, never written.
enum JourneyTextEdit {
    struct Edit: Equatable {
        var path: String
        var source: EditorField.Source
        var text: String
    }

    /// Applies `edits` to `text`; throws when a field cannot be found or written in place.
    static func apply(_ edits: [Edit], to text: String, file: String) throws(AdminUIError) -> String {
        let yaml: JourneyYAML
        do { yaml = try JourneyYAML.parse(text, path: file) } catch { throw .edit("\(file) does not parse: \(error)") }
        let bytes = Array(text.utf8)
        var replacements: [(range: Range<Int>, text: [UInt8])] = []
        for edit in edits {
            guard let field = locate(edit.path, in: yaml) else { throw .edit("no field '\(edit.path)' in \(file)") }
            let first = bytes[field.extent.lowerBound]
            guard !"&*!".utf8.contains(first) else { throw .edit("'\(edit.path)' uses an anchor, alias or tag; edit it in the file") }
            let replacement = try written(edit, originalStart: first, inFlow: field.inFlow, indent: field.keyIndent)
            replacements.append((field.extent, Array(replacement.utf8)))
        }
        replacements.sort { $0.range.lowerBound > $1.range.lowerBound }
        for (index, item) in replacements.enumerated() where index > 0 {
            if item.range.upperBound > replacements[index - 1].range.lowerBound { throw .edit("two edits touch the same text in \(file)") }
        }
        var result = bytes
        for item in replacements { result.replaceSubrange(item.range, with: item.text) }
        return String(decoding: result, as: UTF8.self)
    }

    /// The field at an editor address (`values.NAME`, `steps.N.http.url`, …).
    static func locate(_ path: String, in yaml: JourneyYAML) -> JourneyYAML.Field? {
        yaml.field(at: path.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
    }

    // MARK: Writing a value

    /// The text for a value, in the style it had where that keeps the meaning.
    static func written(_ edit: Edit, originalStart: UInt8, inFlow: Bool, indent: Int) throws(AdminUIError) -> String {
        switch edit.source {
        case .secret:
            guard (try? SecretName(edit.text)) != nil else { throw .edit("'\(edit.text)' is not a secret name") }
            return "{ secret: \(edit.text) }"
        case .env:
            guard isVariableName(edit.text) else { throw .edit("'\(edit.path)': expected an environment variable name (A-Z, a-z, 0-9 and '_')") }
            return "{ env: \(edit.text) }"
        case .literal:
            let text = edit.text
            if text.contains("\n"), originalStart == UInt8(ascii: "|"), !inFlow, let block = blockLiteral(text, indent: indent + 2) { return block }
            if originalStart == UInt8(ascii: "'"), !text.contains("\n"), text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) {
                return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
            }
            // A number-like text stays plain only where it was plain: written in place of a
            // reference it is quoted, so other YAML readers see a string too.
            let wasPlain = !"\"{[|>".utf8.contains(originalStart)
            if originalStart != UInt8(ascii: "\""), isPlainSafe(text, inFlow: inFlow), wasPlain || !looksTyped(text) { return text }
            return YAMLText.quoted(text)
        }
    }

    /// `|` (or `|-` without a final newline) with every line at `indent`; `nil` when a line
    /// would not survive (leading spaces on the first line, control characters).
    static func blockLiteral(_ text: String, indent: Int) -> String? {
        let keepsNewline = text.hasSuffix("\n")
        let body = keepsNewline ? String(text.dropLast()) : text
        if body.hasSuffix("\n") { return nil }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, !first.hasPrefix(" "), !first.isEmpty else { return nil }
        guard body.unicodeScalars.allSatisfy({ ($0.value >= 0x20 && $0.value != 0x7f) || $0 == "\n" }) else { return nil }
        let pad = String(repeating: " ", count: indent)
        return (keepsNewline ? "|" : "|-") + lines.map { $0.isEmpty ? "\n" : "\n" + pad + $0 }.joined()
    }

    /// Whether YAML reads `text` back unchanged as a plain (unquoted) string.
    static func isPlainSafe(_ text: String, inFlow: Bool) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if first == " " || last == " " || last == ":" { return false }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return false }
        if text.contains(": ") || text.contains(" #") { return false }
        if inFlow, text.unicodeScalars.contains(where: { ",[]{}".unicodeScalars.contains($0) }) { return false }
        if ["~", "null", "Null", "NULL", "true", "false", "True", "False", "TRUE", "FALSE", "yes", "no", "on", "off"].contains(text) { return false }
        return text.unicodeScalars.allSatisfy {
            $0.value >= 0x20 && $0.value != 0x7f && $0.value != 0x85 && $0 != "\u{2028}" && $0 != "\u{2029}" && $0 != "\u{FEFF}"
        }
    }

    /// Text a YAML reader would type as a number, boolean or null when plain.
    static func looksTyped(_ text: String) -> Bool {
        if Double(text) != nil || Int(text) != nil { return true }
        return ["~", "null", "true", "false", "yes", "no", "on", "off", "y", "n"].contains(text.lowercased())
    }

    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}
