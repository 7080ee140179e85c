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
