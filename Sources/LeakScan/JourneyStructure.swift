import Workspace
import Yams

/// The journey-aware rule: a literal where a journey field holds a credential, with the
/// reference to write instead. Reads the YAML structure, so `{ secret: NAME }` and
/// `${{ secrets.NAME }}` are understood as references, never reported.
enum JourneyStructure {
    static let literalRuleID = "journey-literal-credential"
    static let bearerRuleID = "journey-literal-bearer"
    static let envRuleID = "journey-literal-env"

    /// Whether `path` is a journey definition: `journeys/*.yaml` under the workspace root
    /// (`prefix`, e.g. `ops/`), or under any folder when no workspace is known.
    static func isJourneyFile(_ path: String, workspacePrefix: String?) -> Bool {
        guard path.hasSuffix(".yaml") || path.hasSuffix(".yml") else { return false }
        if let workspacePrefix {
            guard path.hasPrefix(workspacePrefix + "journeys/") else { return false }
            return !path.dropFirst(workspacePrefix.count + "journeys/".count).contains("/")
        }
        return path.hasPrefix("journeys/") || path.contains("/journeys/")
    }

    /// Words in a field name that say it holds a credential.
    static let credentialWords = [
        "password", "passwd", "passphrase", "secret", "token", "apikey", "accesskey", "privatekey", "clientsecret", "credential",
        "authorization", "signingkey", "cookie", "sessionid",
    ]

    static func isCredentialName(_ name: String) -> Bool {
        let compact = String(name.lowercased().filter { $0.isLetter || $0.isNumber })
        if ["auth", "pwd", "pass", "key"].contains(compact) { return true }
        guard credentialWords.contains(where: compact.contains) else { return false }
        return !Detectors.describingSuffixes.contains(where: compact.hasSuffix)
    }

    static func candidates(in bytes: UnsafeRawBufferPointer) -> [Candidate] {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let root = try? YAMLFile(path: "", text: text).root else { return [] }
        let lines = LineIndex(bytes)
        var found: [Candidate] = []
        walk(root, key: nil, inEnv: false, bytes: bytes, lines: lines, into: &found)
        return found
    }

    private static func walk(_ node: Node, key: String?, inEnv: Bool, bytes: UnsafeRawBufferPointer, lines: LineIndex, into found: inout [Candidate]) {
        switch node {
        case .mapping(let mapping):
            // `{ secret: NAME }` and `{ env: VAR }` are references.
            if mapping.count == 1, let only = mapping.keys.first?.scalar?.string, only == "secret" || only == "env" { return }
            for (keyNode, value) in mapping {
                let name = keyNode.scalar?.string ?? ""
                // The pairs of a step's `env` mapping are its variables.
                walk(value, key: name, inEnv: key == "env", bytes: bytes, lines: lines, into: &found)
            }
        case .sequence(let sequence):
            for item in sequence { walk(item, key: key, inEnv: false, bytes: bytes, lines: lines, into: &found) }
        case .scalar(let scalar):
            guard let mark = node.mark, let key else { return }
            inspect(scalar, key: key, inEnv: inEnv, mark: mark, bytes: bytes, lines: lines, into: &found)
        case .alias:
            return
        }
    }

    private static func inspect(
        _ scalar: Node.Scalar, key: String, inEnv: Bool, mark: Mark, bytes: UnsafeRawBufferPointer, lines: LineIndex, into found: inout [Candidate]
    ) {
        let value = scalar.string
        guard !value.isEmpty, scalar.style != .plain || !["~", "null", "Null", "NULL"].contains(value) else { return }
        guard let range = lines.valueRange(line: mark.line, column: mark.column, value: value, in: bytes) else { return }
        let suggested = suggestedName(for: key)
        // `Bearer <literal>` anywhere in a journey.
        for scheme in ["Bearer ", "Basic ", "Token "] where value.hasPrefix(scheme) {
            let literal = value.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)
            guard !literal.isEmpty, !isReference(literal) else { return }
            let start = min(range.upperBound, range.lowerBound + scheme.utf8.count)
            found.append(
                Candidate(
                    rule: bearerRuleID, title: "literal \(scheme.lowercased().trimmingCharacters(in: .whitespaces)) credential in a journey",
                    fix: "write \"\(scheme)${{ secrets.\(suggested) }}\" instead and seal the value with 'journey secret add \(suggested)'",
                    range: start..<max(start, range.upperBound), visiblePrefix: 0, priority: 0,
                    message: "field '\(printable(key))' holds a literal \(scheme.trimmingCharacters(in: .whitespaces)) credential"))
            return
        }
        guard !isReference(value) else { return }
        if isCredentialName(key) {
            found.append(
                Candidate(
                    rule: inEnv ? envRuleID : literalRuleID, title: inEnv ? "literal credential in a step env" : "literal credential in a journey",
                    fix: "write '\(printable(key)): { secret: \(suggested) }' instead and seal the value with 'journey secret add \(suggested)'",
                    range: range, visiblePrefix: 0, priority: 0, message: "field '\(printable(key))' holds a literal credential"))
        } else if inEnv,
            ValueShape.looksGenerated(UnsafeRawBufferPointer(rebasing: bytes[range]), minimumLength: 12),
            !ValueShape.isCodeOrLocation(UnsafeRawBufferPointer(rebasing: bytes[range]), quoted: true)
        {
            found.append(
                Candidate(
                    rule: envRuleID, title: "literal credential in a step env",
                    fix: "write '\(printable(key)): { secret: \(suggested) }' instead and seal the value with 'journey secret add \(suggested)'",
                    range: range, visiblePrefix: 0, priority: 0, message: "env '\(printable(key))' holds a literal that looks like a credential"))
        }
    }

    /// References and stand-ins: interpolations, `$VAR`, and placeholder words.
    /// Lowercased once and searched as bytes, so the cost stays linear in the literal: a
    /// journey may hold a long one, and every commit's leak check reads it.
    static func isReference(_ value: String) -> Bool {
        guard value.utf8.count >= 3, value.first != "$" else { return true }
        let lower = Array(value.lowercased().utf8)
        if ValueShape.referencePrefixBytes.contains(where: lower.starts(with:)) { return true }
        if lower.count <= 16, ValueShape.exactPlaceholders.contains(String(decoding: lower, as: UTF8.self)) { return true }
        return lower.withUnsafeBytes { haystack in
            ([Array("${{".utf8)] + ValueShape.placeholderWordBytes).contains { word in
                word.withUnsafeBytes { ByteSearch.firstIndex(of: $0, in: haystack) != nil }
            }
        }
    }

    /// A secret name for a field: `SLACK_TOKEN` → `slack-token`.
    static func suggestedName(for key: String) -> String {
        if key.lowercased() == "authorization" { return "api-token" }
        var name = ""
        for character in key.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                name.append(character)
            } else if !name.isEmpty && name.last != "-" {
                name.append("-")
            }
        }
        while name.hasSuffix("-") { name.removeLast() }
        return name.isEmpty ? "my-secret" : String(name.prefix(64))
    }

    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(64).map { $0.value < 32 || $0.value == 127 ? "?" : Character($0) })
    }
}

/// Line starts of a file, to turn YAML marks (line, column in scalars) into byte offsets.
struct LineIndex {
    private var starts: [Int] = [0]

    init(_ bytes: UnsafeRawBufferPointer) {
        for index in 0..<bytes.count where bytes[index] == 10 { starts.append(index + 1) }
    }

    /// The bytes of a scalar whose first character is at `line`, `column`: inside its quotes
    /// when quoted; the value's own bytes when they appear there; else the rest of the line.
    func valueRange(line: Int, column: Int, value: String, in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        guard line >= 1, line <= starts.count else { return nil }
        let lineEnd = line < starts.count ? starts[line] - 1 : bytes.count
        var position = starts[line - 1]
        var scalars = 1
        while scalars < column, position < lineEnd {
            position += 1
            while position < lineEnd, bytes[position] & 0xC0 == 0x80 { position += 1 }
            scalars += 1
        }
        guard position < lineEnd else { return nil }
        let first = bytes[position]
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            var end = position + 1
            while end < lineEnd, bytes[end] != first {
                if bytes[end] == UInt8(ascii: "\\"), first == UInt8(ascii: "\"") { end += 1 }
                end += 1
            }
            return (position + 1)..<min(end, lineEnd)
        }
        let utf8 = Array(value.utf8)
        if position + utf8.count <= lineEnd, TokenShape.hasLiteral(utf8, in: bytes, at: position) {
            return position..<(position + utf8.count)
        }
        var end = lineEnd
        while end > position, ByteSet.whitespace.contains(bytes[end - 1]) { end -= 1 }
        return position..<end
    }
}
