/// One kind of leak the scanner reports: an id users write in baselines and SARIF, a title, the
/// keywords that make a file worth a closer look, and how to find the value.
package struct Rule: Sendable {
    package let id: String
    package let title: String
    /// Lower-case byte strings; a rule runs only where one of them occurs.
    let keywords: [String]
    let detector: Detector
    /// Lower wins when two findings cover the same bytes.
    let priority: Int
    /// A team rule's `path`: the rule runs only on files whose path it matches.
    var pathPattern: PatternRegex? = nil
    /// From the team's config, not the catalogue.
    var team: Bool = false
    /// A structural check of a whole match (a checksum); a match that fails it is no finding.
    var verify: (@Sendable (UnsafeRawBufferPointer) -> Bool)? = nil

    /// This rule, reporting only matches that pass `check`.
    func checked(_ check: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) -> Rule {
        var rule = self
        rule.verify = check
        return rule
    }

    /// What to do about a finding of this rule.
    package var fix: String {
        switch id {
        case "private-key-block", "journey-private-key", "putty-private-key":
            return
                "remove the key from the file and keep it outside the repository (journey keys live in the key folder); if it was ever pushed, make a new key pair and remove the old one"
        default:
            return Self.teamFix(title)
        }
    }

    /// The fix for a credential: revoke, seal, refer.
    static func teamFix(_ title: String) -> String {
        "revoke this \(title) (it has been exposed), seal the new value with 'journey secret add NAME' and refer to it as { secret: NAME } or ${{ secrets.NAME }}; for a test value, add 'journey:allow' on the line"
    }
}

/// How a rule finds its value once a keyword has been seen.
enum Detector: Sendable {
    /// A token of a documented shape that starts at the keyword, optionally with a run of
    /// `lead` bytes before it (for shapes whose fixed part sits in the middle).
    case token(lead: TokenShape.Part?, shape: TokenShape)
    /// A value of a documented shape assigned to a name holding every word of one of `names`.
    case assignment(names: [[String]], value: TokenShape)
    /// Hand-written for shapes that need context (private key blocks, URLs, headers).
    case custom(@Sendable (UnsafeRawBufferPointer, _ keywordStart: Int, _ keywordLength: Int) -> [Match])
}

/// Where a detector found a value: the bytes that are the secret, and how many leading bytes
/// of them are a public prefix that may be shown (`ghp_`).
struct Match {
    var range: Range<Int>
    var visiblePrefix: Int = 0
    /// A rule id to report instead of the detector's own (one detector, several URL schemes).
    var ruleID: String? = nil
    /// The whole text a team rule's regex matched, when the secret is a group of it.
    var context: Range<Int>? = nil
}

/// A finding before suppressions and positions: rule, bytes, and an optional message.
struct Candidate {
    var rule: String
    var title: String
    var fix: String
    var range: Range<Int>
    var visiblePrefix: Int
    var priority: Int
    var message: String?
    var context: Range<Int>? = nil
}
