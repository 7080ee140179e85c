import Foundation
import Sealing
import TestSupport
import Testing

@Suite("Value forms")
struct ValueFormsTests {
    @Test func everyBase64FormAppearsInTheEncodingOfTextAroundTheValue() {
        let value = Array("p@ss/w+rd-\u{7f}-0123456789".utf8)
        let forms = ValueForms.of(Fixtures.secret(value), minimumDerivedLength: 4)
        let base64Forms = forms.filter { $0.label == " (base64)" }.map { String(decoding: $0.bytes.testBytes, as: UTF8.self) }
        #expect(base64Forms.count == 3)
        for prefixLength in 0..<6 {
            for suffixLength in 0..<4 {
                let text = Data([UInt8](repeating: 0xa5, count: prefixLength) + value + [UInt8](repeating: 0x5a, count: suffixLength))
                let encoded = text.base64EncodedString()
                // The form for this offset must be inside the encoding, whatever surrounds the value.
                #expect(encoded.contains(base64Forms[prefixLength % 3]), "prefix \(prefixLength), suffix \(suffixLength)")
            }
        }
    }

    @Test func formsAreDistinctLongEnoughAndStartWithTheValue() {
        let value = Fixtures.secret("line-one\nline two \"quoted\"")
        let forms = ValueForms.of(value, minimumDerivedLength: 6)
        #expect(forms[0].label == "" && forms[0].bytes == value)
        #expect(forms.dropFirst().allSatisfy { $0.bytes.count >= 6 })
        for (i, a) in forms.enumerated() { for b in forms[(i + 1)...] { #expect(!(a.bytes == b.bytes)) } }
        let texts = forms.map { String(decoding: $0.bytes.testBytes, as: UTF8.self) }
        #expect(texts.contains("line-one"))
        #expect(texts.contains(#"line-one\nline two \"quoted\""#))
        #expect(texts.contains("line-one%0Aline%20two%20%22quoted%22"))
        #expect(texts.contains("line-one%0Aline+two+%22quoted%22"))
    }
}

@Suite("Value forms as real encoders write them")
struct ValueFormsEncoderTests {
    /// Forms of `value` as text, for comparing with what real encoders print.
    func forms(_ value: String) -> Set<String> {
        Set(ValueForms.of(Fixtures.secret(value), minimumDerivedLength: 4).map { String(decoding: $0.bytes.testBytes, as: UTF8.self) })
    }

    @Test func includesWhatPythonsEncodersPrint() throws {
        let value = "Zp@ss \"w/rd\" <&>+x/y=z:1 päss"
        let script = """
            import json, sys, urllib.parse
            v = sys.stdin.read()
            for form in [urllib.parse.quote(v), urllib.parse.quote(v, safe=''), urllib.parse.quote_plus(v), json.dumps(v)[1:-1], json.dumps(v, ensure_ascii=False)[1:-1]]:
                print(form)
            """
        let result = try Subprocess.run("python3", ["-c", script], stdin: Array(value.utf8))
        #expect(result.exitCode == 0)
        let known = forms(value)
        for line in result.stdoutText.split(separator: "\n") {
            #expect(known.contains(String(line)), "missing \(line)")
        }
    }

    @Test func includesGoStyleHTMLSafeJSONAndTheTrimmedValue() {
        let known = forms("a<b>&c-1234\n")
        #expect(known.contains(#"a\u003cb\u003e\u0026c-1234"#))
        #expect(known.contains("a<b>&c-1234"))
    }

    @Test func plainJSONLeavesAngleBracketsAlone() {
        let known = forms("x<y>z-secret")
        #expect(known.contains("x<y>z-secret"))
        #expect(known.contains(#"x\u003cy\u003ez-secret"#))
    }
}
