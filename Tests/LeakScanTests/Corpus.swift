import Foundation

@testable import LeakScan

/// The labelled corpus in `Corpus/corpus.tsv`: templates whose tokens are generated here with
/// a seeded generator, so the repository holds no credential-shaped string.
struct CorpusSample {
    enum Label: String { case leak, clean }

    let line: Int
    /// The class of credential the sample belongs to (`# class: NAME` lines set it).
    let kind: String
    let label: Label
    let rule: String
    let path: String
    let text: String
    /// Every generated string (8+ characters) in `text`: none may appear in an excerpt.
    let generated: [String]
}

enum Corpus {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus/corpus.tsv").path

    static func load() throws -> [CorpusSample] {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        var samples: [CorpusSample] = []
        var kind = "providers"
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("# class: ") { kind = String(line.dropFirst("# class: ".count)) }
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let fields = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, let label = CorpusSample.Label(rawValue: fields[0]) else {
                throw CorpusError.malformed(line: index + 1)
            }
            var generator = SplitMix64(seed: UInt64(index + 1))
            var generated: [String] = []
            let expanded = expand(unescape(fields[3]), with: &generator, generated: &generated)
            samples.append(
                CorpusSample(
                    line: index + 1, kind: kind, label: label, rule: fields[1], path: fields[2] == "-" ? "config.txt" : fields[2],
                    text: expanded, generated: generated.filter { $0.count >= 8 }))
        }
        return samples
    }

    static func unescape(_ text: String) -> String {
        var out = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    static let alphabets: [String: String] = [
        "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "U": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        "H": "0123456789abcdef",
        "X": "0123456789abcdefABCDEF",
        "F": "0123456789ABCDEF",
        "B": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        "W": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
        "D": "0123456789",
        "L": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        "l": "abcdefghijklmnopqrstuvwxyz0123456789",
        "Z": "abcdefghijklmnopqrstuvwxyz234567",
        "G": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
        // Characters a password may hold in a URL's user part without percent-encoding.
        "Q": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!&+=",
    ]

    /// Replaces `<<A:36>>`-style placeholders: an alphabet letter and a length, or `UUID`,
    /// `P:n` (a password mixing four kinds of characters), `BASIC` (base64 of user:password),
    /// and `+`, which expands to nothing.
    static func expand(_ template: String, with generator: inout SplitMix64) -> String {
        var ignored: [String] = []
        return expand(template, with: &generator, generated: &ignored)
    }

    static func expand(_ template: String, with generator: inout SplitMix64, generated: inout [String]) -> String {
        var out = ""
        var rest = template[...]
        while let open = rest.range(of: "<<") {
            out += rest[..<open.lowerBound]
            rest = rest[open.lowerBound...]
            // `<<B64[template]>>` and `<<HEX[template]>>`: the expanded template, encoded.
            for encoding in ["B64[", "HEX["] where rest[open.upperBound...].hasPrefix(encoding) {
                let innerStart = rest.index(open.upperBound, offsetBy: encoding.count)
                guard let close = matchingClose(in: rest[innerStart...]) else { break }
                let inner = Array(expand(String(rest[innerStart..<close.lowerBound]), with: &generator, generated: &generated).utf8)
                let encoded = encoding == "B64[" ? Data(inner).base64EncodedString() : inner.map { String(format: "%02x", $0) }.joined()
                generated.append(encoded)
                out += encoded
                rest = rest[close.upperBound...]
                break
            }
            guard rest.startIndex == open.lowerBound else { continue }
            guard let close = rest[open.upperBound...].range(of: ">>") else { break }
            let spec = rest[open.upperBound..<close.lowerBound]
            rest = rest[close.upperBound...]
            let parts = spec.split(separator: ":")
            let before = out.count
            switch parts[0] {
            case "+":
                // Joins a literal split so the corpus file itself holds no credential header.
                break
            case "UUID":
                let hex = alphabets["H"]!
                out += [8, 4, 4, 4, 12].map { generator.string(length: $0, from: hex) }.joined(separator: "-")
            case "CRC":
                // 30 random letters and digits and their CRC-32 in base62 (GitHub, npm).
                let body = generator.string(length: 30, from: alphabets["A"]!)
                out += body + String(decoding: TokenChecksum.base62(TokenChecksum.crc32(Array(body.utf8)), width: 6), as: UTF8.self)
            case "BASIC":
                out += Data(("deploy:" + password(length: 14, with: &generator)).utf8).base64EncodedString()
            case "P":
                out += password(length: Int(parts[1])!, with: &generator)
            default:
                out += generator.string(length: Int(parts[1])!, from: alphabets[String(parts[0])]!)
            }
            generated.append(String(out.dropFirst(before)))
        }
        return out + rest
    }

    /// The `]>>` closing an encoded template, past any nested ones.
    static func matchingClose(in text: Substring) -> Range<Substring.Index>? {
        var depth = 0
        var index = text.startIndex
        while index < text.endIndex {
            let rest = text[index...]
            if rest.hasPrefix("<<B64[") || rest.hasPrefix("<<HEX[") {
                depth += 1
                index = text.index(index, offsetBy: 6)
                continue
            }
            if rest.hasPrefix("]>>") {
                if depth == 0 { return index..<text.index(index, offsetBy: 3) }
                depth -= 1
                index = text.index(index, offsetBy: 3)
                continue
            }
            index = text.index(after: index)
        }
        return nil
    }

    static func password(length: Int, with generator: inout SplitMix64) -> String {
        let kinds = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!#%&*+-=?^_"]
        var characters = kinds.map { generator.string(length: 1, from: $0) }
        let all = kinds.joined()
        characters += (0..<(length - 4)).map { _ in generator.string(length: 1, from: all) }
        return characters.joined()
    }
}

enum CorpusError: Error { case malformed(line: Int) }

/// A small seeded generator (SplitMix64), so every run builds the same corpus.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func string(length: Int, from alphabet: String) -> String {
        let characters = Array(alphabet)
        return String((0..<length).map { _ in characters[Int(next() % UInt64(characters.count))] })
    }
}
