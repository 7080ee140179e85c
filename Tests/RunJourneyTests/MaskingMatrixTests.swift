import Foundation
import Run
import Sealing
import TestSupport
import Testing
import Workspace

/// One way a step can print a secret, and the text that must not appear.
struct MaskingCase: CustomTestStringConvertible, Sendable {
    var label: String
    /// Shell for a run step; the value is in `$S`.
    var command: String
    /// The printed form of the value (computed here, independently of the masker).
    var form: @Sendable (String) -> String

    var testDescription: String { label }
}

@Suite("Masking over real step output")
struct MaskingMatrixTests {
    /// A value whose encoded forms differ from it: a slash, a plus, a space, quotes, an ampersand.
    static func value(_ canary: Canary) -> String { "\(canary.text)/+ \"q\"&\\z" }

    static func base64(_ text: String, prefix: String, urlSafe: Bool = false) -> String {
        let encoded = Data((prefix + text).utf8).base64EncodedString()
        let safe = urlSafe ? encoded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") : encoded
        // The characters that depend only on the value (a prefix touches at most the first 4).
        let characters = Array(safe)
        return String(characters[4..<(characters.count - 4)])
    }

    /// The JSON string body of `text`, as Python's json.dumps writes it (slashes unescaped).
    static func json(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return String(String(decoding: try! encoder.encode(text), as: UTF8.self).dropFirst().dropLast())
    }

    static let cases: [MaskingCase] = [
        .init(label: "exact value", command: #"printf 'value: %s\n' "$S""#, form: { $0 }),
        .init(label: "base64, offset 0", command: #"printf '%s' "$S" | base64 -w0; echo"#, form: { base64($0, prefix: "") }),
        .init(label: "base64, offset 1", command: #"printf 'x%s' "$S" | base64 -w0; echo"#, form: { base64($0, prefix: "x") }),
        .init(label: "base64, offset 2", command: #"printf 'xy%s' "$S" | base64 -w0; echo"#, form: { base64($0, prefix: "xy") }),
        .init(
            label: "url-safe base64, offset 1", command: #"printf 'x%s' "$S" | base64 -w0 | tr '+/' '-_'; echo"#,
            form: { base64($0, prefix: "x", urlSafe: true) }),
        .init(
            label: "URL-encoded", command: #"python3 -c 'import os, urllib.parse; print("q=" + urllib.parse.quote(os.environ["S"], safe=""))'"#,
            form: { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))! }),
        .init(
            label: "JSON-escaped", command: #"python3 -c 'import os, json; print(json.dumps({"token": os.environ["S"]}))'"#,
            form: { json($0) }),
        .init(
            label: "split across output chunks", command: #"head=${S%??????????}; printf 'start %s' "$head"; sleep 0.3; printf '%s end\n' "${S#"$head"}""#,
            form: { $0 }),
        .init(label: "on standard error of a failing step", command: #"printf 'fatal: bad token %s\n' "$S" >&2; exit 3"#, form: { $0 }),
    ]

    @Test(arguments: cases)
    func aPrintedFormOfTheValueIsMasked(_ masking: MaskingCase) throws {
        let fixture = try JourneyFixture(label: "mask")
        let canary = Canary()
        let value = Self.value(canary)
        let form = masking.form(value)
        let command = masking.command.replacingOccurrences(of: "'", with: "''")
        try fixture.journey("leak", "steps:\n  - name: print\n    run: '\(command)'\n    env: { S: { secret: token } }\n")
        let (report, output) = try fixture.run("leak", .local(environment: ["TOKEN": value]))

        let reportText = String(decoding: report.encoded(), as: UTF8.self)
        for (place, text) in [("output", output.all), ("report", reportText)] {
            #expect(!canary.appears(in: text), "\(place) shows the canary: \(text)")
            #expect(!text.contains(form), "\(place) shows the \(masking.label) form")
        }
        #expect(output.all.contains("***"), "\(output.all)")
        if masking.label.contains("failing") {
            #expect(report.status == .failed)
            let error = try #require(report.steps.first?.error)
            #expect(error.contains("exited with status 3"))
            #expect(error.contains("fatal: bad token ***"))
        } else {
            #expect(report.status == .passed, "\(output.all)")
        }
    }

    @Test func eachLineOfAMultiLineValueIsMasked() throws {
        let fixture = try JourneyFixture(label: "mask")
        let lines = [Canary(), Canary(), Canary()]
        let value = lines.map(\.text).joined(separator: "\n")
        try fixture.journey(
            "leak",
            """
            steps:
              - run: |
                  printf '%s\\n' "$S" | sed -n 2p
                  printf 'last: %s\\n' "$(printf '%s\\n' "$S" | tail -n 1)"
                  printf '%s' "$S" | head -n 1 | base64 -w0; echo
                env: { S: { secret: cert } }
            """)
        let (report, output) = try fixture.run("leak", .local(environment: ["CERT": value]))
        #expect(report.status == .passed)
        for line in lines { #expect(!line.appears(in: output.all), "\(output.all)") }
        #expect(!output.all.contains(Self.base64(lines[0].text, prefix: "")))
        #expect(output.all.components(separatedBy: "***").count - 1 == 3, "\(output.all)")
    }

    @Test func aValueEchoedInAnHTTPResponseBodyIsMasked() throws {
        let server = try DemoServer()
        let fixture = try JourneyFixture(label: "mask")
        let canary = Canary()
        try fixture.journey(
            "echo",
            """
            steps:
              - name: echo
                http:
                  method: POST
                  url: \(server.baseURL)/echo
                  headers: { Authorization: "Bearer ${{ secrets.api-token }}" }
                  body: '{"again": "${{ secrets.api-token }}"}'
              - name: rejected
                http:
                  method: POST
                  url: \(server.baseURL)/echo
                  headers: { Authorization: "Bearer ${{ secrets.api-token }}" }
                  expect: { status: 418 }
            """)
        let (report, output) = try fixture.run("echo", .local(environment: ["API_TOKEN": canary.text]))
        #expect(server.received == [canary.text, canary.text], "the server got the real value")
        let reportText = String(decoding: report.encoded(), as: UTF8.self)
        #expect(output.standardOutput.contains(#""authorization": "Bearer ***""#), "\(output.all)")
        #expect(!canary.appears(in: output.all))
        #expect(!canary.appears(in: reportText))
        // The failing step's error quotes the (masked) body.
        #expect(report.status == .failed)
        let error = try #require(report.steps.last?.error)
        #expect(error.contains("expected status 418, got 200"))
        #expect(error.contains("Bearer ***"))
    }

    @Test func aValueInAFailingHTTPStepsURLIsMaskedInItsError() throws {
        let fixture = try JourneyFixture(label: "mask")
        let canary = Canary()
        // Port 9 (discard) on loopback: nothing listens, the request fails at once.
        try fixture.journey("down", "steps:\n  - http: { url: \"http://127.0.0.1:9/hook?key=${{ secrets.hook-key }}\" }\n")
        let (report, output) = try fixture.run("down", .local(environment: ["HOOK_KEY": canary.text]))
        #expect(report.status == .failed)
        let error = try #require(report.steps.first?.error)
        #expect(error.contains("key=***"), "\(error)")
        #expect(!canary.appears(in: error))
        #expect(!canary.appears(in: output.all))
    }
}
