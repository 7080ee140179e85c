import Foundation
import Run
import Sealing
import TestSupport
import Testing

@Suite("Masking")
struct MaskerTests {
    let value = "s3cr3t-Value/with+symbols & \"quotes\""
    var masker: Masker { Masker(values: [Fixtures.secret(value)]) }

    @Test func masksTheExactValueAndLeavesOtherTextAlone() {
        let output = masker.mask("before \(value) after \(value)")
        #expect(output == "before *** after ***")
        #expect(masker.mask("nothing secret here") == "nothing secret here")
    }

    @Test func masksEachLineOfAMultiLineValue() {
        let multi = Masker(values: [Fixtures.secret("first-line-aaa\nsecond-line-bbb\r\nthird-line-ccc")])
        let output = multi.mask("log: second-line-bbb\nthen third-line-ccc and first-line-aaa")
        #expect(!output.contains("line-"))
        #expect(output == "log: ***\nthen *** and ***")
    }

    @Test(arguments: 0..<3)
    func masksBase64AtEveryByteOffset(offset: Int) {
        let prefix = [UInt8](repeating: 0x41, count: offset)
        let embedded = Data(prefix + Array(value.utf8) + Array("--tail".utf8))
        for encoded in [embedded.base64EncodedString(), Self.urlSafe(embedded.base64EncodedString())] {
            let output = masker.mask("token=\(encoded)")
            #expect(output.contains("***"), "offset \(offset): \(encoded)")
            // What is left cannot decode back to the value.
            let rest = output.replacingOccurrences(of: "token=", with: "")
            #expect(!Self.decodesToValue(rest, value: value))
        }
    }

    @Test func masksURLEncodedAndJSONEscapedForms() throws {
        let urlEncoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))!
        #expect(masker.mask("GET /?key=\(urlEncoded)") == "GET /?key=***")
        let formEncoded = urlEncoded.replacingOccurrences(of: "%20", with: "+")
        #expect(masker.mask("body: key=\(formEncoded)") == "body: key=***")
        let json = String(decoding: try JSONSerialization.data(withJSONObject: ["k": value]), as: UTF8.self)
        #expect(!masker.mask(json).contains("s3cr3t"))
        #expect(masker.mask(json).contains("***"))
    }

    @Test func catchesAValueSplitAcrossChunksAtEveryPosition() {
        let text = Array("line one \(value) line two".utf8)
        for split in 1..<text.count {
            var stream = masker.stream()
            let output = stream.feed(Array(text[..<split])) + stream.feed(Array(text[split...])) + stream.finish()
            #expect(String(decoding: output, as: UTF8.self) == "line one *** line two", "split at \(split)")
        }
    }

    @Test func holdsBackOnlyWhatCouldStartAValue() {
        var stream = masker.stream()
        let first = stream.feed(Array("plain text then s3cr".utf8))
        #expect(String(decoding: first, as: UTF8.self) == "plain text then ")
        let rest = stream.feed(Array("ing that was not it".utf8)) + stream.finish()
        #expect(String(decoding: rest, as: UTF8.self) == "s3cring that was not it")
    }

    @Test func shortValuesAreMaskedExactlyButTheirDerivedFormsAreNot() {
        let short = Masker(values: [Fixtures.secret("ab")])
        #expect(short.mask("xabx") == "x***x")
        // "ab" in base64 is "YWI", shorter than the minimum derived length: left alone.
        #expect(short.mask("YWI") == "YWI")
    }

    @Test func prefersTheLongestMatch() {
        let both = Masker(values: [Fixtures.secret("abcd-1234"), Fixtures.secret("abcd-1234-extended")])
        #expect(both.mask("[abcd-1234-extended]") == "[***]")
    }

    // MARK: Threat: masking misses (issue 9, item 9)

    /// Values of 58 bytes or more, base64-encoded by `base64` (76 columns) or OpenSSL's format
    /// (64 columns), arrive in lines; every line break position must still be masked.
    @Test(arguments: [58, 77, 200])
    func wrappedBase64FromCoreutilsAndOpenSSLIsMasked(length: Int) throws {
        let value = String((0..<length).map { Array("abcdefghijklmnopqrstuvwxyz0123456789-+/")[($0 * 7) % 39] })
        let masker = Masker(values: [Fixtures.secret(value)])
        for prefix in ["", "x", "yz", "some context: "] {
            let input = Array((prefix + value + "\n").utf8)
            let coreutils = try Subprocess.run("base64", [], stdin: input).stdoutText
            let openssl = Data(input).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed]) + "\n"
            let windows = Data(input).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            // As a shell prints `echo "token=$(… | base64)"`: other text before the first line.
            for encoded in [coreutils, openssl, windows, "token=" + coreutils] {
                #expect(encoded.utf8.dropLast().contains(10), "wrapped into lines")
                let output = masker.mask(encoded)
                #expect(output.contains("***"), "\(prefix.count)-byte prefix, \(encoded)")
                let unwrapped = String(String.UnicodeScalarView(output.unicodeScalars.filter { $0 != "\n" && $0 != "\r" }))
                #expect(!Self.decodesToValue(unwrapped, value: value), "\(output)")
                // Split anywhere, the stream masks the same.
                let bytes = Array(encoded.utf8)
                for split in stride(from: 1, to: bytes.count, by: 7) {
                    var stream = masker.stream()
                    let streamed = stream.feed(Array(bytes[..<split])) + stream.feed(Array(bytes[split...])) + stream.finish()
                    #expect(String(decoding: streamed, as: UTF8.self) == output, "split at \(split)")
                }
            }
        }
    }

    /// A line that ends in what could start a base64 form is passed on whole: only a line as
    /// wide as encoders wrap can continue a form on the next line.
    @Test func aShortLineIsNotHeldBackForWrappedBase64() {
        let first = Data(value.utf8).base64EncodedString().prefix(2)
        var stream = masker.stream()
        let line = "waiting for input \(first)\n"
        #expect(String(decoding: stream.feed(Array(line.utf8)), as: UTF8.self) == line)
    }

    /// Python's `repr()` escapes `\` and `'` (and shows `bytes` with `\xHH`): printed by a real
    /// Python, every form is masked.
    @Test(arguments: ["it's-s3cr3t-value", "back\\slash-s3cr3t", "both'and\"quote-s3cr3t", "s3cr3t\\it's-é-tail", "tab\tand\nline-s3cr3t"])
    func pythonReprOfValuesWithQuotesOrBackslashesIsMasked(value: String) throws {
        let masker = Masker(values: [Fixtures.secret(value)])
        let script = "import sys; v = sys.stdin.buffer.read(); print(repr(v.decode())); print(repr(v)); print([v.decode()]); print({'k': v})"
        let printed = try Subprocess.run("python3", ["-c", script], stdin: Array(value.utf8)).stdoutText
        let output = masker.mask(printed)
        #expect(!output.contains("s3cr3t"), "\(printed) -> \(output)")
        #expect(output.components(separatedBy: "***").count == 5, "\(output)")
    }

    /// Gson escapes `=`, `'`, `<`, `>` and `&` as `\u003d`… by default.
    @Test func gsonStyleUnicodeEscapesAreMasked() {
        for value in ["dG9rZW4tczNjcjN0LXZhbHVl==", "a<b>&'c=s3cr3t"] {
            var escaped = ""
            for character in value {
                switch character {
                case "=": escaped += "\\u003d"
                case "'": escaped += "\\u0027"
                case "<": escaped += "\\u003c"
                case ">": escaped += "\\u003e"
                case "&": escaped += "\\u0026"
                default: escaped.append(character)
                }
            }
            let output = Masker(values: [Fixtures.secret(value)]).mask("{\"token\":\"\(escaped)\"}")
            #expect(output == "{\"token\":\"***\"}", "\(output)")
        }
    }

    /// Two values that overlap in the output: the union is masked, and no part of either shows,
    /// wherever the output is split.
    @Test func overlappingSecretsAreMaskedAsTheirUnion() {
        let first = "prefix-AAAA-0123456789"
        let second = "0123456789-BBBB-suffix"
        let masker = Masker(values: [Fixtures.secret(first), Fixtures.secret(second)])
        let text = Array("[prefix-AAAA-0123456789-BBBB-suffix] and [xx0123456789-BBBB-suffix]".utf8)
        for split in 0...text.count {
            var stream = masker.stream()
            let output = stream.feed(Array(text[..<split])) + stream.feed(Array(text[split...])) + stream.finish()
            #expect(String(decoding: output, as: UTF8.self) == "[***] and [xx***]", "split at \(split)")
        }
        // A shorter value inside a longer one: the longer one is masked whole.
        let nested = Masker(values: [Fixtures.secret("0123456789"), Fixtures.secret("abc-0123456789-xyz")])
        #expect(nested.mask("abc-0123456789-xyz 0123456789") == "*** ***")
    }

    /// Output holding every kind of form (exact, overlapping values, wrapped base64, JSON,
    /// Python repr), fed in chunks split at every point and in random pieces: always masked
    /// exactly as in one piece.
    @Test func everySplitOfMixedOutputMasksAsOnePiece() throws {
        let long = "wrapped-" + String(repeating: "Qx7-", count: 20)
        let masker = Masker(values: [Fixtures.secret(value), Fixtures.secret("overlap-AAAA-1234"), Fixtures.secret("1234-BBBB-tail"), Fixtures.secret(long)])
        let json = String(decoding: try JSONSerialization.data(withJSONObject: ["k": value]), as: UTF8.self)
        let wrapped = Data(("x" + long).utf8).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        let text = Array("a \(value) b overlap-AAAA-1234-BBBB-tail c \(json) d\n\(wrapped)\ne s3cr3t\\x27 end".utf8)
        let whole = masker.mask(text)
        #expect(!String(decoding: whole, as: UTF8.self).contains("AAAA") && !String(decoding: whole, as: UTF8.self).contains("BBBB"))
        for split in 0...text.count {
            var stream = masker.stream()
            let output = stream.feed(Array(text[..<split])) + stream.feed(Array(text[split...])) + stream.finish()
            #expect(output == whole, "split at \(split)")
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var stream = masker.stream()
            var output: [UInt8] = []
            var start = 0
            while start < text.count {
                let end = min(text.count, start + Int.random(in: 1...9, using: &generator))
                output += stream.feed(Array(text[start..<end]))
                start = end
            }
            output += stream.finish()
            #expect(output == whole)
        }
    }

    /// A value of 64 KiB against 1 MB of output: the automaton's answer matches a plain search.
    @Test func aLargeValueIsMaskedInLargeOutput() {
        var generator = SystemRandomNumberGenerator()
        let value = (0..<(64 * 1024)).map { _ in UInt8.random(in: 97...122, using: &generator) }
        let masker = Masker(values: [Fixtures.secret(value)])
        let filler = [UInt8](repeating: UInt8(ascii: "."), count: 1_000_000)
        let output = masker.mask(filler + value + filler[..<10])
        #expect(output == filler + Masker.replacement + filler[..<10])
    }

    static func urlSafe(_ base64: String) -> String {
        base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// Whether any decoding of `text` (either alphabet, at any start) still holds `value`.
    static func decodesToValue(_ text: String, value: String) -> Bool {
        let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        for start in 0..<4 where start < standard.count {
            var chunk = String(standard.dropFirst(start)).filter { $0 != "=" && $0 != "*" }
            chunk = String(chunk.prefix(chunk.count / 4 * 4))
            if let data = Data(base64Encoded: chunk), String(decoding: data, as: UTF8.self).contains(value) { return true }
        }
        return false
    }
}
