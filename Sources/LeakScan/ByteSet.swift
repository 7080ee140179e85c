/// A set of byte values, tested with one shift and mask: the alphabet of a token's body.
package struct ByteSet: Sendable, Equatable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    package init() {}

    /// The bytes of `characters` (ASCII), with `a-z` style ranges.
    package init(_ characters: String) {
        let bytes = Array(characters.utf8)
        var index = 0
        while index < bytes.count {
            if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "-") {
                for byte in bytes[index]...bytes[index + 2] { insert(byte) }
                index += 3
            } else {
                insert(bytes[index])
                index += 1
            }
        }
    }

    package mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    @inline(__always)
    package func contains(_ byte: UInt8) -> Bool {
        let word: UInt64
        switch byte >> 6 {
        case 0: word = words.0
        case 1: word = words.1
        case 2: word = words.2
        default: word = words.3
        }
        return word & (UInt64(1) << UInt64(byte & 63)) != 0
    }

    package func union(_ other: ByteSet) -> ByteSet {
        var result = self
        result.words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2, words.3 | other.words.3)
        return result
    }

    package static func == (lhs: ByteSet, rhs: ByteSet) -> Bool {
        lhs.words == rhs.words
    }

    package static let digits = ByteSet("0-9")
    package static let lowerHex = ByteSet("0-9a-f")
    package static let hex = ByteSet("0-9a-fA-F")
    package static let upperAlnum = ByteSet("A-Z0-9")
    package static let lowerAlnum = ByteSet("a-z0-9")
    package static let letters = ByteSet("a-zA-Z")
    package static let alnum = ByteSet("a-zA-Z0-9")
    package static let base64 = ByteSet("a-zA-Z0-9+/")
    package static let base64URL = ByteSet("a-zA-Z0-9_-")
    package static let base64Any = ByteSet("a-zA-Z0-9+/_=-")
    /// Characters that continue an identifier in most languages and config formats.
    package static let identifier = ByteSet("a-zA-Z0-9_.-")
    package static let whitespace = ByteSet(" \t\r\n")
}
