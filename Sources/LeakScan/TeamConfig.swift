import Foundation

/// A team's own rules and allowlists, read from a `.gitleaks.toml` at the repository root in the
/// format gitleaks defines, so a team moving from gitleaks keeps its rules:
///
/// - `[[rules]]`: `id`, `description`, `regex`, `secretGroup`, `entropy`, `keywords`, `path`,
///   `tags`, and rule allowlists (`[rules.allowlist]` or `[[rules.allowlists]]`).
/// - `[allowlist]` or `[[allowlists]]`: `description`, `paths`, `regexes`, `regexTarget`
///   (`secret`, `match` or `line`), `stopwords`, `commits`, `condition` (`OR`, `AND`), and
///   `targetRules`, which may name journey's own rules (a path allowlist for `github-pat`).
/// - `title` and `[extend]` are accepted; journey's built-in rules always run.
///
/// Custom rules are gated by their keywords like every built-in rule (one automaton pass) and
/// their regex runs on the lines where a keyword occurs. A rule without keywords runs on every
/// line of every file.
package struct TeamConfig: Sendable {
    package static let defaultFileName = ".gitleaks.toml"

    package let path: String
    let rules: [TeamRule]
    let allowlists: [Allowlist]

    package var ruleCount: Int { rules.count }

    /// Reads and checks the config at `path`.
    package static func load(_ path: String) throws(TeamConfigError) -> TeamConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TeamConfigError(path: path, line: nil, message: "cannot read the file", fix: "check its permissions, or pass --no-config")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TeamConfigError(path: path, line: nil, message: "the file is not UTF-8 text", fix: "save it as UTF-8")
        }
        return try parse(text, path: path)
    }

    package static func parse(_ text: String, path: String) throws(TeamConfigError) -> TeamConfig {
        let root: TOML.Table
        do { root = try TOML.parse(text) } catch {
            throw TeamConfigError(path: path, line: error.line, message: error.message, fix: "correct the TOML syntax (https://toml.io)")
        }
        let reader = Reader(path: path)
        try reader.checkKeys(root, allowed: ["title", "extend", "rules", "allowlist", "allowlists", "minVersion"], context: "the top level")
        var rules: [TeamRule] = []
        for table in try reader.tables(root, "rules") {
            rules.append(try reader.rule(table))
        }
        var seen: [String: Int] = [:]
        for rule in rules {
            if let earlier = seen[rule.id] {
                throw TeamConfigError(
                    path: path, line: rule.line, message: "the rule id '\(rule.id)' is used twice (first at line \(earlier))", fix: "give each rule its own id")
            }
            seen[rule.id] = rule.line
            if RuleCatalogue.rule(rule.id) != nil || RuleCatalogue.structuralRules.contains(where: { $0.id == rule.id }) {
                throw TeamConfigError(
                    path: path, line: rule.line, message: "the rule id '\(rule.id)' is one of journey's built-in rules",
                    fix: "choose another id (journey's built-in rules always run; 'journey scan --help' lists how to allowlist them)")
            }
        }
        var allowlists: [Allowlist] = []
        for table in try reader.tables(root, "allowlist") + reader.tables(root, "allowlists") {
            allowlists.append(try reader.allowlist(table, global: true))
        }
        return TeamConfig(path: path, rules: rules, allowlists: allowlists)
    }

    /// Journey rules for the scanner: one per team rule with a regex.
    var scannerRules: [Rule] {
        rules.compactMap { rule in
            guard let regex = rule.regex else { return nil }
            return Rule(
                id: rule.id, title: rule.description, keywords: rule.keywords,
                detector: .custom { bytes, start, _ in
                    // The keyword's line, at most 512 bytes either way (a minified file's line can be
                    // megabytes long, and regexec's cost grows with what it is given).
                    let line = start < 0 ? 0..<bytes.count : Detectors.lineBounds(bytes, around: start, reach: 512)
                    return rule.matches(regex, in: bytes, line: line)
                }, priority: 1, pathPattern: rule.path, team: true)
        }
    }

    /// The team rules with no keyword, which run on every line.
    var unkeyedRules: [TeamRule] { rules.filter { $0.regex != nil && $0.keywords.isEmpty } }

    /// The team rules that are about a file's path alone (a `path` and no `regex`).
    var pathRules: [TeamRule] { rules.filter { $0.regex == nil } }

    /// Whether a finding is allowlisted: by a global allowlist that covers its rule, or by one of
    /// its rule's own allowlists. Values of known secrets are allowlisted only by an allowlist
    /// that names their rule: a committed config must not silence a sealed value in plaintext.
    func allows(rule: String, secret: String, match: String, line: String, path: String, commit: String?) -> Bool {
        let subject = Allowlist.Subject(secret: secret, match: match, line: line, path: path, commit: commit)
        for allowlist in allowlists {
            if allowlist.targetRules.isEmpty ? rule == KnownValues.ruleID : !allowlist.targetRules.contains(rule) { continue }
            if allowlist.allows(subject) { return true }
        }
        if let teamRule = rules.first(where: { $0.id == rule }) {
            return teamRule.allowlists.contains { $0.allows(subject) }
        }
        return false
    }

    /// Whether every finding in the file at `path` is allowlisted by path alone (the file need
    /// not be read).
    func allowsWholeFile(_ path: String) -> Bool {
        allowlists.contains { $0.targetRules.isEmpty && $0.allowsPathAlone(path) }
    }

    // MARK: Reading the TOML

    private struct Reader {
        let path: String

        func error(_ line: Int?, _ message: String, _ fix: String) -> TeamConfigError {
            TeamConfigError(path: path, line: line, message: message, fix: fix)
        }

        func checkKeys(_ table: TOML.Table, allowed: Set<String>, context: String) throws(TeamConfigError) {
            for key in table.keys where !allowed.contains(key) {
                throw error(
                    table.line(of: key), "unknown key '\(key)' in \(context)",
                    "use one of: \(allowed.sorted().joined(separator: ", ")) (journey reads the gitleaks format; composite rules are not supported)")
            }
        }

        func tables(_ table: TOML.Table, _ key: String) throws(TeamConfigError) -> [TOML.Table] {
            switch table[key] {
            case nil: return []
            case .table(let single)?: return [single]
            case .array(let items)?:
                var tables: [TOML.Table] = []
                for item in items {
                    guard case .table(let found) = item else { throw error(table.line(of: key), "'\(key)' must hold tables", "write [[\(key)]] sections") }
                    tables.append(found)
                }
                return tables
            default: throw error(table.line(of: key), "'\(key)' must be a table", "write [\(key)] or [[\(key)]] sections")
            }
        }

        func string(_ table: TOML.Table, _ key: String) throws(TeamConfigError) -> String? {
            switch table[key] {
            case nil: return nil
            case .string(let text)?: return text
            default: throw error(table.line(of: key), "'\(key)' must be a string", "quote it: \(key) = '…'")
            }
        }

        func strings(_ table: TOML.Table, _ key: String) throws(TeamConfigError) -> [String] {
            switch table[key] {
            case nil: return []
            case .array(let items)?:
                var out: [String] = []
                for item in items {
                    guard case .string(let text) = item else {
                        throw error(table.line(of: key), "'\(key)' must be an array of strings", "write \(key) = ['…', '…']")
                    }
                    out.append(text)
                }
                return out
            default: throw error(table.line(of: key), "'\(key)' must be an array of strings", "write \(key) = ['…', '…']")
            }
        }

        func regex(_ table: TOML.Table, _ key: String, _ text: String) throws(TeamConfigError) -> PatternRegex {
            do { return try PatternRegex(text) } catch {
                throw self.error(
                    table.line(of: key), "the regex in '\(key)' cannot be used: \(error.message)",
                    "write it in the RE2 syntax gitleaks documents, within what POSIX regular expressions express (see docs/SCANNING.md)")
            }
        }

        func rule(_ table: TOML.Table) throws(TeamConfigError) -> TeamRule {
            try checkKeys(
                table, allowed: ["id", "description", "regex", "secretGroup", "entropy", "keywords", "path", "tags", "allowlist", "allowlists"],
                context: "a [[rules]] table")
            guard let id = try string(table, "id"), !id.isEmpty else {
                throw error(table.line, "a rule has no id", "add id = 'my-rule' to the [[rules]] table")
            }
            guard id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw error(table.line(of: "id"), "the rule id '\(id)' holds characters other than letters, digits, '-', '_' and '.'", "rename it")
            }
            let regexText = try string(table, "regex")
            let pathText = try string(table, "path")
            guard regexText != nil || pathText != nil else {
                throw error(table.line, "the rule '\(id)' has neither regex nor path", "add regex = '…' (or path = '…')")
            }
            let regex = try regexText.map { text throws(TeamConfigError) in try self.regex(table, "regex", text) }
            var secretGroup = 0
            switch table["secretGroup"] {
            case nil: break
            case .integer(let group)?:
                guard group >= 0, group <= (regex?.groupCount ?? 0) else {
                    throw error(
                        table.line(of: "secretGroup"), "secretGroup \(group) of rule '\(id)' is not a group of its regex (it has \(regex?.groupCount ?? 0))",
                        "count the capturing groups '(…)' of the regex; 0 means the whole match")
                }
                secretGroup = group
            default: throw error(table.line(of: "secretGroup"), "secretGroup must be an integer", "write secretGroup = 1")
            }
            var entropy: Double?
            switch table["entropy"] {
            case nil: break
            case .integer(let value)?: entropy = Double(value)
            case .float(let value)? where value >= 0 && value <= 8: entropy = value
            default: throw error(table.line(of: "entropy"), "entropy must be a number from 0 to 8 (bits per character)", "write entropy = 3.5")
            }
            var keywords: [String] = []
            for keyword in try strings(table, "keywords") {
                guard !keyword.isEmpty, keyword.utf8.count <= 64 else {
                    throw error(
                        table.line(of: "keywords"), "a keyword of rule '\(id)' is empty or longer than 64 bytes", "use short words that occur near the secret")
                }
                keywords.append(keyword.lowercased())
            }
            let path = try pathText.map { text throws(TeamConfigError) in try self.regex(table, "path", text) }
            var allowlists: [Allowlist] = []
            for allowlistTable in try tables(table, "allowlist") + tables(table, "allowlists") {
                allowlists.append(try allowlist(allowlistTable, global: false))
            }
            let description = try string(table, "description").flatMap { $0.isEmpty ? nil : $0 } ?? id
            return TeamRule(
                id: id, description: description, regex: regex, secretGroup: secretGroup, entropy: entropy, keywords: Array(Set(keywords)).sorted(), path: path,
                allowlists: allowlists, line: table.line)
        }

        func allowlist(_ table: TOML.Table, global: Bool) throws(TeamConfigError) -> Allowlist {
            var allowed: Set<String> = ["description", "paths", "regexes", "regexTarget", "stopwords", "commits", "condition"]
            if global { allowed.insert("targetRules") }
            try checkKeys(table, allowed: allowed, context: "an allowlist")
            var target = Allowlist.Target.secret
            if let text = try string(table, "regexTarget") {
                guard let parsed = Allowlist.Target(rawValue: text) else {
                    throw error(table.line(of: "regexTarget"), "regexTarget is not one of secret, match, line", "write regexTarget = 'match'")
                }
                target = parsed
            }
            var requireAll = false
            if let condition = try string(table, "condition") {
                switch condition.uppercased() {
                case "OR": requireAll = false
                case "AND": requireAll = true
                default: throw error(table.line(of: "condition"), "condition is not OR or AND", "write condition = 'AND'")
                }
            }
            var regexes: [PatternRegex] = []
            for text in try strings(table, "regexes") { regexes.append(try regex(table, "regexes", text)) }
            var paths: [PatternRegex] = []
            for text in try strings(table, "paths") { paths.append(try regex(table, "paths", text)) }
            let allowlist = Allowlist(
                regexes: regexes, target: target, paths: paths, stopwords: try strings(table, "stopwords").map { $0.lowercased() }.filter { !$0.isEmpty },
                commits: Set(try strings(table, "commits").map { $0.lowercased() }), targetRules: Set(try strings(table, "targetRules")), requireAll: requireAll
            )
            if allowlist.isEmpty {
                throw error(table.line, "an allowlist has none of paths, regexes, stopwords, commits", "add at least one, or remove the allowlist")
            }
            return allowlist
        }
    }
}

/// A rule from the team's config.
final class TeamRule: Sendable {
    let id: String
    let description: String
    let regex: PatternRegex?
    let secretGroup: Int
    let entropy: Double?
    let keywords: [String]
    let path: PatternRegex?
    let allowlists: [Allowlist]
    let line: Int

    init(
        id: String, description: String, regex: PatternRegex?, secretGroup: Int, entropy: Double?, keywords: [String], path: PatternRegex?,
        allowlists: [Allowlist],
        line: Int
    ) {
        self.id = id
        self.description = description
        self.regex = regex
        self.secretGroup = secretGroup
        self.entropy = entropy
        self.keywords = keywords
        self.path = path
        self.allowlists = allowlists
        self.line = line
    }

    /// The secrets `regex` finds on `line`: the secret group (else the first group that took
    /// part, else the whole match), above the rule's entropy.
    func matches(_ regex: PatternRegex, in bytes: UnsafeRawBufferPointer, line: Range<Int>) -> [Match] {
        regex.matches(in: bytes, range: line).compactMap { groups in
            let secret: Range<Int>?
            if secretGroup > 0 {
                secret = groups[secretGroup]
            } else {
                secret = groups.dropFirst().first { $0 != nil && !$0!.isEmpty } ?? groups[0]
            }
            guard let secret, !secret.isEmpty, let whole = groups[0] else { return nil }
            if let entropy, ValueShape.entropy(UnsafeRawBufferPointer(rebasing: bytes[secret])) <= entropy { return nil }
            return Match(range: secret, context: whole)
        }
    }
}

/// What a gitleaks allowlist lets through.
struct Allowlist: Sendable {
    enum Target: String, Sendable { case secret, match, line }

    struct Subject {
        let secret: String
        let match: String
        let line: String
        let path: String
        let commit: String?
    }

    let regexes: [PatternRegex]
    let target: Target
    let paths: [PatternRegex]
    let stopwords: [String]
    let commits: Set<String>
    /// Empty for every rule (except known values).
    let targetRules: Set<String>
    /// `condition = "AND"`: every kind of check given must pass, not just one.
    let requireAll: Bool

    var isEmpty: Bool { regexes.isEmpty && paths.isEmpty && stopwords.isEmpty && commits.isEmpty }

    func allows(_ subject: Subject) -> Bool {
        var checks: [Bool] = []
        if !commits.isEmpty { checks.append(subject.commit.map { commits.contains($0.lowercased()) } ?? false) }
        if !paths.isEmpty { checks.append(paths.contains { $0.occurs(in: subject.path) }) }
        if !regexes.isEmpty {
            let text: String
            switch target {
            case .secret: text = subject.secret
            case .match: text = subject.match
            case .line: text = subject.line
            }
            checks.append(regexes.contains { $0.occurs(in: text) })
        }
        if !stopwords.isEmpty {
            let lower = subject.secret.lowercased()
            checks.append(stopwords.contains { lower.contains($0) })
        }
        return requireAll ? checks.allSatisfy { $0 } : checks.contains(true)
    }

    /// Whether the path alone settles it: an OR allowlist whose paths match, or an AND
    /// allowlist of paths only.
    func allowsPathAlone(_ path: String) -> Bool {
        guard !paths.isEmpty, paths.contains(where: { $0.occurs(in: path) }) else { return false }
        return !requireAll || (regexes.isEmpty && stopwords.isEmpty && commits.isEmpty)
    }
}

/// A config that cannot be used: where, what, and how to fix it.
package struct TeamConfigError: Error, CustomStringConvertible, Equatable {
    package let path: String
    package let line: Int?
    package let message: String
    package let fix: String

    package var description: String {
        "\(path)\(line.map { ":\($0)" } ?? ""): \(message); fix: \(fix)"
    }
}
