import Sealing

/// An Aho–Corasick automaton over byte patterns: one pass over the text finds, at every
/// position, the longest pattern that ends there, in time linear in the text whatever the
/// number and length of the patterns.
///
/// Some patterns may be marked *wrappable* (the masker's base64 forms, which encoders wrap
/// into lines). For them the automaton also answers on their own: the longest wrappable
/// pattern ending at a state, and how much of the text read is a prefix of one. So a second
/// cursor can follow the same text with its wrapping line breaks left out, over the same
/// tables: every form is held once.
///
/// The trie's edge labels are the patterns' bytes, so they live in a `SecretBytes` (locked,
/// out of core dumps, wiped when the automaton goes); the other tables hold only shape
/// (links, depths, lengths), never a byte of a value.
struct PatternAutomaton: Sendable {
    /// A pattern, and whether it may also be matched across wrapping line breaks.
    struct Pattern {
        let bytes: SecretBytes
        let wrappable: Bool
    }

    /// The byte on the edge into each state (state 0, the root, has none).
    private let labels: SecretBytes
    /// First child and next sibling of each state: `-1` for none. Most states have one child.
    private let firstChild: [Int32]
    private let nextSibling: [Int32]
    /// The state for the longest proper suffix of this state's string that is also in the trie.
    private let failure: [Int32]
    /// Length of the longest pattern that ends at this state (itself or a suffix); 0 for none.
    private let longestMatch: [Int32]
    /// The same, counting wrappable patterns only.
    private let longestWrappableMatch: [Int32]
    /// Length of this state's string: how many of the last bytes read could still be part of
    /// a match that completes later.
    private let depth: [Int32]
    /// Length of the longest suffix of this state's string that is a prefix of a wrappable
    /// pattern: how many of the last bytes read a wrappable match may still reach back to.
    private let wrappableDepth: [Int32]
    /// The root's transitions, dense: the state after reading each byte from the root.
    private let rootNext: [Int32]
    /// Whether any pattern is wrappable.
    let hasWrappable: Bool

    var isEmpty: Bool { depth.count <= 1 }

    /// Builds the automaton for `patterns` (empty patterns are ignored; a pattern given twice
    /// is wrappable when either copy is).
    init(patterns: [Pattern]) {
        let capacity = patterns.reduce(1) { $0 + $1.bytes.count }
        var firstChild = [Int32(-1)]
        var nextSibling = [Int32(-1)]
        var depth = [Int32(0)]
        var terminal = [false]
        // Whether a wrappable pattern ends at the state, and whether the state's string is a
        // prefix of a wrappable pattern.
        var terminalWrappable = [false]
        var onWrappable = [false]
        var rootNext = [Int32](repeating: 0, count: 256)
        firstChild.reserveCapacity(capacity)
        nextSibling.reserveCapacity(capacity)
        depth.reserveCapacity(capacity)
        terminal.reserveCapacity(capacity)
        terminalWrappable.reserveCapacity(capacity)
        onWrappable.reserveCapacity(capacity)

        var failure: [Int32] = []
        var longest: [Int32] = []
        var longestWrappable: [Int32] = []
        var wrappableDepth: [Int32] = []
        labels = SecretBytes(capacity: capacity) { label in
            label[0] = 0
            var count = 1
            // The trie.
            for pattern in patterns where pattern.bytes.count > 0 {
                pattern.bytes.withUnsafeBytes { bytes in
                    var state = 0
                    for byte in bytes {
                        var next: Int32 = -1
                        if state == 0 {
                            if rootNext[Int(byte)] != 0 { next = rootNext[Int(byte)] }
                        } else {
                            var child = firstChild[state]
                            while child >= 0 {
                                if label[Int(child)] == byte {
                                    next = child
                                    break
                                }
                                child = nextSibling[Int(child)]
                            }
                        }
                        if next < 0 {
                            next = Int32(count)
                            label[count] = byte
                            count += 1
                            firstChild.append(-1)
                            depth.append(depth[state] + 1)
                            terminal.append(false)
                            terminalWrappable.append(false)
                            onWrappable.append(false)
                            if state == 0 {
                                nextSibling.append(-1)
                                rootNext[Int(byte)] = next
                            } else {
                                nextSibling.append(firstChild[state])
                                firstChild[state] = next
                            }
                        }
                        state = Int(next)
                        if pattern.wrappable { onWrappable[state] = true }
                    }
                    terminal[state] = true
                    if pattern.wrappable { terminalWrappable[state] = true }
                }
            }
            // Failure links and the per-state answers, breadth first: a state's failure is
            // shallower, so its answers are known when the state is reached.
            failure = [Int32](repeating: 0, count: count)
            longest = [Int32](repeating: 0, count: count)
            longestWrappable = [Int32](repeating: 0, count: count)
            wrappableDepth = [Int32](repeating: 0, count: count)
            var queue: [Int32] = []
            queue.reserveCapacity(count)
            for byte in 0..<256 where rootNext[byte] != 0 { queue.append(rootNext[byte]) }
            var head = 0
            while head < queue.count {
                let state = Int(queue[head])
                head += 1
                // Its failure link is set (when its parent was taken), and the failure is
                // shallower, so settled already.
                let fallback = Int(failure[state])
                longest[state] = terminal[state] ? depth[state] : longest[fallback]
                longestWrappable[state] = terminalWrappable[state] ? depth[state] : longestWrappable[fallback]
                wrappableDepth[state] = onWrappable[state] ? depth[state] : wrappableDepth[fallback]
                var child = firstChild[state]
                while child >= 0 {
                    let c = Int(child)
                    var fallback = Int(failure[state])
                    let byte = label[c]
                    while true {
                        if let next = Self.child(of: fallback, byte: byte, label: label, firstChild: firstChild, nextSibling: nextSibling, rootNext: rootNext) {
                            failure[c] = Int32(next)
                            break
                        }
                        if fallback == 0 {
                            failure[c] = 0
                            break
                        }
                        fallback = Int(failure[fallback])
                    }
                    queue.append(child)
                    child = nextSibling[c]
                }
            }
            return count
        }
        self.firstChild = firstChild
        self.nextSibling = nextSibling
        self.failure = failure
        self.longestMatch = longest
        self.longestWrappableMatch = longestWrappable
        self.depth = depth
        self.wrappableDepth = wrappableDepth
        self.rootNext = rootNext
        hasWrappable = patterns.contains { $0.wrappable && $0.bytes.count > 0 }
    }

    /// The child of `state` on `byte`, if there is one (from the root: only a real edge).
    private static func child(
        of state: Int, byte: UInt8, label: UnsafeMutableRawBufferPointer, firstChild: [Int32], nextSibling: [Int32], rootNext: [Int32]
    ) -> Int? {
        if state == 0 {
            let next = rootNext[Int(byte)]
            return next == 0 ? nil : Int(next)
        }
        var child = firstChild[state]
        while child >= 0 {
            if label[Int(child)] == byte { return Int(child) }
            child = nextSibling[Int(child)]
        }
        return nil
    }

    /// A cursor over a text; feed it one byte at a time. Two cursors in the same state have
    /// read texts that end alike as far as any match can reach back.
    struct Cursor: Equatable {
        var state: Int32 = 0
    }

    /// Reads `byte`: returns the length of the longest pattern ending at it (0 for none).
    /// `Cursor.state`'s depth then says how many bytes a later match may still reach back to.
    @inline(__always)
    func advance(_ cursor: inout Cursor, _ byte: UInt8, labels bytes: UnsafeRawBufferPointer) -> Int {
        var state = Int(cursor.state)
        while true {
            if state == 0 {
                state = Int(rootNext[Int(byte)])
                break
            }
            var child = firstChild[state]
            var found = -1
            while child >= 0 {
                if bytes[Int(child)] == byte {
                    found = Int(child)
                    break
                }
                child = nextSibling[Int(child)]
            }
            if found >= 0 {
                state = found
                break
            }
            state = Int(failure[state])
        }
        cursor.state = Int32(state)
        return Int(longestMatch[state])
    }

    /// The length of the longest wrappable pattern ending where `cursor` stands (0 for none).
    @inline(__always)
    func longestWrappableMatch(at cursor: Cursor) -> Int { Int(longestWrappableMatch[Int(cursor.state)]) }

    /// How many of the last bytes read are a prefix of some pattern (may still match).
    func pendingLength(_ cursor: Cursor) -> Int { Int(depth[Int(cursor.state)]) }

    /// How many of the last bytes read are a prefix of some wrappable pattern.
    func pendingWrappableLength(_ cursor: Cursor) -> Int { Int(wrappableDepth[Int(cursor.state)]) }

    /// Gives `body` the edge labels for a run of `advance` calls.
    func withLabels<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try labels.withUnsafeBytes(body)
    }
}
