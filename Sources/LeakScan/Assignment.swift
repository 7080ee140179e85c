import Foundation

/// `name = value` in the many spellings of source and config files (`KEY=v`, `key: v`,
/// `"key": "v"`, `key := "v"`, `:key => "v"`), found around a keyword inside the name.
struct Assignment {
    /// The name being assigned, e.g. `STRIPE_API_KEY` or `apiKey`.
    let name: Range<Int>
    /// The value, without its quotes.
    let value: Range<Int>
    let quoted: Bool

    /// How far around a keyword to look; keeps a 1 MB line from costing more than a short one.
    static let window = 512

    /// The assignment whose name contains the keyword at `keywordStart`, if any.
    static func around(_ bytes: UnsafeRawBufferPointer, keywordStart: Int, keywordLength: Int) -> Assignment? {
        var nameStart = keywordStart
        let lowest = max(0, keywordStart - 96)
        while nameStart > lowest, ByteSet.identifier.contains(bytes[nameStart - 1]) { nameStart -= 1 }
        var nameEnd = keywordStart + keywordLength
        let highest = min(bytes.count, nameEnd + 96)
        while nameEnd < highest, ByteSet.identifier.contains(bytes[nameEnd]) { nameEnd += 1 }
        // A name inside a longer word on either side (e.g. `$password`, `@token`) is still a name;
        // a name that is itself a value on the right of another assignment is not our business.
        var position = nameEnd
        let limit = min(bytes.count, nameEnd + window)
        let quotedName = position < limit && (bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'"))
        if quotedName { position += 1 }
        if position < limit, bytes[position] == UInt8(ascii: "]") { position += 1 }
        while position < limit, bytes[position] == 32 || bytes[position] == 9 { position += 1 }
        guard position < limit else { return nil }
        // `setProperty("API_TOKEN", "…")`, `put("password", "…")`: a quoted name, a comma, a
        // quoted value.
        if quotedName, bytes[position] == UInt8(ascii: ",") {
            var valueAt = position + 1
            while valueAt < limit, bytes[valueAt] == 32 || bytes[valueAt] == 9 { valueAt += 1 }
            guard valueAt < limit, bytes[valueAt] == UInt8(ascii: "\"") || bytes[valueAt] == UInt8(ascii: "'") else { return nil }
            return quoted(bytes, name: nameStart..<nameEnd, at: valueAt, limit: limit)
        }
        // `?=` (make), `<-` (R), `||=` (Ruby).
        if bytes[position] == UInt8(ascii: "?"), position + 1 < limit, bytes[position + 1] == UInt8(ascii: "=") { position += 1 }
        if bytes[position] == UInt8(ascii: "|"), position + 2 < limit, bytes[position + 1] == UInt8(ascii: "|"), bytes[position + 2] == UInt8(ascii: "=") {
            position += 2
        }
        if bytes[position] == UInt8(ascii: "<"), position + 1 < limit, bytes[position + 1] == UInt8(ascii: "-") {
            position += 2
            while position < limit, bytes[position] == 32 { position += 1 }
            return value(bytes, name: nameStart..<nameEnd, at: position, limit: limit)
        }
        // `var apiSecret string = "…"` (Go): a type, then `=`.
        if let typed = typeThenEquals(bytes, at: position, limit: limit) {
            return value(bytes, name: nameStart..<nameEnd, at: typed, limit: limit)
        }
        // The operator: `=`, `:`, `:=`, `=>`, but not `==`, `!=`, `::` or `=~`.
        switch bytes[position] {
        case UInt8(ascii: "="):
            position += 1
            if position < limit, bytes[position] == UInt8(ascii: "=") || bytes[position] == UInt8(ascii: "~") { return nil }
            if position < limit, bytes[position] == UInt8(ascii: ">") { position += 1 }
        case UInt8(ascii: ":"):
            position += 1
            if position < limit, bytes[position] == UInt8(ascii: ":") { return nil }
            if position < limit, bytes[position] == UInt8(ascii: "=") { position += 1 }
        default:
            return nil
        }
        while position < limit, bytes[position] == 32 || bytes[position] == 9 { position += 1 }
        guard position < limit else { return nil }
        // A declared type between the name and the value: `apiKey: string = "…"` (TypeScript),
        // `val token: String = "…"` (Kotlin), `const KEY: &str = "…"` (Rust).
        if let typed = typeThenEquals(bytes, at: position, limit: limit) { position = typed }
        return value(bytes, name: nameStart..<nameEnd, at: position, limit: limit)
    }

    /// The key a setting is nested under: the YAML key of the nearest less-indented line
    /// (`datadog:` above `  apiKey: …`), or the INI/TOML section (`[pypi]`) above a line that is
    /// not indented. Looks back at most 1 KB.
    static func parentKey(_ bytes: UnsafeRawBufferPointer, before position: Int) -> String? {
        var lineStart = position
        while lineStart > 0, bytes[lineStart - 1] != 10 { lineStart -= 1 }
        var indent = 0
        while lineStart + indent < position, bytes[lineStart + indent] == 32 || bytes[lineStart + indent] == 9 || bytes[lineStart + indent] == UInt8(ascii: "-")
        {
            indent += 1
        }
        var cursor = lineStart
        let lowest = max(0, position - 1024)
        while cursor > lowest {
            let end = cursor - 1
            var start = end
            while start > 0, bytes[start - 1] != 10 { start -= 1 }
            cursor = start
            var first = start
            while first < end, bytes[first] == 32 || bytes[first] == 9 { first += 1 }
            guard first < end, bytes[first] != UInt8(ascii: "#") else { continue }
            let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[first..<end]), as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if indent == 0 {
                if line.hasPrefix("["), line.hasSuffix("]") { return String(line.dropFirst().dropLast()) }
                continue
            }
            guard first - start < indent else { continue }
            return line.hasSuffix(":") ? String(line.dropLast()) : nil
        }
        return nil
    }

    /// The assignments nested under the line holding `position` when that line is a YAML key
    /// with no value (`datadog:`) or a section header (`[datadog]`): up to 12 lines.
    static func children(_ bytes: UnsafeRawBufferPointer, under position: Int) -> [Assignment] {
        let line = Detectors.lineBounds(bytes, around: position, reach: 256)
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[line]), as: UTF8.self).trimmingCharacters(in: .whitespaces)
        let section = text.hasPrefix("[") && text.hasSuffix("]")
        guard section || text.hasSuffix(":") else { return [] }
        var indent = 0
        while line.lowerBound + indent < line.upperBound, bytes[line.lowerBound + indent] == 32 { indent += 1 }
        var found: [Assignment] = []
        var cursor = line.upperBound + 1
        for _ in 0..<12 where cursor < bytes.count {
            let child = Detectors.lineBounds(bytes, around: cursor, reach: 512)
            cursor = child.upperBound + 1
            var first = child.lowerBound
            while first < child.upperBound, bytes[first] == 32 || bytes[first] == 9 || bytes[first] == UInt8(ascii: "-") { first += 1 }
            if first == child.upperBound || bytes[first] == UInt8(ascii: "#") || bytes[first] == UInt8(ascii: ";") { continue }
            if section ? bytes[first] == UInt8(ascii: "[") : first - child.lowerBound <= indent { break }
            guard ByteSet.identifier.contains(bytes[first]) || bytes[first] == UInt8(ascii: "\"") else { continue }
            let nameAt = bytes[first] == UInt8(ascii: "\"") ? first + 1 : first
            if let assignment = around(bytes, keywordStart: nameAt, keywordLength: 1), !assignment.value.isEmpty { found.append(assignment) }
        }
        return found
    }

    static let declaredTypes: [[UInt8]] = ["string", "String", "str", "&str", "&'static str", "String?", "string?", "Str", "text"].map { Array($0.utf8) }

    /// After `position`, a type name and `=`: where the value starts.
    static func typeThenEquals(_ bytes: UnsafeRawBufferPointer, at position: Int, limit: Int) -> Int? {
        for type in declaredTypes where TokenShape.hasLiteral(type, in: bytes, at: position) {
            var after = position + type.count
            while after < limit, bytes[after] == 32 { after += 1 }
            guard after + 1 < limit, bytes[after] == UInt8(ascii: "="), bytes[after + 1] != UInt8(ascii: "=") else { return nil }
            after += 1
            while after < limit, bytes[after] == 32 { after += 1 }
            return after
        }
        return nil
    }

    /// The value at `position`: quoted, or bare up to the end of the word.
    static func value(_ bytes: UnsafeRawBufferPointer, name: Range<Int>, at position: Int, limit: Int) -> Assignment? {
        guard position < limit else { return nil }
        let nameStart = name.lowerBound, nameEnd = name.upperBound
        let opening = bytes[position]
        if opening == UInt8(ascii: "\"") || opening == UInt8(ascii: "'") || opening == UInt8(ascii: "`") {
            return quoted(bytes, name: nameStart..<nameEnd, at: position, limit: limit)
        }
        var end = position
        while end < limit, !Self.endsBareValue(bytes[end]) { end += 1 }
        // A bare value that runs past the window is not something a name-only rule can judge.
        if end == limit, limit < bytes.count { return nil }
        return Assignment(name: nameStart..<nameEnd, value: position..<end, quoted: false)
    }

    /// The quoted value whose opening quote is at `position`.
    static func quoted(_ bytes: UnsafeRawBufferPointer, name: Range<Int>, at position: Int, limit: Int) -> Assignment? {
        let opening = bytes[position]
        let start = position + 1
        var end = start
        while end < limit, bytes[end] != opening, bytes[end] != 10 {
            if bytes[end] == UInt8(ascii: "\\") { end += 1 }
            end += 1
        }
        guard end < limit, end <= bytes.count, bytes[end] == opening else { return nil }
        return Assignment(name: name, value: start..<end, quoted: true)
    }

    @inline(__always)
    static func endsBareValue(_ byte: UInt8) -> Bool {
        switch byte {
        case 32, 9, 10, 13, UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ")"), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: "<"):
            return true
        default:
            return false
        }
    }
}

/// Tells references and placeholders from values: `${{ secrets.X }}`, `op://…`, `$VAR`,
/// `<your-key>`, `changeme`, an environment variable's name. These are never findings.
enum ValueShape {
    /// Prefixes of reference syntaxes (secret managers, templating, environment lookups).
    static let referencePrefixes: [String] = [
        "$", "op://", "vault:", "vault://", "ref+", "secret:", "secrets.", "env:", "env.", "sm://", "awssm://", "gcpsm://",
        "azurekeyvault://", "keyvault://", "arn:aws:secretsmanager:", "arn:aws:ssm:", "projects/", "process.env", "os.environ",
        "os.getenv", "getenv(", "env[", "env(", "system.getenv", "config.", "settings.", "self.", "this.", "params.", "args.",
        "options.", "opts.", "props.", "import.meta.env", "%env", "@secret", "!secret", "!vault", "!env", "!ref",
        "secretkeyref", "valuefrom", "from_secret", "lookup(", "var.", "local.", "data.", "module.", "{", "<", "@",
    ]
    /// Words whose presence marks a value as a stand-in.
    static let placeholderWords: [String] = [
        "xxxx", "****", "...", "…", "changeme", "change_me", "change-me", "changeit", "replace", "your_", "your-", "yourkey",
        "yourtoken", "yourpassword", "yoursecret", "example", "placeholder", "dummy", "sample", "redacted", "fake", "insert",
        "enter_", "enter-", "here", "todo", "tbd", "notreal", "not_real", "not-a-real", "<", ">", "${", "{{", "}}", "%(", "%s",
    ]
    static let referencePrefixBytes = referencePrefixes.map { Array($0.utf8) }
    static let placeholderWordBytes = placeholderWords.map { Array($0.utf8) }
    static let exactPlaceholders: Set<String> = [
        "password", "passwd", "pass", "pwd", "secret", "token", "apikey", "api_key", "key", "none", "null", "nil", "undefined",
        "true", "false", "string", "str", "int", "bool", "optional", "required", "test", "testing", "admin", "user", "username",
        "default", "empty", "hidden", "masked", "unset", "na", "n/a", "value", "bearer", "basic", "private", "public",
    ]

    /// Whether `value` is a reference, a placeholder, or otherwise not a value worth reporting.
    static func isReferenceOrPlaceholder(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.count >= 3 else { return true }
        let lower = value.map(KeywordPrefilter.fold)
        if referencePrefixBytes.contains(where: lower.starts(with:)) { return true }
        if value.count <= 16, exactPlaceholders.contains(String(decoding: lower, as: UTF8.self)) { return true }
        let found = lower.withUnsafeBytes { haystack in
            placeholderWordBytes.contains { word in word.withUnsafeBytes { ByteSearch.firstIndex(of: $0, in: haystack) != nil } }
        }
        if found { return true }
        if value.allSatisfy({ $0 == value[0] }) { return true }
        if value.contains(where: { ByteSet.whitespace.contains($0) }) { return true }
        return isEnvironmentVariableName(value)
    }

    /// Units that follow a number in a setting: durations and sizes.
    static let settingUnits: Set<String> = [
        "ms", "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours", "d", "day", "days",
        "w", "week", "weeks", "y", "year", "years", "ns", "us", "b", "k", "kb", "kib", "mb", "mib", "g", "gb", "gib", "t", "tb", "tib", "%", "x",
    ]
    static let settingWords: Set<String> = ["true", "false", "yes", "no", "on", "off", "enabled", "disabled", "null", "none", "nil", "~"]

    /// `3600`, `30m`, `1h30m`, `512MB`, `0.5`, `true`, `P30D`: a setting, not a credential.
    static func isScalarSetting(_ value: UnsafeRawBufferPointer) -> Bool {
        let text = String(decoding: value, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")).lowercased()
        if text.isEmpty || settingWords.contains(text) { return true }
        // ISO 8601 durations.
        if text.hasPrefix("p"), text.count <= 16, text.dropFirst().allSatisfy({ $0.isNumber || "ymwdthms.".contains($0) }), text.contains(where: \.isNumber) {
            return true
        }
        // Numbers, each optionally followed by a unit (`1h30m`, `-1`, `1_000`, `1e6`).
        var rest = Substring(text)
        if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
        var groups = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == "." || $0 == "_" || $0 == ",") }
            guard !number.isEmpty, number.first!.isNumber else { return false }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter || $0 == "%" }
            if !unit.isEmpty {
                guard settingUnits.contains(String(unit)) else { return false }
                rest = rest.dropFirst(unit.count)
            }
            rest = rest.drop { $0 == " " }
            groups += 1
            if groups > 4 { return false }
        }
        return groups > 0
    }

    /// A token body written as a stand-in: `xxxx…`, one repeated character, `1234…`.
    static func isPlaceholderBody(_ body: UnsafeRawBufferPointer) -> Bool {
        guard let first = body.first else { return true }
        if body.allSatisfy({ $0 == first }) { return true }
        // `AKIAIOSFODNN7EXAMPLE` and friends: the providers' own documentation examples.
        if Array("EXAMPLE".utf8).withUnsafeBytes({ ByteSearch.firstIndex(of: $0, in: body) }) != nil { return true }
        var xRun = 0
        for byte in body {
            xRun = byte == UInt8(ascii: "x") || byte == UInt8(ascii: "X") ? xRun + 1 : 0
            if xRun >= 4 { return true }
        }
        return false
    }

    /// Four or more characters in ascending order (`1234`, `abcd`): documentation examples,
    /// almost never in generated values.
    static func hasAscendingRun(_ value: UnsafeRawBufferPointer, length: Int = 4) -> Bool {
        var run = 1
        for index in value.indices.dropFirst() {
            let previous = value[index - 1], current = value[index]
            run = current == previous &+ 1 && ByteSet.alnum.contains(current) && ByteSet.alnum.contains(previous) ? run + 1 : 1
            if run >= length { return true }
        }
        return false
    }

    /// Lower-case words joined by `-`, `_` or `.` (`payments-api-key`): a name, not a value.
    static func isSlug(_ value: UnsafeRawBufferPointer) -> Bool {
        var separators = 0, digits = 0
        for byte in value {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."): separators += 1
            default: return false
            }
        }
        return separators > 0 && digits * 4 < value.count
    }

    /// `STRIPE_API_KEY`, `DB_PASSWORD`: the name of a variable, not its value.
    static func isEnvironmentVariableName(_ value: UnsafeRawBufferPointer) -> Bool {
        var hasUnderscore = false
        var hasDigit = false
        for byte in value {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"): hasDigit = true
            case UInt8(ascii: "_"): hasUnderscore = true
            default: return false
            }
        }
        guard (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(value[0]) else { return false }
        return hasUnderscore || !hasDigit
    }

    /// Shannon entropy in bits per byte.
    static func entropy(_ value: UnsafeRawBufferPointer) -> Double {
        guard !value.isEmpty else { return 0 }
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 256) { counts in
            counts.initialize(repeating: 0)
            for byte in value { counts[Int(byte)] += 1 }
            let total = Double(value.count)
            var bits = 0.0
            for count in counts where count > 0 {
                let p = Double(count) / total
                bits -= p * log2(p)
            }
            return bits
        }
    }

    /// How many of lower case, upper case, digits and other characters the value mixes.
    static func characterClasses(_ value: UnsafeRawBufferPointer) -> Int {
        var lower = false, upper = false, digit = false, other = false
        for byte in value {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): lower = true
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): upper = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = true
            default: other = true
            }
        }
        return [lower, upper, digit, other].filter { $0 }.count
    }

    /// The entropy gate for values found by name alone: long enough, varied enough, and mixing
    /// kinds of characters the way generated credentials do.
    static func looksGenerated(_ value: UnsafeRawBufferPointer, minimumLength: Int = 8) -> Bool {
        guard value.count >= minimumLength, value.count <= 1024 else { return false }
        let classes = characterClasses(value)
        let bits = entropy(value)
        if value.count >= 20 { return bits >= 3.5 && classes >= 2 || bits >= 4.2 }
        return classes >= 3 && bits >= 3.0
    }

    /// Mostly dictionary-like words (`StreamingDistributionList.NextMarker`, `PKCS7PrivateKeyTypes`):
    /// an identifier, where a generated value has few runs of three or more lower-case letters.
    static func isWordy(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.count >= 8 else { return false }
        var inWords = 0
        var index = 0
        while index < value.count {
            var end = index
            if end < value.count, (65...90).contains(value[end]) { end += 1 }
            let lowerStart = end
            while end < value.count, (97...122).contains(value[end]) { end += 1 }
            if end - lowerStart >= 3 {
                inWords += end - index
                index = end
            } else {
                index = max(index + 1, lowerStart)
            }
        }
        return inWords * 4 >= value.count * 3
    }

    /// Path-like, URL-like or code-like values that a name-only rule must not report.
    static func isCodeOrLocation(_ value: UnsafeRawBufferPointer, quoted: Bool) -> Bool {
        let text = String(decoding: value, as: UTF8.self)
        if text.contains("://") || text.hasPrefix("/") || text.hasPrefix("./") || text.hasPrefix("~/") || text.hasPrefix("../") { return true }
        if text.contains("(") || text.contains("[") { return true }
        // Code around a value: an f-string, a brace, a quote inside a bare value.
        if !quoted, text.contains("{") || text.contains("\"") || text.contains("'") { return true }
        // Amazon resource names identify; they do not authenticate.
        if text.hasPrefix("arn:") { return true }
        // `config.api.key`, `foo.bar`: an attribute path, not a value.
        if !quoted, text.contains("."), text.utf8.allSatisfy({ ByteSet.identifier.contains($0) }),
            text.split(separator: ".").allSatisfy({ $0.first.map { !$0.isNumber } ?? false })
        {
            return true
        }
        if !quoted, text.utf8.allSatisfy({ ByteSet.letters.contains($0) || $0 == UInt8(ascii: "_") }) { return true }
        // An optional type in a declaration (a parameter typed Name? or Name!), not a value.
        if !quoted, let last = text.last, last == "?" || last == "!",
            text.dropLast().utf8.allSatisfy({ ByteSet.letters.contains($0) || $0 == UInt8(ascii: "_") })
        {
            return true
        }
        return false
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
