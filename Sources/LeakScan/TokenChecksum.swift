/// Checksums that providers build into their tokens. A token-shaped string whose checksum does
/// not verify was typed by hand (an example, a test fixture), not issued.
enum TokenChecksum {
    static let base62Alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// CRC-32 (IEEE 802.3, as zlib computes it); the table is built on first use.
    static let crcTable: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        return crc
    }

    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// `value` in base62 (digits, upper, lower), left-padded with `0` to `width`.
    static func base62(_ value: UInt32, width: Int) -> [UInt8] {
        var digits: [UInt8] = []
        var rest = value
        while rest > 0 {
            digits.append(base62Alphabet[Int(rest % 62)])
            rest /= 62
        }
        while digits.count < width { digits.append(UInt8(ascii: "0")) }
        return digits.reversed()
    }

    /// GitHub's classic tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`) and npm's (`npm_`): 30 random
    /// base62 characters, then the CRC-32 of those 30 in 6 base62 characters
    /// (github.blog, "Behind GitHub's new authentication token formats", 2021; npm's 2021 format).
    static func verifiesCRC32Base62(_ token: UnsafeRawBufferPointer, prefixLength: Int) -> Bool {
        let body = UnsafeRawBufferPointer(rebasing: token[prefixLength...])
        guard body.count == 36 else { return false }
        let expected = base62(crc32(body.prefix(30)), width: 6)
        return body.suffix(6).elementsEqual(expected)
    }
}
