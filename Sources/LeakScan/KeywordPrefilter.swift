/// Finds every occurrence of many keywords in one pass, ASCII case-insensitive: an Aho-Corasick
/// automaton compiled to a dense table (one load per input byte), so the cost of a scan does
/// not grow with the number of rules.
struct KeywordPrefilter: Sendable {
    /// A keyword occurrence: which keyword, and where it starts.
    struct Hit {
        let keyword: Int
        let start: Int
    }

    let keywords: [[UInt8]]
    /// `transitions[state << 8 | byte]` is the next state.
    private let transitions: [Int32]
    /// The keywords that end in each state (following failure links), empty for most states.
    private let outputs: [[Int32]]
    private let accepting: [Bool]

    init(keywords: [[UInt8]]) {
        self.keywords = keywords
        var goto: [[Int32]] = [Array(repeating: -1, count: 256)]
        var outputs: [[Int32]] = [[]]
        for (index, keyword) in keywords.enumerated() {
            var state = 0
            for byte in keyword.map(Self.fold) {
                if goto[state][Int(byte)] < 0 {
                    goto.append(Array(repeating: -1, count: 256))
                    outputs.append([])
                    goto[state][Int(byte)] = Int32(goto.count - 1)
                }
                state = Int(goto[state][Int(byte)])
            }
            outputs[state].append(Int32(index))
        }
        // Breadth-first: each state's failure link, then the dense table over folded bytes.
        var failure = Array(repeating: 0, count: goto.count)
        var table = Array(repeating: Int32(0), count: goto.count * 256)
        var queue: [Int] = []
        for byte in 0..<256 {
            let next = goto[0][byte]
            if next > 0 {
                queue.append(Int(next))
                table[byte] = next
            }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            outputs[state] += outputs[failure[state]]
            for byte in 0..<256 {
                let next = goto[state][byte]
                if next > 0 {
                    failure[Int(next)] = Int(table[failure[state] << 8 | byte])
                    queue.append(Int(next))
                    table[state << 8 | byte] = next
                } else {
                    table[state << 8 | byte] = table[failure[state] << 8 | byte]
                }
            }
        }
        // Upper-case input bytes follow the lower-case transitions.
        for state in 0..<goto.count {
            for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") {
                table[state << 8 | Int(byte)] = table[state << 8 | Int(byte | 0x20)]
            }
        }
        transitions = table
        self.outputs = outputs
        accepting = outputs.map { !$0.isEmpty }
    }

    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }

    /// Calls `found` for each keyword occurrence, in order of where it ends.
    func forEachHit(in bytes: UnsafeRawBufferPointer, _ found: (Hit) -> Void) {
        transitions.withUnsafeBufferPointer { table in
            accepting.withUnsafeBufferPointer { accepting in
                var state = 0
                for position in 0..<bytes.count {
                    state = Int(table[state << 8 | Int(bytes[position])])
                    if accepting[state] {
                        for keyword in outputs[state] {
                            found(Hit(keyword: Int(keyword), start: position + 1 - keywords[Int(keyword)].count))
                        }
                    }
                }
            }
        }
    }
}
