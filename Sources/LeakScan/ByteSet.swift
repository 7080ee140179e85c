/// A set of byte values, tested with one shift and mask: the alphabet of a token's body.
public struct ByteSet: Sendable, Equatable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    public init() {}

    /// The bytes of `characters` (ASCII), with `a-z` style ranges.
    public init(_ characters: String) {
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

    public mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    @inline(__always)
    public func contains(_ byte: UInt8) -> Bool {
        let word: UInt64
        switch byte >> 6 {
        case 0: word = words.0
        case 1: word = words.1
        case 2: word = words.2
        default: word = words.3
        }
        return word & (UInt64(1) << UInt64(byte & 63)) != 0
    }

    public func union(_ other: ByteSet) -> ByteSet {
        var result = self
        result.words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2, words.3 | other.words.3)
        return result
    }

    public static func == (lhs: ByteSet, rhs: ByteSet) -> Bool {
        lhs.words == rhs.words
    }

    public static let digits = ByteSet("0-9")
    public static let lowerHex = ByteSet("0-9a-f")
    public static let hex = ByteSet("0-9a-fA-F")
    public static let upperAlnum = ByteSet("A-Z0-9")
    public static let lowerAlnum = ByteSet("a-z0-9")
    public static let letters = ByteSet("a-zA-Z")
    public static let alnum = ByteSet("a-zA-Z0-9")
    public static let base64 = ByteSet("a-zA-Z0-9+/")
    public static let base64URL = ByteSet("a-zA-Z0-9_-")
    public static let base64Any = ByteSet("a-zA-Z0-9+/_=-")
    /// Characters that continue an identifier in most languages and config formats.
    public static let identifier = ByteSet("a-zA-Z0-9_.-")
    public static let whitespace = ByteSet(" \t\r\n")
}
