/// "Did you mean …?" for a name that is not there: the closest known name by edit distance,
/// when it is close enough to be a typo (`slak-token` → `slack-token`).
package enum NameSuggestion {
    /// The known name nearest `name`, if it is nearer than any other and at most a quarter of
    /// the name's length away (at least 1 edit, at most 3): `slak-token` → `slack-token`, but
    /// `nope` is not taken for `one`.
    package static func closest(to name: String, among known: [String]) -> String? {
        let limit = min(3, max(1, name.count / 4))
        var best: (name: String, distance: Int)?
        var tie = false
        for candidate in known where candidate != name {
            let distance = editDistance(Array(name.unicodeScalars), Array(candidate.unicodeScalars))
            guard distance <= limit else { continue }
            if best == nil || distance < best!.distance {
                best = (candidate, distance)
                tie = false
            } else if distance == best!.distance {
                tie = true
            }
        }
        return tie ? nil : best?.name
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], before[j - 2] + 1)
                }
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
