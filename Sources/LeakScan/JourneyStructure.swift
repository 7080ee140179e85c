import Workspace

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
        guard let yaml = JourneyYAML(bytes: bytes) else { return [] }
        var found: [Candidate] = []
        for case .scalar(let scalar) in yaml.items {
            guard let key = scalar.key, let range = scalar.range else { continue }
            inspect(scalar, key: key, range: range, bytes: bytes, into: &found)
        }
        return found
    }

    private static func inspect(_ scalar: JourneyYAML.Scalar, key: String, range: Range<Int>, bytes: UnsafeRawBufferPointer, into found: inout [Candidate]) {
        let value = scalar.text
        let inEnv = scalar.isEnvironmentValue
        guard !value.isEmpty, !scalar.isNull else { return }
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
