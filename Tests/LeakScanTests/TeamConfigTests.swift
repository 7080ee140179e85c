import Foundation
import Sealing
import TestSupport
import Testing

@testable import LeakScan

/// `.gitleaks.toml`: the TOML reader, RE2 patterns on POSIX regcomp, custom rules, allowlists,
/// errors with file and line, and the real hook.
@Suite("Team rules (.gitleaks.toml)")
struct TeamConfigTests {
    static let config = """
        title = "team rules"
        [extend]
        useDefault = true

        [[rules]]
        id = "acme-service-token"
        description = "ACME service token"
        regex = '''(?i)\\b(acme_[a-z0-9]{32})(?:['|\\"|\\n|\\r|\\s|\\x60;]|$)'''
        keywords = ["acme_"]
        entropy = 3.0
        tags = ["internal"]

        [[rules]]
        id = "corp-db-password"
        regex = \"\"\"(?i)(?:corp)(?:[0-9a-z\\\\-_\\\\t .]{0,20})(?:=|:)(?:'|\\"|\\\\s){0,5}([a-z0-9]{20})\"\"\"
        secretGroup = 1
        keywords = [
          "corp", # the team's prefix
        ]
        [[rules.allowlists]]
        stopwords = ["notsecret"]

        [[rules]]
        id = "signing-bundle"
        path = '''\\.p8$'''

        [[allowlists]]
        description = "fixtures"
        paths = ['''^fixtures/''']

        [[allowlists]]
        targetRules = ["github-pat"]
        paths = ['''^docs/''']
        """

    static func scan(_ text: String, path: String = "app.txt", config: String = config) throws -> [Finding] {
        let team = try TeamConfig.parse(config, path: ".gitleaks.toml")
        let scanner = LeakScanner(team: team)
        return Array(text.utf8).withUnsafeBytes { scanner.scan(path: path, contents: $0).findings }
    }

    @Test func customRulesFindTheirSecretsAndRedactThem() throws {
        let token = "acme_" + Synthetic.random(32, from: "abcdefghijklmnopqrstuvwxyz0123456789")
        let password = Synthetic.random(20, from: "abcdefghijklmnopqrstuvwxyz0123456789")
        let findings = try Self.scan("service = \"\(token)\"\ncorp_db_pass: '\(password)'\n")
        #expect(findings.map(\.rule) == ["acme-service-token", "corp-db-password"])
        #expect(findings[0].title == "ACME service token")
        #expect(findings[1].line == 2 && findings[1].column == 16, "the secret group, not the whole match")
        for finding in findings {
            #expect(!finding.excerpt.contains(token) && !finding.excerpt.contains(password))
            #expect(finding.excerpt.contains("***"))
        }
    }

    @Test func entropyStopwordsPathsAndTargetRulesAllowlist() throws {
        // Below the rule's entropy: one letter repeated.
        #expect(try Self.scan("x = acme_" + String(repeating: "a", count: 32) + "\n").isEmpty)
        // A rule allowlist's stopword.
        #expect(try Self.scan("corp_pass = notsecretnotsecret12ab\n").isEmpty)
        // A global path allowlist silences every rule, built-in ones too.
        let github = Synthetic.githubToken()
        #expect(try Self.scan("TOKEN=\(github)\n", path: "fixtures/a.env").isEmpty)
        // A targeted allowlist covers only the rules it names.
        #expect(try Self.scan("TOKEN=\(github)\n", path: "docs/setup.md").isEmpty)
        #expect(try Self.scan("TOKEN=\(Synthetic.stripeKey())\n", path: "docs/setup.md").map(\.rule) == ["stripe-secret-key"])
        #expect(try Self.scan("TOKEN=\(github)\n", path: "src/a.env").map(\.rule) == ["github-pat"])
        // A path rule reports the file by its name.
        #expect(try Self.scan("anything\n", path: "keys/AuthKey.p8").map(\.rule) == ["signing-bundle"])
    }

    @Test func rulesWithoutKeywordsRunOnEveryLine() throws {
        let config = "[[rules]]\nid = 'ticket-secret'\nregex = 'TKT-[0-9]{6}-([A-Z]{10})'\n"
        let findings = try Self.scan("a\nref TKT-123456-QWERTYUIOP end\n", config: config)
        #expect(findings.map(\.rule) == ["ticket-secret"])
        #expect(findings.first?.line == 2 && findings.first?.column == 16)
    }

    /// Threat: a team rule whose first group is the name (no `secretGroup`, as gitleaks reads
    /// it) hid only the name and printed the value beside it; an unquoted value in the config
    /// was echoed in the error.
    @Test func aTeamRuleHidesItsWholeMatchAndConfigErrorsEchoNoValue() throws {
        let value = Synthetic.random(32, from: "abcdefghijklmnopqrstuvwxyz0123456789")
        let config = #"""
            [[rules]]
            id = "name-first"
            description = "a rule whose first group is the name"
            regex = '(acct|ref)\s*=\s*([a-z0-9]{32})'
            keywords = ["acct"]
            """#
        let findings = try Self.scan("acct = \(value)\n", config: config)
        #expect(findings.map(\.rule) == ["name-first"])
        #expect(findings.allSatisfy { !$0.excerpt.contains(value) && $0.excerpt.contains("***") })
        do {
            _ = try TeamConfig.parse("[allowlist]\nstopwords = [\(value)]\n", path: ".gitleaks.toml")
            Issue.record("accepted an unquoted value")
        } catch {
            #expect(!error.description.contains(value), "\(error)")
        }
    }

    @Test func badConfigsNameFileLineAndFix() {
        let cases: [(String, Int?, String)] = [
            ("[[rules]]\nid = 'a'\nregex = \"\\d+\"\n", 3, "not a TOML escape"),
            ("[[rules]]\nid = 'a'\nregex = '[\\p{L}]+'\n", 3, "Unicode classes"),
            ("[[rules]]\nid = 'a'\nregex = '(unclosed'\n", 3, "does not compile"),
            ("[[rules]]\nid = 'a'\nregex = 'x(y)'\nsecretGroup = 2\n", 4, "not a group"),
            ("[[rules]]\nid = 'a'\nregx = 'x'\n", 3, "unknown key 'regx'"),
            ("[[rules]]\ndescription = 'no id'\nregex = 'x'\n", 1, "has no id"),
            ("[[rules]]\nid = 'github-pat'\nregex = 'x'\n", 1, "built-in"),
            ("[[rules]]\nid = 'a'\nregex = 'x'\n[[rules]]\nid = 'a'\nregex = 'y'\n", 4, "used twice"),
            ("[allowlist]\ndescription = 'nothing'\n", 1, "none of paths"),
            ("[allowlist]\npaths = ['a'\n", 2, "not closed"),
            ("title = 'a'\ntitle = 'b'\n", 2, "set twice"),
            ("[[rules]]\nid = 'a'\nregex = 'x'\nentropy = 'high'\n", 4, "entropy must be a number"),
        ]
        for (text, line, message) in cases {
            do {
                _ = try TeamConfig.parse(text, path: "/repo/.gitleaks.toml")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.line == line, "\(error)")
                #expect(error.description.hasPrefix("/repo/.gitleaks.toml"), "\(error)")
                #expect(error.description.contains(message), "\(error)")
                #expect(!error.fix.isEmpty)
            }
        }
    }

    @Test func tomlReaderReadsWhatGitleaksConfigsUse() throws {
        let table = try TOML.parse(
            """
            # comment
            a = "tab\\tquote\\" \\u00e9"
            b = 'C:\\path'
            c = [1, 2.5, true, "x", [ 'nested' ],]
            d.e = { f = 1, g = "h" }
            m = '''
            raw \\d line'''
            [[t]]
            k = 1
            [[t]]
            k = 2
            [t.sub]
            s = "in the second"
            """)
        guard case .string(let a)? = table["a"], case .string(let b)? = table["b"], case .array(let c)? = table["c"], case .string(let m)? = table["m"],
            case .array(let t)? = table["t"], case .table(let second) = t[1], case .table(let sub)? = second["sub"], case .string(let s)? = sub["s"]
        else {
            Issue.record("unexpected shape")
            return
        }
        #expect(a == "tab\tquote\" é")
        #expect(b == "C:\\path")
        #expect(c.count == 5)
        #expect(m == "raw \\d line")
        #expect(s == "in the second")
        #expect(table.line(of: "m") == 6)
    }

    @Test func re2PatternsTranslateToPosix() throws {
        func finds(_ pattern: String, _ text: String) throws -> String? {
            let regex = try PatternRegex(pattern)
            return Array(text.utf8).withUnsafeBytes { bytes in
                regex.matches(in: bytes, range: 0..<bytes.count).first.flatMap { groups in
                    (groups.dropFirst().compactMap { $0 }.first ?? groups[0]).map {
                        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[$0]), as: UTF8.self)
                    }
                }
            }
        }
        #expect(try finds(#"(?i)(?:key)\s*[:=]\s*(\d{4})"#, "KEY = 1234") == "1234")
        #expect(try finds(#"[\w\-.]+@(?P<host>[a-z]+)\.com"#, "a.b-c@corp.com") == "corp")
        #expect(try finds(#"x\x60([^\x60]+)\x60"#, "x`inner`") == "inner")
        #expect(try finds(#"a{2}b{"#, "aab{") == "aab{")
        #expect(try finds(#"[\]\[^-]+"#, "z]^[-") == "]^[-")
        #expect(try finds(#"\bword\b"#, "a sword") == nil)
        #expect(try finds(#"q.*?z"#, "qaz") == "qaz")
        // The literal every match holds lets lines without it skip regexec.
        func literal(_ pattern: String) -> String? { PatternRegex.requiredLiteral(of: pattern).map { String(decoding: $0, as: UTF8.self) } }
        #expect(literal(#"(?i)(?:corp)(?:[a-z]{0,20})\s*=\s*(\d{4})"#) == "corp")
        #expect(literal(#"\b(acme_[a-z0-9]{32})\b"#) == "acme_")
        #expect(literal(#"(?:abc|xyz)_key([0-9]+)"#) == "_key")
        #expect(literal(#"abcd|efgh"#) == nil)
        #expect(literal(#"(?i)(?:corp)(?:[0-9a-z\-_\t .]{0,200})(?:=|:)(?:'|\"|\s){0,5}([a-z0-9]{20})"#) == "corp")
        #expect(literal(#"x\x60\x{60}(opt)?ional"#) == "ional")
        #expect(try finds(#"(?i)prefix_([0-9]{4})"#, "PREFIX_1234") == "1234")
    }

    /// A committed config cannot silence a sealed value found in plaintext unless it names the
    /// known-value rule; it can silence the catalogue's rules on the same path.
    @Test func untargetedAllowlistsDoNotSilenceKnownValues() throws {
        let value = "kv-" + Synthetic.random(24)
        let known = KnownValues([KnownSecret(name: "db-password", source: "$DB_PASSWORD", value: SecretBytes(copying: Array(value.utf8)))])
        func scan(_ config: String) throws -> [String] {
            let scanner = LeakScanner(knownValues: known, team: try TeamConfig.parse(config, path: ".gitleaks.toml"))
            return Array("db = \(value)\nTOKEN=\(Synthetic.githubToken())\n".utf8).withUnsafeBytes {
                scanner.scan(path: "app/x.env", contents: $0).findings.map(\.rule)
            }
        }
        let everything = "[allowlist]\npaths = ['.*']\nregexes = ['.*']\nstopwords = ['kv-']\n"
        #expect(try scan(everything) == [KnownValues.ruleID])
        #expect(try scan("[[allowlists]]\ntargetRules = ['\(KnownValues.ruleID)']\npaths = ['^app/']\n") == ["github-pat"])
    }
}
