#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A team rule's regular expression, written in the syntax gitleaks uses (Go's RE2) and run by
/// the C library's POSIX engine (`regcomp`/`regexec`).
///
/// The engine was chosen by measurement (docs/SCANNING.md): on a typical gitleaks-style rule,
/// compiling takes 0.15 ms with `regcomp` against 1.4–2 ms with Swift `Regex` (20 rules would eat
/// most of a commit's 50 ms budget), and matching runs 3.6 MB/s against 0.9 MB/s. Matching speed
/// matters less than it seems: rules run only on the lines where one of their keywords occurs.
///
/// RE2 syntax is translated to POSIX extended syntax: `(?:…)` becomes a group that is left out of
/// the group numbering, `\d \s \w` and their negations become bracket classes, escapes inside
/// brackets become literal members, `(?i)` makes the whole expression case-insensitive, and lazy
/// quantifiers (`*?`) match greedily. Constructs with no POSIX equivalent (`\p{…}`, back
/// references) are refused with an error.
final class PatternRegex: @unchecked Sendable {
    /// The pattern as written, for messages.
    let source: String
    /// How many capturing groups the RE2 pattern has.
    let groupCount: Int
    /// The POSIX group index of each RE2 group (index 0 is the whole match).
    private let groupMap: [Int]
    private let posixGroupCount: Int
    // `regexec` on a compiled expression is safe from several threads (glibc locks inside).
    private var compiled = regex_t()

    struct SyntaxError: Error {
        let message: String
    }

    init(_ pattern: String) throws(SyntaxError) {
        source = pattern
        let translated = try Self.translate(pattern)
        groupMap = translated.groupMap
        groupCount = translated.groupMap.count - 1
        posixGroupCount = translated.posixGroups
        let flags = REG_EXTENDED | (translated.caseInsensitive ? REG_ICASE : 0)
        caseInsensitive = translated.caseInsensitive
        requiredLiteral = Self.requiredLiteral(of: pattern).map { translated.caseInsensitive ? $0.map(KeywordPrefilter.fold) : $0 }
        let status = regcomp(&compiled, translated.posix, flags)
        if status != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            regerror(status, &compiled, &buffer, buffer.count)
            let reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw SyntaxError(message: "the regex does not compile (\(reason))")
        }
    }

    deinit { regfree(&compiled) }

    /// A literal every match contains (lower-cased when the pattern is case-insensitive), if
    /// the pattern has one of 3+ bytes: a line without it is skipped without calling `regexec`.
    private(set) var requiredLiteral: [UInt8]? = nil
    private(set) var caseInsensitive = false

    /// Whether `range` of `bytes` can hold a match, by the required literal alone.
    func mayMatch(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) -> Bool {
        guard let literal = requiredLiteral else { return true }
        guard range.count >= literal.count else { return false }
        if !caseInsensitive {
            return literal.withUnsafeBytes { ByteSearch.firstIndex(of: $0, in: UnsafeRawBufferPointer(rebasing: bytes[range])) != nil }
        }
        var position = range.lowerBound
        let last = range.upperBound - literal.count
        while position <= last {
            if KeywordPrefilter.fold(bytes[position]) == literal[0], TokenShape.hasLiteralFolded(literal, in: bytes, at: position) { return true }
            position += 1
        }
        return false
    }

    /// The longest run of literal characters outside any alternative or optional part.
    static func requiredLiteral(of pattern: String) -> [UInt8]? {
        let characters = Array(pattern.unicodeScalars)
        // Each group: does it hold a `|` of its own, and is it optional (`?`, `*`, `{0`)?
        var closing: [Int: Int] = [:]
        var stack: [Int] = []
        var alternating = Set<Int>()
        var index = 0
        var inBracket = false
        var topLevelAlternation = false
        while index < characters.count {
            let character = characters[index]
            if character == "\\" {
                index += 2
                continue
            }
            if inBracket {
                if character == "]" { inBracket = false }
            } else if character == "[" {
                inBracket = true
                if index + 1 < characters.count, characters[index + 1] == "]" { index += 1 }
            } else if character == "(" {
                stack.append(index)
            } else if character == ")" {
                if let open = stack.popLast() { closing[open] = index }
            } else if character == "|" {
                if let open = stack.last { alternating.insert(open) } else { topLevelAlternation = true }
            }
            index += 1
        }
        guard !topLevelAlternation else { return nil }
        func optional(after position: Int) -> Bool {
            guard position < characters.count else { return false }
            let next = characters[position]
            if next == "?" || next == "*" { return true }
            if next == "{", position + 1 < characters.count, characters[position + 1] == "0" { return true }
            return false
        }
        var best: [UInt8] = []
        var run: [UInt8] = []
        func finish() {
            if run.count > best.count { best = run }
            run = []
        }
        index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "(":
                finish()
                guard let close = closing[index] else { return nil }
                if alternating.contains(index) || optional(after: close + 1) {
                    index = close + 1
                    continue
                }
                // Skip the group's `?:`, `?i:`, `?P<name>` or `?i)` opening.
                var look = index + 1
                if look < characters.count, characters[look] == "?" {
                    while look < characters.count, characters[look] != ":" && characters[look] != ")" && characters[look] != ">" { look += 1 }
                    index = look + 1
                } else {
                    index = look
                }
                continue
            case "\\":
                guard index + 1 < characters.count else { return nil }
                let escaped = characters[index + 1]
                let isLiteral = escaped.isASCII && !("a"..."z").contains(escaped) && !("A"..."Z").contains(escaped) && !("0"..."9").contains(escaped)
                if isLiteral, !optional(after: index + 2) {
                    run.append(UInt8(escaped.value))
                    if index + 2 < characters.count, characters[index + 2] == "+" { finish() }
                } else {
                    finish()
                }
                index += 2
                // `\x60`, `\x{60}`: the digits belong to the escape.
                if escaped == "x" {
                    if index < characters.count, characters[index] == "{" {
                        while index < characters.count, characters[index] != "}" { index += 1 }
                        index += 1
                    } else {
                        index += 2
                    }
                }
                continue
            case "[":
                finish()
                var look = index + 1
                if look < characters.count, characters[look] == "]" { look += 1 }
                while look < characters.count, characters[look] != "]" {
                    if characters[look] == "\\" { look += 1 }
                    look += 1
                }
                index = look + 1
                continue
            case "{":
                // A repetition count is no literal.
                finish()
                while index < characters.count, characters[index] != "}" { index += 1 }
            case ".", "^", "$", ")", "|", "*", "+", "?", "}":
                finish()
            default:
                if character.isASCII, !optional(after: index + 1) {
                    run.append(UInt8(character.value))
                    if index + 1 < characters.count, characters[index + 1] == "+" { finish() }
                } else {
                    finish()
                }
            }
            index += 1
        }
        finish()
        return best.count >= 3 ? best : nil
    }

    /// Each match within `range` of `bytes`: the ranges of RE2 groups 0…groupCount (`nil` for a
    /// group that took no part).
    func matches(in bytes: UnsafeRawBufferPointer, range: Range<Int>, limit: Int = 64) -> [[Range<Int>?]] {
        guard mayMatch(bytes, range: range), let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self), !range.isEmpty || range.lowerBound == 0 else {
            return []
        }
        var results: [[Range<Int>?]] = []
        var groups = [regmatch_t](repeating: regmatch_t(), count: posixGroupCount + 1)
        var start = range.lowerBound
        while start <= range.upperBound, results.count < limit {
            groups[0].rm_so = regoff_t(start)
            groups[0].rm_eo = regoff_t(range.upperBound)
            let flags = REG_STARTEND | (start > range.lowerBound ? REG_NOTBOL : 0)
            guard regexec(&compiled, base, groups.count, &groups, flags) == 0 else { break }
            results.append(
                groupMap.map { index in
                    let group = groups[index]
                    return group.rm_so < 0 ? nil : Int(group.rm_so)..<Int(group.rm_eo)
                })
            start = max(Int(groups[0].rm_eo), Int(groups[0].rm_so) + 1)
        }
        return results
    }

    /// Whether the pattern occurs anywhere in `text`.
    func occurs(in text: String) -> Bool {
        var text = text
        return text.withUTF8 { !matches(in: UnsafeRawBufferPointer($0), range: 0..<$0.count, limit: 1).isEmpty }
    }

    // MARK: Translation

    static let posixSpecial = Set(".[]()*+?{}|^$\\".unicodeScalars)

    static func translate(_ pattern: String) throws(SyntaxError) -> (posix: String, groupMap: [Int], posixGroups: Int, caseInsensitive: Bool) {
        let characters = Array(pattern.unicodeScalars)
        var out = ""
        var groupMap = [0]
        var posixGroups = 0
        var caseInsensitive = false
        var index = 0
        var afterQuantifiable = false

        func literal(_ scalar: Unicode.Scalar) -> String {
            posixSpecial.contains(scalar) ? "\\" + String(scalar) : String(scalar)
        }

        while index < characters.count {
            let character = characters[index]
            switch character {
            case "(":
                if index + 1 < characters.count, characters[index + 1] == "?" {
                    // (?flags) (?flags:…) (?:…) (?P<name>…) (?<name>…)
                    var look = index + 2
                    if look < characters.count, characters[look] == "P" || characters[look] == "<" {
                        while look < characters.count, characters[look] != ">" { look += 1 }
                        guard look < characters.count else { throw SyntaxError(message: "a named group is not closed with '>'") }
                        posixGroups += 1
                        groupMap.append(posixGroups)
                        out += "("
                        index = look + 1
                        afterQuantifiable = false
                        continue
                    }
                    var flags = ""
                    while look < characters.count, "imsU-".unicodeScalars.contains(characters[look]) {
                        flags.unicodeScalars.append(characters[look])
                        look += 1
                    }
                    guard look < characters.count, characters[look] == ")" || characters[look] == ":" else {
                        throw SyntaxError(message: "'(?' starts a group kind that POSIX regular expressions cannot express")
                    }
                    if flags.split(separator: "-").first?.contains("i") == true { caseInsensitive = true }
                    if characters[look] == ")" {
                        index = look + 1
                        continue
                    }
                    // A non-capturing group: a POSIX group the numbering skips.
                    posixGroups += 1
                    out += "("
                    index = look + 1
                    afterQuantifiable = false
                    continue
                }
                posixGroups += 1
                groupMap.append(posixGroups)
                out += "("
                afterQuantifiable = false
            case "\\":
                guard index + 1 < characters.count else { throw SyntaxError(message: "the regex ends with a lone backslash") }
                let (translated, consumed) = try escape(characters, at: index + 1, inBracket: false)
                out += translated
                index += consumed + 1
                afterQuantifiable = true
                continue
            case "[":
                let (translated, next) = try bracket(characters, at: index)
                out += translated
                index = next
                afterQuantifiable = true
                continue
            case "*", "+", "?":
                out.unicodeScalars.append(character)
                // A lazy or repeated quantifier marker: POSIX matches greedily.
                if index + 1 < characters.count, characters[index + 1] == "?" { index += 1 }
                afterQuantifiable = false
            case "{":
                var look = index + 1
                var text = ""
                while look < characters.count, characters[look] != "}" {
                    text.unicodeScalars.append(characters[look])
                    look += 1
                }
                let isRepetition =
                    look < characters.count && afterQuantifiable && !text.isEmpty
                    && text.split(separator: ",", omittingEmptySubsequences: false).count <= 2
                    && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || $0 == "," } && text.first != ","
                if isRepetition {
                    out += "{" + text + "}"
                    index = look + 1
                    if index < characters.count, characters[index] == "?" { index += 1 }
                    afterQuantifiable = false
                    continue
                }
                out += "\\{"
                afterQuantifiable = true
            case ")":
                out += ")"
                afterQuantifiable = true
            case "|", "^", "$":
                out.unicodeScalars.append(character)
                afterQuantifiable = character == "$"
            case ".":
                out += "."
                afterQuantifiable = true
            default:
                out += literal(character)
                afterQuantifiable = true
            }
            index += 1
        }
        guard !out.isEmpty else { throw SyntaxError(message: "the regex is empty") }
        return (out, groupMap, posixGroups, caseInsensitive)
    }

    /// A bracket member or a whole expression for the escape at `index` (after the backslash),
    /// and how many characters it used.
    private static func escape(_ characters: [Unicode.Scalar], at index: Int, inBracket: Bool) throws(SyntaxError) -> (String, Int) {
        let character = characters[index]
        func member(_ text: String, _ expression: String) -> String { inBracket ? text : expression }
        switch character {
        case "d": return (member("0-9", "[0-9]"), 1)
        case "D": return (member("", "[^0-9]"), 1)
        case "s": return (member("[:space:]", "[[:space:]]"), 1)
        case "S": return (member("", "[^[:space:]]"), 1)
        case "w": return (member("[:alnum:]_", "[[:alnum:]_]"), 1)
        case "W": return (member("", "[^[:alnum:]_]"), 1)
        case "b", "B":
            guard !inBracket else { throw SyntaxError(message: "\\\(character) inside [] is not supported") }
            return ("\\" + String(character), 1)
        case "A": return ("^", 1)
        case "z": return ("$", 1)
        case "n": return (rawLiteral("\n", inBracket), 1)
        case "t": return (rawLiteral("\t", inBracket), 1)
        case "r": return (rawLiteral("\r", inBracket), 1)
        case "f": return (rawLiteral("\u{0C}", inBracket), 1)
        case "v": return (rawLiteral("\u{0B}", inBracket), 1)
        case "x":
            var look = index + 1
            var digits = ""
            if look < characters.count, characters[look] == "{" {
                look += 1
                while look < characters.count, characters[look] != "}" {
                    digits.unicodeScalars.append(characters[look])
                    look += 1
                }
                look += 1
            } else {
                while look < characters.count, look < index + 3 {
                    digits.unicodeScalars.append(characters[look])
                    look += 1
                }
            }
            guard let value = UInt32(digits, radix: 16), value > 0, let scalar = Unicode.Scalar(value) else {
                throw SyntaxError(message: "\\x needs hex digits naming a character other than NUL")
            }
            return (rawLiteral(scalar, inBracket), look - index)
        case "p", "P":
            throw SyntaxError(message: "Unicode classes (\\p{…}) cannot be expressed in POSIX regular expressions; use a bracket such as [a-zA-Z]")
        case "0"..."9":
            throw SyntaxError(message: "\\\(character) (a back reference or octal escape) is not supported")
        case "Q", "E", "C", "Z", "G", "K", "h", "H", "R", "X":
            throw SyntaxError(message: "\\\(character) is not supported")
        default:
            return (rawLiteral(character, inBracket), 1)
        }
    }

    private static func rawLiteral(_ scalar: Unicode.Scalar, _ inBracket: Bool) -> String {
        if inBracket { return String(scalar) }
        return posixSpecial.contains(scalar) ? "\\" + String(scalar) : String(scalar)
    }

    /// Translates `[…]` starting at `start`; returns the POSIX bracket and the index after it.
    private static func bracket(_ characters: [Unicode.Scalar], at start: Int) throws(SyntaxError) -> (String, Int) {
        var index = start + 1
        var negated = false
        if index < characters.count, characters[index] == "^" {
            negated = true
            index += 1
        }
        // Members as POSIX text; the characters that are special inside a POSIX bracket are
        // placed where they are literal: `]` first, `^` not first, `-` last.
        var members: [String] = []
        var closeBracket = false, caret = false, dash = false, openBracket = false
        var negatedClasses: [String] = []
        var first = true
        func add(_ scalar: Unicode.Scalar) {
            switch scalar {
            case "]": closeBracket = true
            case "^": caret = true
            case "-": dash = true
            case "[": openBracket = true
            default: members.append(String(scalar))
            }
        }
        func single(_ at: Int) throws(SyntaxError) -> (Unicode.Scalar?, String?, Int) {
            // One member: a literal character, or a class (returned as text).
            let character = characters[at]
            if character == "\\" {
                guard at + 1 < characters.count else { throw SyntaxError(message: "a bracket ends with a lone backslash") }
                let escaped = characters[at + 1]
                if "dswDSW".unicodeScalars.contains(escaped) {
                    let (text, used) = try escape(characters, at: at + 1, inBracket: true)
                    if text.isEmpty { negatedClasses.append(String(escaped)) }
                    return (nil, text, used + 1)
                }
                let (text, used) = try escape(characters, at: at + 1, inBracket: true)
                return (text.unicodeScalars.first, nil, used + 1)
            }
            if character == "[", at + 1 < characters.count, characters[at + 1] == ":" {
                var look = at + 2
                while look + 1 < characters.count, !(characters[look] == ":" && characters[look + 1] == "]") { look += 1 }
                guard look + 1 < characters.count else { throw SyntaxError(message: "a [:class:] is not closed") }
                return (nil, String(String.UnicodeScalarView(characters[at...(look + 1)])), look + 2 - at)
            }
            return (character, nil, 1)
        }
        while true {
            guard index < characters.count else { throw SyntaxError(message: "a bracket '[' is not closed with ']'") }
            if characters[index] == "]", !first { break }
            first = false
            let (low, classText, used) = try single(index)
            index += used
            if let classText {
                members.append(classText)
                continue
            }
            guard let low else { continue }
            // A range `a-z` (a `-` before `]` is a literal).
            if index + 1 < characters.count, characters[index] == "-", characters[index + 1] != "]" {
                let (high, highClass, highUsed) = try single(index + 1)
                guard let high, highClass == nil else { throw SyntaxError(message: "a range in [] ends in a class") }
                guard low.value <= high.value else { throw SyntaxError(message: "the range \(low)-\(high) in [] is backwards") }
                index += 1 + highUsed
                if low == high {
                    add(low)
                } else if ["]", "^", "-", "["].contains(low) || ["]", "^", "-", "["].contains(high) {
                    for value in low.value...high.value { if let scalar = Unicode.Scalar(value) { add(scalar) } }
                } else {
                    members.append(String(low) + "-" + String(high))
                }
                continue
            }
            add(low)
        }
        index += 1
        if !negatedClasses.isEmpty {
            // `[\S]`, `[^\d…]` and kin: POSIX brackets cannot hold a negated class.
            throw SyntaxError(message: "negated classes (\\D \\S \\W) inside [] are not supported; write the bracket out")
        }
        var text = closeBracket ? "]" : ""
        text += members.joined()
        if openBracket { text += "[" }
        if caret { text += "^" }
        if dash { text += "-" }
        if text == "^" && !negated { return ("\\^", index) }
        if text.isEmpty { throw SyntaxError(message: "an empty bracket [] matches nothing") }
        // `[` followed by `:`, `.` or `=` would open a POSIX class: keep `[` last before `^`/`-`.
        return ("[" + (negated ? "^" : "") + text + "]", index)
    }
}
