import Foundation
import Sealing

/// The one engine behind every scan mode: give it a file's path and bytes, get findings.
///
/// Cost stays flat in the number of rules: one pass of a keyword automaton over the bytes, and
/// a rule's matcher runs only where one of its keywords occurs. Known values are found with
/// `memchr` and `memcmp`. Nothing here keeps or prints a value; findings carry redacted excerpts.
package final class LeakScanner: Sendable {
    package struct Options: Sendable {
        /// Files larger than this are skipped with a note.
        package var maxFileSize: Int
        /// The workspace root relative to the repository (`""` at the root, `"ops/"` in a
        /// sub-folder); `nil` when the scanned tree holds no workspace.
        package var workspacePrefix: String?

        package init(maxFileSize: Int = 10 * 1024 * 1024, workspacePrefix: String? = nil) {
            self.maxFileSize = maxFileSize
            self.workspacePrefix = workspacePrefix
        }
    }

    package static let allowMarker = "journey:allow"
    /// A bound on the work one file can cause (a file of ten thousand keys is reported in part).
    static let maxCandidatesPerFile = 5000
    /// How many bytes of a NUL-free start mark a file as text (as git does).
    static let binaryProbe = 8000

    package let options: Options
    let rules: [Rule]
    let prefilter: KeywordPrefilter
    /// For each keyword, the rules that run when it occurs.
    let rulesByKeyword: [[Int]]
    let known: KnownValues
    /// The team's `.gitleaks.toml`: extra rules and allowlists.
    let team: TeamConfig?
    /// Indices of rules that run only on some paths (team rules with `path`).
    let pathRestricted: [Int]

    package init(
        knownValues: KnownValues = KnownValues([]), options: Options = Options(), rules catalogue: [Rule] = RuleCatalogue.all, team: TeamConfig? = nil
    ) {
        self.options = options
        let rules = catalogue + (team?.scannerRules.filter { !$0.keywords.isEmpty } ?? [])
        self.rules = rules
        self.team = team
        pathRestricted = rules.indices.filter { rules[$0].pathPattern != nil }
        known = knownValues
        var keywordIndex: [String: Int] = [:]
        var keywords: [[UInt8]] = []
        var rulesByKeyword: [[Int]] = []
        for (ruleIndex, rule) in rules.enumerated() {
            for keyword in rule.keywords {
                let index =
                    keywordIndex[keyword]
                    ?? {
                        keywords.append(Array(keyword.utf8))
                        rulesByKeyword.append([])
                        keywordIndex[keyword] = keywords.count - 1
                        return keywords.count - 1
                    }()
                if !rulesByKeyword[index].contains(ruleIndex) { rulesByKeyword[index].append(ruleIndex) }
            }
        }
        prefilter = KeywordPrefilter(keywords: keywords)
        self.rulesByKeyword = rulesByKeyword
    }

    /// Findings for one file whose content was not read (too large, unreadable): only the
    /// rules about the file as a whole run.
    package func skip(path: String, reason: String, commit: String? = nil) -> FileResult {
        var result = FileResult()
        result.findings = fileFindings(path: path, contents: nil, commit: commit)
        result.skipped = SkippedFile(path: path, reason: reason)
        return result
    }

    /// Scans one file.
    package func scan(path: String, contents bytes: UnsafeRawBufferPointer, commit: String? = nil) -> FileResult {
        if bytes.count > options.maxFileSize {
            return skip(path: path, reason: "larger than \(options.maxFileSize / (1024 * 1024)) MB (raise --max-file-size to read it)", commit: commit)
        }
        // A path allowlist skips the file unread, unless local secret values are searched: a
        // committed config must not silence those (see TeamConfig.allows).
        if let team, known.forms.isEmpty, team.allowsWholeFile(path) { return FileResult() }
        var result = FileResult()
        result.findings = fileFindings(path: path, contents: bytes, commit: commit)
        if let base = bytes.baseAddress, memchr(base, 0, min(bytes.count, Self.binaryProbe)) != nil {
            result.skipped = SkippedFile(path: path, reason: "binary")
            return result
        }
        var candidates = known.candidates(in: bytes)
        if JourneyStructure.isJourneyFile(path, workspacePrefix: options.workspacePrefix) {
            // A number, duration, size or boolean in a credential-named field is a setting.
            candidates += JourneyStructure.candidates(in: bytes).filter {
                !ValueShape.isScalarSetting(UnsafeRawBufferPointer(rebasing: bytes[$0.range]))
            }
        }
        if !collectRuleCandidates(in: bytes, path: path, into: &candidates) {
            result.skipped = SkippedFile(path: path, reason: "more than \(Self.maxCandidatesPerFile) matches; only the first were reported")
        }
        collectEncodedCandidates(in: bytes, path: path, depth: 1, into: &candidates)
        if let team {
            collectUnkeyedTeamCandidates(team, in: bytes, path: path, into: &candidates)
        }
        // Providers' own documentation examples grant nothing.
        candidates.removeAll { DocumentedExamples.contains(UnsafeRawBufferPointer(rebasing: bytes[$0.range])) }
        var reported = candidates
        if let team {
            reported = candidates.filter { !Self.isAllowlisted($0, by: team, in: bytes, path: path, commit: commit) }
            result.allowed += candidates.count - reported.count
        }
        let kept = Self.resolveOverlaps(reported)
        // Excerpts hide every candidate, not only the kept ones: a value that lost an overlap
        // to another finding is still a value.
        let located = locate(kept, redacting: candidates, in: bytes, path: path, commit: commit)
        result.findings += located.findings
        result.allowed += located.allowed
        return result
    }

    // MARK: Steps

    private func fileFindings(path: String, contents: UnsafeRawBufferPointer?, commit: String?) -> [Finding] {
        var found = FileRules.findings(path: path, contents: contents, workspacePrefix: options.workspacePrefix)
        if let team {
            for rule in team.pathRules where rule.path?.occurs(in: path) == true {
                found.append((rule.id, rule.description, "a file whose path the team rule '\(rule.id)' names", Rule.teamFix(rule.description)))
            }
            found.removeAll { team.allows(rule: $0.rule, secret: "", match: "", line: "", path: path, commit: commit) }
        }
        return found.map { found in
            Finding(
                rule: found.rule, title: found.title, path: path, line: 1, column: 1, excerpt: "", message: found.message, fix: found.fix,
                fingerprint: Self.fingerprint(rule: found.rule, value: Array(path.utf8)), commit: commit)
        }
    }

    /// Runs the rules where their keywords occur; `false` when the file hit the match budget.
    private func collectRuleCandidates(in bytes: UnsafeRawBufferPointer, path: String, into candidates: inout [Candidate]) -> Bool {
        var budget = Self.maxCandidatesPerFile
        var skipped = Set<Int>()
        for index in pathRestricted where rules[index].pathPattern?.occurs(in: path) != true { skipped.insert(index) }
        prefilter.forEachHit(in: bytes) { hit in
            guard budget > 0 else { return }
            let keywordLength = prefilter.keywords[hit.keyword].count
            for ruleIndex in rulesByKeyword[hit.keyword] where skipped.isEmpty || !skipped.contains(ruleIndex) {
                let rule = rules[ruleIndex]
                for found in Self.run(rule.detector, bytes, hit.start, keywordLength) {
                    if let verify = rule.verify, !verify(UnsafeRawBufferPointer(rebasing: bytes[found.range])) { continue }
                    candidates.append(
                        Candidate(
                            rule: found.ruleID ?? rule.id, title: found.ruleID.flatMap { Self.urlTitles[$0] } ?? rule.title, fix: rule.fix,
                            range: found.range, visiblePrefix: found.visiblePrefix, priority: rule.priority, message: nil, context: found.context))
                    budget -= 1
                }
            }
        }
        return budget > 0
    }

    /// Base64 and hex runs that decode to text: the text goes through the rules again, and what
    /// they find is reported at the encoded run.
    private func collectEncodedCandidates(in bytes: UnsafeRawBufferPointer, path: String, depth: Int, into candidates: inout [Candidate]) {
        for (run, hex) in Encoded.runs(in: bytes) {
            guard let decoded = Encoded.decodedText(UnsafeRawBufferPointer(rebasing: bytes[run]), hex: hex) else { continue }
            var inner: [Candidate] = []
            decoded.withUnsafeBytes { text in
                inner += known.candidates(in: text)
                _ = collectRuleCandidates(in: text, path: path, into: &inner)
                if depth < Encoded.maxDepth { collectEncodedCandidates(in: text, path: path, depth: depth + 1, into: &inner) }
            }
            for var candidate in inner {
                candidate.range = run
                candidate.visiblePrefix = 0
                candidate.context = nil
                candidate.title += hex ? " (hex-encoded)" : " (base64-encoded)"
                candidate.message = candidate.message.map { $0 + (hex ? " (hex-encoded)" : " (base64-encoded)") }
                candidates.append(candidate)
            }
        }
    }

    /// Team rules without keywords: their regex runs on every line.
    private func collectUnkeyedTeamCandidates(_ team: TeamConfig, in bytes: UnsafeRawBufferPointer, path: String, into candidates: inout [Candidate]) {
        for rule in team.unkeyedRules {
            guard let regex = rule.regex, rule.path?.occurs(in: path) ?? true else { continue }
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                if let base = bytes.baseAddress, let newline = memchr(base + lineStart, 10, bytes.count - lineStart) {
                    lineEnd = base.distance(to: UnsafeRawPointer(newline))
                } else {
                    lineEnd = bytes.count
                }
                for found in rule.matches(regex, in: bytes, line: lineStart..<lineEnd) {
                    candidates.append(
                        Candidate(
                            rule: rule.id, title: rule.description, fix: Rule.teamFix(rule.description), range: found.range, visiblePrefix: 0, priority: 1,
                            message: nil, context: found.context))
                }
                lineStart = lineEnd + 1
            }
        }
    }

    /// Whether the team's allowlists let a candidate through.
    static func isAllowlisted(_ candidate: Candidate, by team: TeamConfig, in bytes: UnsafeRawBufferPointer, path: String, commit: String?) -> Bool {
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        let line = Detectors.lineBounds(bytes, around: candidate.range.lowerBound, reach: 4096)
        return team.allows(
            rule: candidate.rule, secret: text(candidate.range), match: text(candidate.context ?? candidate.range),
            line: text(line.lowerBound..<max(line.upperBound, min(bytes.count, candidate.range.upperBound))), path: path, commit: commit)
    }

    static let urlTitles = [
        "postgres-url-password": "password in a PostgreSQL URL", "mysql-url-password": "password in a MySQL URL",
        "mongodb-url-password": "password in a MongoDB URL", "redis-url-password": "password in a Redis URL",
        "amqp-url-password": "password in an AMQP URL", "url-password": "password in a URL",
    ]

    static func run(_ detector: Detector, _ bytes: UnsafeRawBufferPointer, _ start: Int, _ keywordLength: Int) -> [Match] {
        switch detector {
        case .token(let lead, let shape):
            var tokenStart = start
            if case .run(let set, let min, let max)? = lead {
                var count = 0
                while count <= max, start - count > 0, set.contains(bytes[start - count - 1]) { count += 1 }
                guard count >= min, count <= max else { return [] }
                tokenStart = start - count
            } else if start > 0, ByteSet.alnum.contains(bytes[start]), ByteSet.alnum.contains(bytes[start - 1]) {
                return []
            }
            guard let end = shape.match(bytes, at: start), end == bytes.count || !shape.trailingBoundary.contains(bytes[end]) else { return [] }
            let bodyStart = lead == nil ? start + keywordLength : tokenStart
            if bodyStart < end, ValueShape.isPlaceholderBody(UnsafeRawBufferPointer(rebasing: bytes[bodyStart..<end])) { return [] }
            return [Match(range: tokenStart..<end, visiblePrefix: lead == nil ? keywordLength : 0)]
        case .assignment(let names, let value):
            guard let assignment = Assignment.around(bytes, keywordStart: start, keywordLength: keywordLength),
                !assignment.value.isEmpty
            else {
                // `datadog:` or `[datadog]` on its own line: the settings nested under it.
                return Assignment.children(bytes, under: start).flatMap { child in
                    run(.assignment(names: names, value: value), bytes, child.name.lowerBound, child.name.count)
                }
            }
            let valueBytes = UnsafeRawBufferPointer(rebasing: bytes[assignment.value])
            guard value.matchesWhole(valueBytes), !ValueShape.isReferenceOrPlaceholder(valueBytes) else { return [] }
            // A documented prefix is judged by its own rule (`npm_` and its checksum).
            if RuleCatalogue.documentedPrefixes.contains(where: { valueBytes.starts(with: $0) }) { return [] }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[assignment.name]), as: UTF8.self).lowercased()
            if !names.contains(where: { $0.allSatisfy(name.contains) }) {
                // `datadog:` / `  apiKey: …`, `[datadog]` / `api_key = …`: the provider is the parent.
                guard let parent = Assignment.parentKey(bytes, before: assignment.name.lowerBound)?.lowercased(),
                    names.contains(where: { $0.allSatisfy { parent.contains($0) || name.contains($0) } })
                else { return [] }
            }
            return [Match(range: assignment.value)]
        case .custom(let detect):
            return detect(bytes, start, keywordLength)
        }
    }

    /// Keeps one finding per stretch of bytes: the most specific rule, then the longest match.
    static func resolveOverlaps(_ candidates: [Candidate]) -> [Candidate] {
        let ordered = candidates.sorted {
            ($0.priority, -$0.range.count, $0.range.lowerBound) < ($1.priority, -$1.range.count, $1.range.lowerBound)
        }
        var kept: [Candidate] = []
        var taken: [Range<Int>] = []  // sorted by lowerBound
        for candidate in ordered {
            let insertAt = taken.partitioningIndex { $0.lowerBound >= candidate.range.lowerBound }
            if insertAt > 0, taken[insertAt - 1].overlaps(candidate.range) { continue }
            if insertAt < taken.count, taken[insertAt].overlaps(candidate.range) || taken[insertAt].lowerBound == candidate.range.lowerBound { continue }
            taken.insert(candidate.range, at: insertAt)
            kept.append(candidate)
        }
        return kept.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// Lines, columns, redacted excerpts and `journey:allow`.
    private func locate(
        _ candidates: [Candidate], redacting everyCandidate: [Candidate], in bytes: UnsafeRawBufferPointer, path: String, commit: String?
    ) -> (findings: [Finding], allowed: Int) {
        var findings: [Finding] = []
        var allowed = 0
        var line = 1
        var lineStart = 0
        var scanned = 0
        for candidate in candidates {
            let position = candidate.range.lowerBound
            while scanned < position {
                if bytes[scanned] == 10 {
                    line += 1
                    lineStart = scanned + 1
                }
                scanned += 1
            }
            var lineEnd = position
            while lineEnd < bytes.count, bytes[lineEnd] != 10 { lineEnd += 1 }
            if Self.contains(Self.allowMarker, in: bytes, lineStart..<lineEnd) {
                allowed += 1
                continue
            }
            var column = 1
            for index in lineStart..<position where bytes[index] & 0xC0 != 0x80 { column += 1 }
            let value = Array(UnsafeRawBufferPointer(rebasing: bytes[candidate.range]))
            findings.append(
                Finding(
                    rule: candidate.rule, title: candidate.title, path: path, line: line, column: column,
                    excerpt: Excerpt.redacted(
                        bytes, line: lineStart..<lineEnd, focus: candidate.range, candidates: everyCandidate),
                    message: candidate.message ?? candidate.title, fix: candidate.fix,
                    fingerprint: Self.fingerprint(rule: candidate.rule, value: value), commit: commit))
        }
        return (findings, allowed)
    }

    static func contains(_ needle: String, in bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard range.count >= needle.utf8.count else { return false }
        return Array(needle.utf8).withUnsafeBytes { pattern in
            ByteSearch.firstIndex(of: pattern, in: UnsafeRawBufferPointer(rebasing: bytes[range])) != nil
        }
    }

    /// A hash of the rule and the value, so a baseline entry matches this value only.
    static func fingerprint(rule: String, value: [UInt8]) -> String {
        let digest = SHA256.hash(Array("journey-leak-1\u{0}\(rule)\u{0}".utf8) + value)
        return Hex.encode(digest.prefix(16))
    }
}

extension Array {
    /// The first index whose element satisfies `belongs`, for an array partitioned by it.
    fileprivate func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// The line around a finding, with every value on it replaced by `***`.
enum Excerpt {
    static let context = 48

    /// `candidates` may overlap; every byte any of them covers is hidden, and a candidate's
    /// visible prefix (`sk_live_`) is shown only where nothing else covers it.
    static func redacted(_ bytes: UnsafeRawBufferPointer, line: Range<Int>, focus: Range<Int>, candidates: [Candidate]) -> String {
        // A team rule's whole match is hidden, not only its secret group: a group chosen wrongly
        // (or the first group, when `secretGroup` is unset) may be the name beside the value.
        let candidates = candidates.map { candidate in
            var hidden = candidate
            if let context = candidate.context {
                hidden.range = context
                hidden.visiblePrefix = 0
            }
            return hidden
        }
        let start = max(line.lowerBound, focus.lowerBound - context)
        let end = min(line.upperBound, max(focus.lowerBound, min(focus.upperBound, line.upperBound)) + context)
        var out: [UInt8] = []
        if start > line.lowerBound { out += Array("…".utf8) }
        var position = start
        let onLine = candidates.filter { $0.range.overlaps(start..<max(end, start + 1)) || $0.range.lowerBound == start }
        while position < end {
            let covering = onLine.filter { $0.range.contains(position) }
            if !covering.isEmpty {
                // A visible prefix only at a candidate's own start, and only if nothing covering
                // this position started earlier (the excerpt may begin mid-candidate).
                let allStartHere = covering.allSatisfy { $0.range.lowerBound == position }
                let shown = allStartHere ? covering.map { min($0.visiblePrefix, $0.range.count) }.min() ?? 0 : 0
                out += Array(UnsafeRawBufferPointer(rebasing: bytes[position..<min(position + shown, end)]))
                out += Array("***".utf8)
                // Skip to the end of everything hidden from here, overlaps chained.
                var hiddenEnd = covering.map(\.range.upperBound).max()!
                while let next = onLine.first(where: { $0.range.lowerBound < hiddenEnd && $0.range.upperBound > hiddenEnd }) {
                    hiddenEnd = next.range.upperBound
                }
                position = hiddenEnd
                continue
            }
            out.append(bytes[position])
            position += 1
        }
        if end < line.upperBound && position < line.upperBound { out += Array("…".utf8) }
        let text = String(decoding: out, as: UTF8.self)
        return String(text.unicodeScalars.map { $0.value < 32 || $0.value == 127 ? " " : Character($0) }).trimmingCharacters(in: .whitespaces)
    }
}
