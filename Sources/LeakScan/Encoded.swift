/// Credentials written encoded: base64 of a token, of `user:password`, of a whole config file
/// (a Kubernetes Secret's `data:`), or hex of a token. Runs of base64 or hex long enough to hold
/// a credential are decoded, and the decoded text goes through the rules again (at most
/// `maxDepth` layers deep); a finding points at the encoded text, where the value sits in the file.
enum Encoded {
    /// Shorter runs are too short to hold a token worth reporting once decoded.
    static let minimumBase64Run = 24
    static let minimumHexRun = 40
    /// Bounds on the work one file can cause.
    static let maxDecodesPerFile = 256
    static let maxRunLength = 64 * 1024
    static let maxDepth = 2

    /// Per byte: which kinds of base64 character it is (0 for none).
    static let lower: UInt8 = 1, upper: UInt8 = 2, digit: UInt8 = 4, standard: UInt8 = 8, urlSafe: UInt8 = 16, notHex: UInt8 = 32, padding: UInt8 = 64
    static let classes: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = lower | (byte > UInt8(ascii: "f") ? notHex : 0) }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = upper | (byte > UInt8(ascii: "F") ? notHex : 0) }
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = digit }
        table[Int(UInt8(ascii: "+"))] = standard | notHex
        table[Int(UInt8(ascii: "/"))] = standard | notHex
        table[Int(UInt8(ascii: "-"))] = urlSafe | notHex
        table[Int(UInt8(ascii: "_"))] = urlSafe | notHex
        table[Int(UInt8(ascii: "="))] = padding | notHex
        return table
    }()

    /// The runs worth decoding in `bytes`: (range, isHex). Most of a source file is short
    /// words, so the scan probes the byte `minimumBase64Run - 1` ahead: when that byte cannot be in
    /// a run, no run long enough starts before it, and the scan jumps past it (as Boyer–Moore
    /// skips), reading a fraction of the bytes.
    static func runs(in bytes: UnsafeRawBufferPointer) -> [(Range<Int>, hex: Bool)] {
        var found: [(Range<Int>, hex: Bool)] = []
        classes.withUnsafeBufferPointer { table in
            @inline(__always) func inRun(_ index: Int) -> Bool {
                let kind = table[Int(bytes[index])]
                return kind != 0 && kind & padding == 0
            }
            let count = bytes.count
            // `position` is always at the start of a run or at a byte outside any run.
            var position = 0
            while position + minimumBase64Run <= count {
                let probe = position + minimumBase64Run - 1
                guard inRun(probe) else {
                    position = probe + 1
                    continue
                }
                var start = probe
                while start > position, inRun(start - 1) { start -= 1 }
                if start > position {
                    position = start
                    continue
                }
                // A run of at least `minimumBase64Run` bytes starts here: read it whole.
                var kinds: UInt8 = 0
                var end = position
                while end < count {
                    let kind = table[Int(bytes[end])]
                    if kind == 0 { break }
                    if kind & padding != 0 {
                        while end < count, bytes[end] == UInt8(ascii: "=") { end += 1 }
                        break
                    }
                    kinds |= kind
                    end += 1
                }
                let length = end - position
                if length <= maxRunLength {
                    if kinds & notHex == 0 {
                        if length >= minimumHexRun { found.append((position..<end, true)) }
                    } else if kinds & (lower | upper | digit) == lower | upper | digit, kinds & (standard | urlSafe) != standard | urlSafe {
                        // Base64 of text mixes lower case, upper case and digits, and uses one alphabet
                        // (a URL or a path mixing `/` with `-` or `_` is not base64).
                        found.append((position..<end, false))
                    }
                }
                if found.count >= maxDecodesPerFile { return }
                position = max(end, position + 1)
            }
        }
        return found
    }

    /// Printable text decoded from a run, or `nil` (binary, or not an encoding at all).
    static func decodedText(_ run: UnsafeRawBufferPointer, hex: Bool) -> [UInt8]? {
        let decoded = hex ? decodeHex(run) : decodeBase64(run)
        guard let decoded, decoded.count >= 12 else { return nil }
        var printable = 0
        for byte in decoded where (byte >= 32 && byte < 127) || byte == 10 || byte == 13 || byte == 9 { printable += 1 }
        return printable * 100 >= decoded.count * 97 ? decoded : nil
    }

    static let base64Values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8.enumerated() { table[Int(byte)] = Int8(index) }
        table[Int(UInt8(ascii: "+"))] = 62
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "/"))] = 63
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Base64 (standard or URL alphabet, padding optional); `nil` if it is not.
    static func decodeBase64(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        var end = text.count
        while end > 0, text[end - 1] == UInt8(ascii: "=") { end -= 1 }
        guard end > 0, text.count - end <= 2, end % 4 != 1 else { return nil }
        if text.count != end, text.count % 4 != 0 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(end * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for index in 0..<end {
            let value = base64Values[Int(text[index])]
            guard value >= 0 else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }

    static func decodeHex(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 2)
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: return byte - 48
            case 97...102: return byte - 87
            case 65...70: return byte - 55
            default: return nil
            }
        }
        var index = 0
        while index < text.count {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
