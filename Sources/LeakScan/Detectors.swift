import FoundationEssentials

/// The hand-written detectors: shapes that need a look at their surroundings.
enum Detectors {
    static let schemeCharacters = ByteSet("a-zA-Z0-9+.-")
    static let wordCharacters = ByteSet("a-zA-Z ")
    static let bearerCharacters = ByteSet("a-zA-Z0-9._~+/=-")
    static let base64Characters = ByteSet("a-zA-Z0-9+/=")
    static let templateOpeners = ByteSet("${")

    // MARK: Private key blocks

    /// `-----BEGIN … PRIVATE KEY-----` followed by key material (not a bare header in code that
    /// looks for one). The secret is the block up to its END line, or the first 4 KB.
    @Sendable static func privateKeyBlock(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        let headerLimit = min(bytes.count, start + length + 48)
        guard let close = find("-----", in: bytes, from: start + length, to: headerLimit) else { return [] }
        let label = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(start + length)..<close]), as: UTF8.self)
        guard label.hasSuffix("PRIVATE KEY") || label.hasSuffix("PRIVATE KEY BLOCK") else { return [] }
        // Key material: a run of 32+ base64 bytes within the next lines (PEM headers allowed).
        var position = close + 5
        let bodyLimit = min(bytes.count, position + 256)
        var run = 0
        while position < bodyLimit {
            let byte = bytes[position]
            if ByteSet.base64.contains(byte) || byte == UInt8(ascii: "=") {
                run += 1
                if run >= 32 { break }
            } else {
                run = 0
            }
            position += 1
        }
        guard run >= 32 else { return [] }
        let end = find("-----END", in: bytes, from: position, to: min(bytes.count, start + 16384)).map { $0 + 8 } ?? min(bytes.count, position + 64)
        // The header names the kind of key and is no secret: it stays visible in excerpts.
        return [Match(range: start..<end, visiblePrefix: close + 5 - start)]
    }

    // MARK: Passwords in URLs and connection strings

    static let urlSchemes: [String: String] = [
        "postgres": "postgres-url-password", "postgresql": "postgres-url-password", "postgis": "postgres-url-password",
        "mysql": "mysql-url-password", "mysql2": "mysql-url-password", "mariadb": "mysql-url-password",
        "mongodb": "mongodb-url-password", "mongodb+srv": "mongodb-url-password",
        "redis": "redis-url-password", "rediss": "redis-url-password", "valkey": "redis-url-password",
        "amqp": "amqp-url-password", "amqps": "amqp-url-password",
        "mssql": "url-password", "sqlserver": "url-password", "ftp": "url-password", "ftps": "url-password", "sftp": "url-password",
        "smtp": "url-password", "smtps": "url-password", "ldap": "url-password", "ldaps": "url-password", "http": "url-password",
        "https": "url-password", "clickhouse": "url-password", "cockroachdb": "url-password", "nats": "url-password",
        "kafka": "url-password", "ssh": "url-password", "git": "url-password", "svn": "url-password", "oracle": "url-password",
    ]

    /// `scheme://user:password@host` with a literal password.
    @Sendable static func urlPassword(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        var schemeStart = start
        while schemeStart > max(0, start - 16), schemeCharacters.contains(bytes[schemeStart - 1]) { schemeStart -= 1 }
        let scheme = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[schemeStart..<start]), as: UTF8.self).lowercased()
        let bare = scheme.hasPrefix("jdbc:") ? String(scheme.dropFirst(5)) : scheme
        guard let rule = urlSchemes[bare.split(separator: ":").last.map(String.init) ?? bare] else { return [] }
        let userStart = start + length
        let limit = min(bytes.count, userStart + 256)
        var colon: Int?
        var position = userStart
        while position < limit {
            let byte = bytes[position]
            if byte == UInt8(ascii: "@") { break }
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") || ByteSet.whitespace.contains(byte)
                || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "`")
            {
                return []
            }
            if byte == UInt8(ascii: ":"), colon == nil { colon = position }
            position += 1
        }
        guard position < limit, let colon, colon + 1 < position else { return [] }
        let password = UnsafeRawBufferPointer(rebasing: bytes[(colon + 1)..<position])
        guard !isPlaceholderPassword(password) else { return [] }
        return [Match(range: (colon + 1)..<position, ruleID: rule)]
    }

    /// `Server=…;User Id=…;Password=…;` (ADO.NET, ODBC, JDBC properties).
    @Sendable static func connectionStringPassword(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        guard start == 0 || !ByteSet.alnum.contains(bytes[start - 1]) else { return [] }
        guard hasConnectionStringKey(before: start, in: bytes) else { return [] }
        let valueStart = start + length
        var end = valueStart
        let limit = min(bytes.count, valueStart + 256)
        while end < limit, bytes[end] != UInt8(ascii: ";"), bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "'"), bytes[end] != 10,
            bytes[end] != 13
        { end += 1 }
        guard end > valueStart else { return [] }
        let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<end])
        guard !isPlaceholderPassword(value) else { return [] }
        return [Match(range: valueStart..<end)]
    }

    static let connectionStringKeys: [[UInt8]] = ["server", "data source", "host", "hostname", "uid", "user id", "database", "dsn", "initial catalog"].map {
        Array($0.utf8)
    }

    /// Whether a `Server=`-style key sits earlier on the line (within 256 bytes): looks only
    /// at the words before each `=`, on bytes, so a long line costs no more than a short one.
    static func hasConnectionStringKey(before position: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        var index = position - 1
        let lowest = max(0, position - 256)
        while index > lowest, bytes[index] != 10 {
            if bytes[index] == UInt8(ascii: "=") {
                var wordStart = index
                while wordStart > max(lowest, index - 16), wordCharacters.contains(bytes[wordStart - 1]) { wordStart -= 1 }
                while wordStart < index, bytes[wordStart] == 32 { wordStart += 1 }
                var wordEnd = index
                while wordEnd > wordStart, bytes[wordEnd - 1] == 32 { wordEnd -= 1 }
                let length = wordEnd - wordStart
                for key in connectionStringKeys where key.count == length {
                    if (0..<length).allSatisfy({ KeywordPrefilter.fold(bytes[wordStart + $0]) == key[$0] }) { return true }
                }
            }
            index -= 1
        }
        return false
    }

    /// Stand-ins that documentation puts where a password goes: `user:password@`, `${DB_PASS}`.
    static func isPlaceholderPassword(_ value: UnsafeRawBufferPointer) -> Bool {
        let lower = String(decoding: value, as: UTF8.self).lowercased()
        if ["password", "pass", "passwd", "pw", "pwd", "secret", "changeme", "user", "username", "example", "null", "none"].contains(lower) { return true }
        if lower.hasPrefix("$") || lower.hasPrefix("%") { return true }
        return ["{", "<", ">", "***", "...", "…", "xxx", "changeme", "your", "example", "placeholder", "redacted", "dummy"].contains(where: lower.contains)
    }

    // MARK: HTTP authorization

    /// `Bearer <token>` where the token is a literal, not `${{ … }}` or `$TOKEN`.
    @Sendable static func bearerToken(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        guard start == 0 || !ByteSet.alnum.contains(bytes[start - 1]) else { return [] }
        guard bytes[start] == UInt8(ascii: "B") || bytes[start] == UInt8(ascii: "b") else { return [] }
        let valueStart = start + length
        var end = valueStart
        let set = bearerCharacters
        while end < min(bytes.count, valueStart + 4096), set.contains(bytes[end]) { end += 1 }
        let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<end])
        guard value.count >= 16, ValueShape.looksGenerated(value, minimumLength: 16), !ValueShape.isReferenceOrPlaceholder(value),
            !ValueShape.hasAscendingRun(value)
        else { return [] }
        if end < bytes.count, bytes[end] == UInt8(ascii: "$") || bytes[end] == UInt8(ascii: "{") { return [] }
        return [Match(range: valueStart..<end)]
    }

    /// `Authorization: Basic <base64 of user:password>`.
    @Sendable static func basicCredentials(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        guard start >= 8 else { return [] }
        let before = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[max(0, start - 24)..<start]), as: UTF8.self).lowercased()
        guard before.contains("authorization") || before.contains("auth") else { return [] }
        let valueStart = start + length
        var end = valueStart
        while end < min(bytes.count, valueStart + 1024), base64Characters.contains(bytes[end]) { end += 1 }
        guard end - valueStart >= 8, end == bytes.count || !templateOpeners.contains(bytes[end]) else { return [] }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<end]), as: UTF8.self)
        guard let decoded = Data(base64Encoded: text), let colon = decoded.firstIndex(of: UInt8(ascii: ":")), colon + 1 < decoded.endIndex else { return [] }
        // `username:password` in documentation is an example, not a credential.
        let password = Array(decoded[(colon + 1)...])
        guard password.withUnsafeBytes({ ContextDetectors.isLiteralPassword($0) }) else { return [] }
        return [Match(range: valueStart..<end)]
    }

    // MARK: Generic assignments

    /// Endings of names that hold something about a credential, not the credential.
    static let describingSuffixes = [
        "id", "ids", "name", "names", "url", "uri", "urls", "path", "file", "filename", "dir", "type", "ref", "length", "len", "count",
        "hint", "policy", "field", "env", "var", "header", "format", "endpoint", "expiry", "expiresat", "expires", "expiration", "ttl",
        "enabled", "required", "mode", "method", "provider", "version", "size", "prompt", "label", "placeholder", "pattern", "regex",
        "column", "index", "kind", "source", "store", "manager", "arn", "location", "lifetime", "timeout", "limit", "prefix", "suffix",
        "tokens", "secrets", "passwords", "credentials", "validator", "class", "service", "scope", "scopes", "hash", "digest",
        "sha256", "sha1", "sha512", "md5", "fingerprint", "checksum", "version", "rotation", "seconds", "minutes", "hours", "days",
    ]

    /// A high-entropy literal assigned to a name like `password`, `api_key`, `client_secret`.
    @Sendable static func genericAssignment(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> [Match] {
        guard let assignment = Assignment.around(bytes, keywordStart: start, keywordLength: length) else { return [] }
        // Cheap byte checks first: most hits in source code end here.
        let value = UnsafeRawBufferPointer(rebasing: bytes[assignment.value])
        guard value.count >= 6 else { return [] }
        // A name inside a value (`arn:…:secret:prod/db`, `vault/secret/app`) is no name.
        if assignment.name.lowerBound > 0,
            bytes[assignment.name.lowerBound - 1] == UInt8(ascii: ":") || bytes[assignment.name.lowerBound - 1] == UInt8(ascii: "/")
        {
            return []
        }
        // A password is often typed by a person: it need not look generated, only be a literal.
        // (Decided on bytes: this runs on every credential word in every file.)
        let password = Self.mentionsPassword(UnsafeRawBufferPointer(rebasing: bytes[assignment.name]))
        guard password || (value.count >= 8 && ValueShape.looksGenerated(value)) else { return [] }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[assignment.name]), as: UTF8.self).lowercased()
        if RuleCatalogue.documentedPrefixes.contains(where: { value.starts(with: $0) }) { return [] }
        guard !ValueShape.isReferenceOrPlaceholder(value), !ValueShape.isSlug(value), !ValueShape.hasAscendingRun(value),
            !ValueShape.isCodeOrLocation(value, quoted: assignment.quoted), !ValueShape.isScalarSetting(value)
        else { return [] }
        // Base64 of text (a Kubernetes Secret's `data:`) is judged by what it encodes.
        if value.count >= 8, let decoded = Encoded.decodeBase64(value), decoded.count >= 4, decoded.allSatisfy({ $0 >= 32 && $0 < 127 }) {
            guard decoded.withUnsafeBytes({ ContextDetectors.isCredentialValue($0, name: name) }) else { return [] }
        } else if !password, ValueShape.isWordy(value) {
            return []
        } else if password {
            guard ContextDetectors.isCredentialValue(value, name: name) else { return [] }
            // Unquoted in code, a bare word is more likely an identifier than a password.
            if !assignment.quoted, value.allSatisfy({ ByteSet.identifier.contains($0) }), ValueShape.characterClasses(value) < 2 { return [] }
        }
        let compact = name.filter { $0 != "_" && $0 != "-" && $0 != "." }
        if describingSuffixes.contains(where: compact.hasSuffix) { return [] }
        if compact.contains("author") && !compact.contains("authoriz") { return [] }
        if compact.contains("tokeniz") || compact.hasPrefix("max") || compact.hasPrefix("num") { return [] }
        // The value repeating the name (`password: Password1`) is a label, not a credential.
        if String(decoding: value, as: UTF8.self).lowercased().filter({ $0.isLetter }) == compact.filter({ $0.isLetter }) { return [] }
        return [Match(range: assignment.value)]
    }

    // MARK: Helpers

    static let passwordMarkers = ["pass", "pwd"].map { Array($0.utf8) }

    /// Whether a name holds `pass` or `pwd` in any case (`DB_PASSWORD`, `signingPassword`).
    static func mentionsPassword(_ name: UnsafeRawBufferPointer) -> Bool {
        guard name.count >= 3 else { return false }
        for start in 0...(name.count - 3) {
            for marker in passwordMarkers where TokenShape.hasLiteralFolded(marker, in: name, at: start) { return true }
        }
        return false
    }

    static func find(_ needle: String, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        let pattern = Array(needle.utf8)
        guard to - from >= pattern.count, from >= 0 else { return nil }
        var position = from
        while position + pattern.count <= to {
            if TokenShape.hasLiteral(pattern, in: bytes, at: position) { return position }
            position += 1
        }
        return nil
    }

    /// The line holding `position`, looking at most `reach` bytes either way.
    static func lineBounds(_ bytes: UnsafeRawBufferPointer, around position: Int, reach: Int) -> Range<Int> {
        var start = position
        while start > max(0, position - reach), bytes[start - 1] != 10 { start -= 1 }
        var end = position
        while end < min(bytes.count, position + reach), bytes[end] != 10 { end += 1 }
        return start..<end
    }
}
