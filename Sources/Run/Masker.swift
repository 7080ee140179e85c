import Sealing

/// Replaces every resolved value in output with `***`, in every form `ValueForms` derives: the
/// exact value, each line of a multi-line value, its base64 (also when an encoder wraps it
/// into lines, as `base64` does at 76 columns and `openssl base64` at 64), URL-encoded,
/// JSON-escaped and Python-`repr` forms.
///
/// Matching is one pass of a multi-pattern automaton (`PatternAutomaton`) over the output, so
/// its cost is linear in the output whatever the values' number and size. Where the matches of
/// several values overlap, their union is masked, so no part of a longer value shows.
/// Short-value policy: the exact value is masked at any length; derived forms (lines,
/// encodings) only from `minimumDerivedLength` bytes, so a 2-character line does not blank
/// out output.
package final class Masker: Sendable {
    package static let replacement: [UInt8] = Array("***".utf8)
    package static let minimumDerivedLength = 4

    /// Every form, base64 forms marked wrappable: one cursor follows the output as it is, a
    /// second (over the same tables) the output with its wrapping line breaks left out.
    let automaton: PatternAutomaton

    package init(values: [SecretBytes]) {
        var patterns: [PatternAutomaton.Pattern] = []
        for value in values where value.count > 0 {
            for form in ValueForms.of(value, minimumDerivedLength: Self.minimumDerivedLength) {
                patterns.append(PatternAutomaton.Pattern(bytes: form.bytes, wrappable: form.isBase64))
            }
        }
        automaton = PatternAutomaton(patterns: patterns)
    }

    package var isEmpty: Bool { automaton.isEmpty }

    /// A streaming masker for one output stream: matches split across chunks are still caught.
    package func stream() -> MaskingStream { MaskingStream(masker: self) }

    package func mask(_ bytes: [UInt8]) -> [UInt8] {
        var stream = stream()
        return stream.feed(bytes) + stream.finish()
    }

    package func mask(_ text: String) -> String {
        isEmpty ? text : String(decoding: mask(Array(text.utf8)), as: UTF8.self)
    }
}

/// Masking state for one output stream. Output is held back only while it could still be part
/// of a match (at most the longest form, plus line breaks inside wrapped base64); the held
/// bytes are unmasked child output, so every buffer that held them is wiped before reuse.
package struct MaskingStream {
    let masker: Masker
    /// Bytes not yet passed on, from absolute position `pendingStart`.
    private var pending = WipedBytes()
    private var pendingStart = 0
    /// Absolute position of the next byte fed.
    private var position = 0
    /// The cursor over the output as it is, and the one over the output without its wrapping
    /// line breaks (matching base64 forms only). While both stand in the same state they have
    /// read the same last bytes at the same places, so one step serves both.
    private var exactCursor = PatternAutomaton.Cursor()
    private var unwrappedCursor = PatternAutomaton.Cursor()
    /// How many bytes the unwrapped cursor has read (every byte but CR and LF), and the
    /// absolute positions of the line breaks it skipped, so its matches map back to the output.
    private var unwrappedCount = 0
    private var skippedBreaks: [Int] = []
    /// Skipped line breaks before every position still undecided, dropped from the list.
    private var droppedBreaks = 0
    /// Base64-alphabet bytes right before this point on the line, and whether the last break
    /// was a CR that may continue a wrapped line (then an LF right after it may too).
    private var base64Run = 0
    private var afterWrappingCR = false
    /// Disjoint ranges to mask, in order, not yet passed on; the last may still grow.
    private var ranges: [Range<Int>] = []

    init(masker: Masker) { self.masker = masker }

    /// Line widths wrapped base64 comes in.
    static let wrapWidths: Set<Int> = [64, 76]

    /// Either base64 alphabet (padding `=` only ends a text, never continues one).
    @inline(__always)
    static func isBase64Byte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    /// Masks what can be decided now and holds back a tail that might be the start of a value.
    package mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        chunk.withUnsafeBytes { feed($0) }
    }

    /// Like `feed(_:)` over a buffer the caller owns (and wipes).
    package mutating func feed(_ chunk: UnsafeRawBufferPointer) -> [UInt8] {
        if masker.isEmpty { return Array(chunk) }
        pending.append(chunk)
        let automaton = masker.automaton
        let followsWraps = automaton.hasWrappable
        automaton.withLabels { labels in
            for byte in chunk {
                let end = position + 1
                position = end
                guard followsWraps else {
                    let length = automaton.advance(&exactCursor, byte, labels: labels)
                    if length > 0 { addRange(end - length..<end) }
                    continue
                }
                if byte == 10 || byte == 13 {
                    let length = automaton.advance(&exactCursor, byte, labels: labels)
                    if length > 0 { addRange(end - length..<end) }
                    // A form goes on across a break only after a run of base64 as wide as
                    // encoders wrap (76: base64, MIME; 64: OpenSSL, PEM), which may follow
                    // other text on its line (`token=$(… | base64)`); any other break ends it,
                    // so ordinary lines are never held back for it.
                    let wraps = Self.wrapWidths.contains(base64Run) || (byte == 10 && afterWrappingCR && base64Run == 0)
                    if !wraps { unwrappedCursor = .init() }
                    afterWrappingCR = byte == 13 && wraps
                    base64Run = 0
                    skippedBreaks.append(end - 1)
                    continue
                }
                base64Run = Self.isBase64Byte(byte) ? base64Run + 1 : 0
                unwrappedCount += 1
                if unwrappedCursor == exactCursor {
                    // Same state: the same last bytes, with no skipped break among them, so any
                    // base64 match ends where the exact one does and lies within it.
                    let length = automaton.advance(&exactCursor, byte, labels: labels)
                    unwrappedCursor = exactCursor
                    if length > 0 { addRange(end - length..<end) }
                } else {
                    let length = automaton.advance(&exactCursor, byte, labels: labels)
                    if length > 0 { addRange(end - length..<end) }
                    _ = automaton.advance(&unwrappedCursor, byte, labels: labels)
                    let wrappedLength = automaton.longestWrappableMatch(at: unwrappedCursor)
                    if wrappedLength > 0 { addRange(outputPosition(ofUnwrapped: unwrappedCount - wrappedLength)..<end) }
                }
            }
        }
        return flush(upTo: decidedBoundary())
    }

    /// Masks and returns whatever is still held back (end of stream).
    package mutating func finish() -> [UInt8] {
        let output = flush(upTo: position)
        exactCursor = .init()
        unwrappedCursor = .init()
        droppedBreaks += skippedBreaks.count
        skippedBreaks.removeAll()
        return output
    }

    /// Adds a range to mask, merged with the ranges it overlaps.
    private mutating func addRange(_ range: Range<Int>) {
        var merged = range
        while let last = ranges.last, last.upperBound > merged.lowerBound {
            merged = min(last.lowerBound, merged.lowerBound)..<max(last.upperBound, merged.upperBound)
            ranges.removeLast()
        }
        ranges.append(merged)
    }

    /// Where the unwrapped automaton's `index`-th byte is in the output: `index` plus the line
    /// breaks skipped before it. Called for match starts and the boundary only, at or after
    /// every dropped break.
    private func outputPosition(ofUnwrapped index: Int) -> Int {
        // The breaks before it are the first k with `skippedBreaks[k] - k <= index + droppedBreaks`
        // (non-decreasing in k, as the positions are distinct and sorted): a binary search.
        let target = index + droppedBreaks
        var low = 0
        var high = skippedBreaks.count
        while low < high {
            let middle = (low + high) / 2
            if skippedBreaks[middle] - middle <= target { low = middle + 1 } else { high = middle }
        }
        return target + low
    }

    /// The first position a match completed later could still cover; everything before it is
    /// decided.
    private func decidedBoundary() -> Int {
        var boundary = position - masker.automaton.pendingLength(exactCursor)
        let held = masker.automaton.hasWrappable ? masker.automaton.pendingWrappableLength(unwrappedCursor) : 0
        if held > 0 { boundary = min(boundary, outputPosition(ofUnwrapped: unwrappedCount - held)) }
        return boundary
    }

    /// Passes on everything before `boundary`: plain bytes as they are, each masked range (that
    /// can no longer grow) as one replacement.
    private mutating func flush(upTo boundary: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(max(0, boundary - pendingStart))
        var emitted = pendingStart
        var finished = 0
        // A range ending after the boundary may still grow; one ending at or before it cannot
        // (a later match starts at the boundary or after, and only overlapping ranges merge).
        for range in ranges {
            guard range.upperBound <= boundary else { break }
            pending.copy(emitted - pendingStart..<range.lowerBound - pendingStart, into: &output)
            output += Masker.replacement
            emitted = range.upperBound
            finished += 1
        }
        ranges.removeFirst(finished)
        let plainEnd = min(boundary, ranges.first?.lowerBound ?? boundary)
        if plainEnd > emitted {
            pending.copy(emitted - pendingStart..<plainEnd - pendingStart, into: &output)
            emitted = plainEnd
        }
        pending.removeFirst(emitted - pendingStart)
        pendingStart = emitted
        // Line breaks before the decided boundary can no longer be inside a match.
        let decided = skippedBreaks.prefix { $0 < boundary }.count
        if decided > 0 {
            skippedBreaks.removeFirst(decided)
            droppedBreaks += decided
        }
        return output
    }
}
