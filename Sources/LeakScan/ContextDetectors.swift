import Foundation

/// Detectors for credentials that a name alone does not show: on command lines, in HTTP headers,
/// and in the configuration formats that spell `name = value` their own way (XML settings,
/// `.netrc`, `.npmrc`, Docker's `config.json`, Terraform variables).
enum ContextDetectors {
    static let quotes = ByteSet("\"'`")
    static let quoteCharacters = CharacterSet(charactersIn: "\"'`")
    static let optionValueEnd = ByteSet(" \t\r\n\"'`;|&)")

    // MARK: Command lines

    /// The value after an option: `--password=v`, `--password v`, `--password 'v'`, `-pv`.
    /// `joined` allows the value right after the option (`-pSECRET`); `spaced` allows a space.
    static func optionValue(_ bytes: UnsafeRawBufferPointer, after position: Int, joined: Bool, spaced: Bool, equals: Bool = true) -> Range<Int>? {
        var start = position
        guard start < bytes.count else { return nil }
        if equals, bytes[start] == UInt8(ascii: "=") {
            start += 1
        } else if bytes[start] == 32 || bytes[start] == 9 {
            guard spaced else { return nil }
            while start < bytes.count, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
            // The next word is another option, not a value.
            if start < bytes.count, bytes[start] == UInt8(ascii: "-") { return nil }
        } else if !joined {
            return nil
        }
        guard start < bytes.count else { return nil }
        return quotedOrBareWord(bytes, at: start)
    }

    /// A shell word at `start`: quoted (without its quotes) or bare.
    static func quotedOrBareWord(_ bytes: UnsafeRawBufferPointer, at start: Int) -> Range<Int>? {
        let limit = min(bytes.count, start + 512)
        guard start < limit else { return nil }
        let opening = bytes[start]
        if quotes.contains(opening) {
            var end = start + 1
            while end < limit, bytes[end] != opening, bytes[end] != 10 { end += 1 }
            guard end < limit, bytes[end] == opening, end > start + 1 else { return nil }
            return (start + 1)..<end
        }
        var end = start
        while end < limit, !optionValueEnd.contains(bytes[end]) { end += 1 }
        guard end > start else { return nil }
        return start..<end
    }

    /// Whether `value` is a literal a person typed as a password (not `$VAR`, `<pass>`, `***`).
    static func isLiteralPassword(_ value: UnsafeRawBufferPointer, minimumLength: Int = 4) -> Bool {
        guard value.count >= minimumLength, value.count <= 256 else { return false }
        if Detectors.isPlaceholderPassword(value) || ValueShape.isReferenceOrPlaceholder(value) { return false }
        if ValueShape.isScalarSetting(value) { return false }
        if value.contains(where: { $0 == UInt8(ascii: "$") || $0 == UInt8(ascii: "`") }) { return false }
        return true
    }

    /// Whether one of `words` is a command on the line before `position` (`mysql`, `sshpass`).
    /// Commands are written in lower case; the search runs on bytes (it runs on every `-p`).
    static func lineMentions(_ words: [[UInt8]], before position: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        var lineStart = position
        while lineStart > max(0, position - 512), bytes[lineStart - 1] != 10 { lineStart -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<position])
        let wordCharacters = ByteSet("a-zA-Z0-9_-")
        return words.contains { word in
            word.withUnsafeBytes { needle in
                var from = 0
                while let found = ByteSearch.firstIndex(of: needle, in: line, from: from) {
                    let end = found + word.count
                    if (found == 0 || !wordCharacters.contains(line[found - 1]))
                        && (end == line.count || !ByteSet.letters.contains(line[end]) && line[end] != UInt8(ascii: "_"))
                    {
                        return true
                    }
                    from = found + 1
                }
                return false
            }
        }
    }

    static let mysqlCommands = [
        "mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlpump", "mysqlsh", "mariadb", "mariadb-dump", "mariadb-admin",
    ].map { Array($0.utf8) }
    static let sshpassCommand = [Array("sshpass".utf8)]

    /// `-u user:password` and `--user user:password` (curl, wget, httpie and kin).
    @Sendable static func userOption(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        guard start > 0, ByteSet.whitespace.contains(bytes[start - 1]) || quotes.contains(bytes[start - 1]) else { return [] }
        let short = length == 2
        guard let word = optionValue(bytes, after: start + length, joined: short, spaced: true) else { return [] }
        let text = UnsafeRawBufferPointer(rebasing: bytes[word])
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return [] }
        let password = (word.lowerBound + colon + 1)..<word.upperBound
        let value = UnsafeRawBufferPointer(rebasing: bytes[password])
        // `-u 1000:1000` is a uid and gid (docker), not a password.
        guard isLiteralPassword(value), !value.allSatisfy({ ByteSet.digits.contains($0) }) else { return [] }
        return [Match(range: password)]
    }

    /// `mysql -pSECRET`, `sshpass -p SECRET`.
    @Sendable static func passwordShortOption(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        guard start > 0, ByteSet.whitespace.contains(bytes[start - 1]), start + length < bytes.count, bytes[start + length] != 10 else { return [] }
        let sshpass = lineMentions(sshpassCommand, before: start, in: bytes)
        guard sshpass || lineMentions(mysqlCommands, before: start, in: bytes) else { return [] }
        // mysql reads `-p word` as "prompt, then database word": only the joined form is a value.
        guard let word = optionValue(bytes, after: start + length, joined: true, spaced: sshpass, equals: false) else { return [] }
        guard isLiteralPassword(UnsafeRawBufferPointer(rebasing: bytes[word])) else { return [] }
        return [Match(range: word)]
    }

    /// `--password=…`, `--token …`, `--api-key=…` and kin on a command line.
    @Sendable static func longOption(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        guard start > 0, ByteSet.whitespace.contains(bytes[start - 1]) || quotes.contains(bytes[start - 1]) else { return [] }
        guard let word = optionValue(bytes, after: start + length, joined: false, spaced: true) else { return [] }
        let value = UnsafeRawBufferPointer(rebasing: bytes[word])
        let option = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]), as: UTF8.self).lowercased()
        if option.contains("pass") {
            guard isLiteralPassword(value) else { return [] }
        } else {
            guard isLiteralPassword(value, minimumLength: 8), ValueShape.looksGenerated(value), !ValueShape.isCodeOrLocation(value, quoted: true),
                !ValueShape.isWordy(value)
            else { return [] }
        }
        return [Match(range: word)]
    }

    /// `PGPASSWORD=… psql`, `MYSQL_PWD=…`, `SSHPASS=…`: variables the tools read a password from.
    @Sendable static func passwordVariable(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        guard start == 0 || !ByteSet.identifier.contains(bytes[start - 1]) else { return [] }
        guard let word = quotedOrBareWord(bytes, at: start + length), isLiteralPassword(UnsafeRawBufferPointer(rebasing: bytes[word])) else { return [] }
        return [Match(range: word)]
    }

    // MARK: HTTP headers

    static let leftToOtherRules: Set<String> = ["bearer", "basic"]

    /// `Authorization: <scheme> <credential>` with any scheme or none (`Token`, `SSWS`,
    /// `Bot`, `ApiKey`, a bare key), and API-key headers (`X-API-Key: …`, `Private-Token: …`).
    @Sendable static func credentialHeader(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        guard start == 0 || !ByteSet.alnum.contains(bytes[start - 1]) else { return [] }
        var position = start + length
        // `"Authorization": "…"` in JSON, `Authorization = "…"` in code.
        if position < bytes.count, quotes.contains(bytes[position]) { position += 1 }
        while position < bytes.count, bytes[position] == 32 || bytes[position] == 9 { position += 1 }
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") || bytes[position] == UInt8(ascii: "=") else { return [] }
        let assigned = bytes[position] == UInt8(ascii: "=")
        position += 1
        while position < bytes.count, bytes[position] == 32 || bytes[position] == 9 { position += 1 }
        var quoted = false
        if position < bytes.count, quotes.contains(bytes[position]) {
            quoted = true
            position += 1
        }
        // `authorization = decode(x)` in code: only a quoted literal is a header value there.
        if assigned && !quoted { return [] }
        // An optional scheme: a word of letters followed by one space.
        var schemeEnd = position
        while schemeEnd < min(bytes.count, position + 24), ByteSet.letters.contains(bytes[schemeEnd]) || bytes[schemeEnd] == UInt8(ascii: "-") {
            schemeEnd += 1
        }
        if schemeEnd > position, schemeEnd < bytes.count, bytes[schemeEnd] == 32 {
            let scheme = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<schemeEnd]), as: UTF8.self).lowercased()
            if leftToOtherRules.contains(scheme) { return [] }
            position = schemeEnd + 1
        }
        var end = position
        while end < min(bytes.count, position + 4096), Detectors.bearerCharacters.contains(bytes[end]) || bytes[end] == UInt8(ascii: ":") { end += 1 }
        let value = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
        guard value.count >= 12, ValueShape.looksGenerated(value, minimumLength: 12), !ValueShape.isReferenceOrPlaceholder(value),
            !ValueShape.hasAscendingRun(value, length: 5), !ValueShape.isWordy(value), !ValueShape.isCodeOrLocation(value, quoted: quoted)
        else { return [] }
        if end < bytes.count, [UInt8(ascii: "$"), UInt8(ascii: "{"), UInt8(ascii: "<"), UInt8(ascii: "("), UInt8(ascii: "[")].contains(bytes[end]) {
            return []
        }
        return [Match(range: position..<end)]
    }

    // MARK: Configuration formats

    static let passwordWords = ["password", "passwd", "pwd", "passphrase", "pass"]

    /// Whether a setting's name says password (weak human passwords count), as opposed to
    /// token or key (which must look generated).
    static func namesPassword(_ name: String) -> Bool {
        let lower = name.lowercased()
        return passwordWords.contains { lower.hasSuffix($0) || lower.hasPrefix($0) } || lower.contains("password")
    }

    /// Whether `name` says credential at all.
    static func namesCredential(_ name: String) -> Bool {
        let lower = name.lowercased().filter { $0 != "_" && $0 != "-" && $0 != "." && $0 != " " }
        if Detectors.describingSuffixes.contains(where: lower.hasSuffix) { return false }
        return RuleCatalogue.credentialWords.contains { lower.contains($0.filter { $0 != "_" && $0 != "-" }) }
    }

    /// The verdict on a setting's value given its name.
    static func isCredentialValue(_ value: UnsafeRawBufferPointer, name: String) -> Bool {
        if value.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == 10 }) { return false }
        if namesPassword(name) {
            // One lower-case word (`"strong"`, `"never"`) is a setting's value more often than a password.
            return isLiteralPassword(value, minimumLength: 6) && (ValueShape.characterClasses(value) >= 2 || value.count >= 12)
                && !ValueShape.isSlug(value) && !ValueShape.isEnvironmentVariableName(value)
                && ValueShape.entropy(value) >= 2.0 && !ValueShape.isCodeOrLocation(value, quoted: true)
        }
        return isLiteralPassword(value, minimumLength: 8) && ValueShape.looksGenerated(value) && !ValueShape.isSlug(value)
            && !ValueShape.isCodeOrLocation(value, quoted: true) && !ValueShape.hasAscendingRun(value)
    }

    /// `<add key="DbPassword" value="…"/>`, `<property name="password" value="…"/>`,
    /// `<entry key="api.token">…</entry>` and `<password>…</password>`.
    @Sendable static func xmlSetting(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        // The word sits inside a quoted attribute value or a tag name.
        var nameStart = start
        let lowest = max(0, start - 96)
        while nameStart > lowest, ByteSet.identifier.contains(bytes[nameStart - 1]) || bytes[nameStart - 1] == UInt8(ascii: ":") { nameStart -= 1 }
        var nameEnd = start + length
        while nameEnd < min(bytes.count, start + 96), ByteSet.identifier.contains(bytes[nameEnd]) || bytes[nameEnd] == UInt8(ascii: ":") { nameEnd += 1 }
        guard nameStart > 0, nameEnd < bytes.count else { return [] }
        // Bytes first (this runs on every credential word): a tag name or a quoted attribute.
        let opening = bytes[nameStart - 1]
        let closing = bytes[nameEnd]
        guard
            (opening == UInt8(ascii: "<") && closing == UInt8(ascii: ">"))
                || ((opening == UInt8(ascii: "\"") || opening == UInt8(ascii: "'")) && closing == opening)
        else { return [] }
        // A quoted name must be an attribute's value (`key="…"`), not any string in code.
        if opening != UInt8(ascii: "<") {
            guard nameStart >= 2, bytes[nameStart - 2] == UInt8(ascii: "="), nameStart >= 3, ByteSet.letters.contains(bytes[nameStart - 3]) else { return [] }
        }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
        guard namesCredential(name) || namesPassword(name) else { return [] }
        if opening == UInt8(ascii: "<"), bytes[nameEnd] == UInt8(ascii: ">") {
            // <password>value</password>
            let valueStart = nameEnd + 1
            var valueEnd = valueStart
            while valueEnd < min(bytes.count, valueStart + 1024), bytes[valueEnd] != UInt8(ascii: "<") { valueEnd += 1 }
            guard valueEnd + 1 < bytes.count, bytes[valueEnd + 1] == UInt8(ascii: "/") else { return [] }
            let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd])
            return isCredentialValue(value, name: name) ? [Match(range: valueStart..<valueEnd)] : []
        }
        guard opening == UInt8(ascii: "\"") || opening == UInt8(ascii: "'"), bytes[nameEnd] == opening else { return [] }
        // The attribute holding the name: key=, name=, id=.
        var attributeEnd = nameStart - 1
        guard attributeEnd > 0, bytes[attributeEnd - 1] == UInt8(ascii: "=") else { return [] }
        attributeEnd -= 1
        var attributeStart = attributeEnd
        while attributeStart > max(0, attributeEnd - 16), ByteSet.letters.contains(bytes[attributeStart - 1]) { attributeStart -= 1 }
        let attribute = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[attributeStart..<attributeEnd]), as: UTF8.self).lowercased()
        guard ["key", "name", "id", "property"].contains(attribute) else { return [] }
        // The value: a `value="…"` attribute in the same tag, or the element's text.
        var position = nameEnd + 1
        let limit = min(bytes.count, position + 1024)
        while position < limit, bytes[position] != UInt8(ascii: ">") {
            if TokenShape.hasLiteralFolded(Self.valueAttribute, in: bytes, at: position), position > 0, ByteSet.whitespace.contains(bytes[position - 1]) {
                let quote = position + valueAttribute.count
                guard quote < limit, quotes.contains(bytes[quote]) else { return [] }
                var end = quote + 1
                while end < limit, bytes[end] != bytes[quote], bytes[end] != 10 { end += 1 }
                guard end < limit, bytes[end] == bytes[quote] else { return [] }
                let value = UnsafeRawBufferPointer(rebasing: bytes[(quote + 1)..<end])
                return isCredentialValue(value, name: name) ? [Match(range: (quote + 1)..<end)] : []
            }
            position += 1
        }
        guard position < limit, position > 0, bytes[position - 1] != UInt8(ascii: "/") else { return [] }
        var valueStart = position + 1
        // `<Setting Name="ApiSecret"><Value>…</Value>` (.NET settings files): the child's text.
        while valueStart < limit, ByteSet.whitespace.contains(bytes[valueStart]) { valueStart += 1 }
        if TokenShape.hasLiteralFolded(Array("<value".utf8), in: bytes, at: valueStart) {
            while valueStart < limit, bytes[valueStart] != UInt8(ascii: ">") { valueStart += 1 }
            valueStart += 1
        }
        var valueEnd = valueStart
        while valueEnd < limit, bytes[valueEnd] != UInt8(ascii: "<") { valueEnd += 1 }
        guard valueEnd > valueStart, valueEnd < limit else { return [] }
        let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd])
        return isCredentialValue(value, name: name) ? [Match(range: valueStart..<valueEnd)] : []
    }

    static let valueAttribute = Array("value=".utf8)

    /// `.netrc`: `machine host login user password secret`, on one line or several.
    @Sendable static func netrcPassword(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        guard start == 0 || ByteSet.whitespace.contains(bytes[start - 1]) else { return [] }
        let valueStart = start + length
        guard valueStart < bytes.count, bytes[valueStart] == 32 || bytes[valueStart] == 9 else { return [] }
        let before = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[max(0, start - 256)..<start]), as: UTF8.self)
        guard before.contains("login ") || before.contains("login\t"), before.contains("machine ") || before.contains("default") else { return [] }
        var position = valueStart
        while position < bytes.count, bytes[position] == 32 || bytes[position] == 9 { position += 1 }
        guard let word = quotedOrBareWord(bytes, at: position), isLiteralPassword(UnsafeRawBufferPointer(rebasing: bytes[word])) else { return [] }
        return [Match(range: word)]
    }

    /// Base64 of `user:password` under a name that holds it: Docker's `"auth": "…"`, npm's
    /// `_auth=…`; and npm's `_password=` (base64 of the password alone).
    @Sendable static func encodedUserPassword(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        // `:_auth=` / `:_password=` in .npmrc, `"auth":` in JSON, `_auth=` at a line's start.
        guard bytes[start] == UInt8(ascii: "\"") || start == 0 || bytes[start - 1] == UInt8(ascii: ":") || bytes[start - 1] == 10 else { return [] }
        guard let assignment = Assignment.around(bytes, keywordStart: start, keywordLength: length) else { return [] }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[assignment.name]), as: UTF8.self).lowercased().trimmingCharacters(
            in: quoteCharacters)
        let value = UnsafeRawBufferPointer(rebasing: bytes[assignment.value])
        guard value.count >= 8, let decoded = Encoded.decodeBase64(value), decoded.allSatisfy({ $0 >= 32 && $0 < 127 }) else { return [] }
        if name == "_password" {
            return decoded.withUnsafeBytes { isLiteralPassword($0) } ? [Match(range: assignment.value)] : []
        }
        guard name == "auth" || name == "_auth", let colon = decoded.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            return []
        }
        let password = Array(decoded[(colon + 1)...])
        return password.withUnsafeBytes { isLiteralPassword($0) } ? [Match(range: assignment.value)] : []
    }

    /// Terraform: `variable "db_password" { default = "…" }`.
    @Sendable static func terraformVariableDefault(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        var position = start + length
        while position < bytes.count, bytes[position] == 32 { position += 1 }
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return [] }
        let nameStart = position + 1
        var nameEnd = nameStart
        while nameEnd < min(bytes.count, nameStart + 96), ByteSet.identifier.contains(bytes[nameEnd]) { nameEnd += 1 }
        guard nameEnd < bytes.count, bytes[nameEnd] == UInt8(ascii: "\"") else { return [] }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
        guard namesCredential(name) || namesPassword(name) else { return [] }
        // The block, up to its closing brace at the start of a line.
        let limit = min(bytes.count, nameEnd + 2048)
        guard let defaultAt = Detectors.find("default", in: bytes, from: nameEnd, to: limit),
            Detectors.find("\n}", in: bytes, from: nameEnd, to: defaultAt) == nil,
            let assignment = Assignment.around(bytes, keywordStart: defaultAt, keywordLength: 7), assignment.quoted
        else { return [] }
        let value = UnsafeRawBufferPointer(rebasing: bytes[assignment.value])
        return isCredentialValue(value, name: name) ? [Match(range: assignment.value)] : []
    }
}
