/// The shape of a credential as its provider documents it: literals and runs of an alphabet,
/// matched on bytes without a regex engine (Swift `Regex` is far too slow for 100 MB/s).
package struct TokenShape: Sendable {
    package enum Part: Sendable {
        /// Exactly these bytes.
        case literal([UInt8])
        /// One of these byte strings.
        case oneOf([[UInt8]])
        /// Between `min` and `max` bytes from `set`.
        case run(ByteSet, min: Int, max: Int)
    }

    package let parts: [Part]

    package init(_ parts: [Part]) { self.parts = parts }

    /// Where a match starting at `start` ends, trying longer runs first; `nil` for no match.
    package func match(_ bytes: UnsafeRawBufferPointer, at start: Int) -> Int? {
        match(bytes, part: 0, position: start, budget: 64)
    }

    /// Whether the whole of `bytes` fits the shape.
    package func matchesWhole(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var budget = 64
        return matchWhole(bytes, part: 0, position: 0, budget: &budget)
    }

    private func match(_ bytes: UnsafeRawBufferPointer, part: Int, position: Int, budget: Int) -> Int? {
        guard part < parts.count else { return position }
        guard budget > 0 else { return nil }
        switch parts[part] {
        case .literal(let literal):
            guard Self.hasLiteral(literal, in: bytes, at: position) else { return nil }
            return match(bytes, part: part + 1, position: position + literal.count, budget: budget)
        case .oneOf(let literals):
            for literal in literals where Self.hasLiteral(literal, in: bytes, at: position) {
                if let end = match(bytes, part: part + 1, position: position + literal.count, budget: budget - 1) { return end }
            }
            return nil
        case .run(let set, let min, let max):
            var count = 0
            while count < max, position + count < bytes.count, set.contains(bytes[position + count]) { count += 1 }
            guard count >= min else { return nil }
            if part + 1 == parts.count { return position + count }
            var length = count
            while length >= min {
                if let end = match(bytes, part: part + 1, position: position + length, budget: budget - 1) { return end }
                length -= 1
            }
            return nil
        }
    }

    private func matchWhole(_ bytes: UnsafeRawBufferPointer, part: Int, position: Int, budget: inout Int) -> Bool {
        guard part < parts.count else { return position == bytes.count }
        budget -= 1
        guard budget > 0 else { return false }
        switch parts[part] {
        case .literal(let literal):
            return Self.hasLiteral(literal, in: bytes, at: position) && matchWhole(bytes, part: part + 1, position: position + literal.count, budget: &budget)
        case .oneOf(let literals):
            return literals.contains {
                Self.hasLiteral($0, in: bytes, at: position) && matchWhole(bytes, part: part + 1, position: position + $0.count, budget: &budget)
            }
        case .run(let set, let min, let max):
            var count = 0
            while count < max, position + count < bytes.count, set.contains(bytes[position + count]) { count += 1 }
            var length = count
            while length >= min {
                if matchWhole(bytes, part: part + 1, position: position + length, budget: &budget) { return true }
                length -= 1
            }
            return false
        }
    }

    @inline(__always)
    static func hasLiteral(_ literal: [UInt8], in bytes: UnsafeRawBufferPointer, at position: Int) -> Bool {
        guard position + literal.count <= bytes.count else { return false }
        for (offset, byte) in literal.enumerated() where bytes[position + offset] != byte { return false }
        return true
    }

    /// `literal` (lower case) at `position`, ignoring ASCII case in `bytes`.
    static func hasLiteralFolded(_ literal: [UInt8], in bytes: UnsafeRawBufferPointer, at position: Int) -> Bool {
        guard position + literal.count <= bytes.count else { return false }
        for (offset, byte) in literal.enumerated() where KeywordPrefilter.fold(bytes[position + offset]) != byte { return false }
        return true
    }

    /// The bytes that must not follow a match: the last run's alphabet, else letters and digits,
    /// so a longer token of another kind is not cut to fit this one.
    var trailingBoundary: ByteSet {
        if case .run(let set, _, _) = parts.last { return set.union(.alnum) }
        return .alnum
    }
}
