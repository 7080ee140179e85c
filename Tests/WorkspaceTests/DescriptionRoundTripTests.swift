import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("Quoted metadata round-trips")
struct DescriptionRoundTripTests {
    @Test(arguments: [
        "plain", "quote \" and \\ backslash", "tab\tnewline\ncr\r", "next line \u{85} here", "line sep \u{2028} para sep \u{2029}", "bell \u{07} del \u{7f}",
        "émoji 🗝️", "c1 \u{90} and \u{9b}[31m", "non-characters \u{fffe}\u{ffff}",
    ])
    func descriptionsSurviveBothReaders(description: String) throws {
        try withScratchFolder { folder in
            let fixture = try Fixtures.workspace(in: folder.path)
            let name = try SecretName("meta")
            try fixture.workspace.addSecret(name, value: Fixtures.secret("v"), description: description)
            // The canonical reader (what the tool wrote) and the YAML reader agree on the text.
            #expect(try fixture.workspace.readSealed(name).description == description)
            let text = try String(contentsOfFile: fixture.workspace.sealedPath(name), encoding: .utf8)
            #expect(try SealedFile.parse(YAMLFile(path: "meta.sealed", text: text)).description == description)
        }
    }
}

@Suite("The fast sealed-file reader and the YAML reader accept exactly the same files")
struct SealedReaderAgreementTests {
    static let canonical = """
        # Sealed by journey; do not edit.
        format: journey-sealed/v1
        name: payments-api-key
        description: "Payments sandbox key"
        version: 2
        updated: "2026-11-27T07:12:17Z"
        recipients:
          - key-id: 02692795d835aab4
            name: "alice"
            wrapped-key: 7BquiWa5v8EP2oKhmHq/olbvm2fZX/qGWX1f9CZVo1Ez7bTogrk2OFHBW0HkaOPiZxFi1BS9ayxIermkCCQDQbN/6U4KHJuqb6cb0fxm2Yk=
        nonce: R5WgJnO0zdeaMKC1SCyR+vjUBcjjgeVW
        ciphertext: TjkCLM+nnsg+vV+yFKSXmKRmtQUHBpiy3+lwWHum9Rc0LN+p0O3xCc+CP8ncb03rt4vlevHBSl73VRqSHPrLODPuYhRIZ8vr+STho4BIjNlvpCbv1ac/xcZOfHUEd0ZTCQZNSjnzDlVOQNwgJT8HUTNwhB5Hzru1MvAx7BWDxVY0B6vC7j079JgtrutnIARGZcinYIiTw9YHRnyab7+IWz8PJ3KELN9Tz2A9frqnfYpZgwVynkNSsiZixxUQT0HPjXBlj04mrRLQiWHEhvNzldzsleflJ4kL5mVnb2XtkoYw7EwMl2b6E0cQumWIYM7WgaWYyJKZ45qgyGxqSMHulXyGqFRjKnrb2NWqt4MlLcY=

        """

    /// Edits of the description line and the recipient name: escapes, raw bytes, odd plain values.
    static let variants: [String] = [
        #"description: "\x+1""#, #"description: "\x4""#, #"description: "\x41""#, #"description: "\xff""#, #"description: "\x7f""#,
        #"description: "\xg1""#, "description: \"raw \u{01} control\"", "description: \"raw \u{7f} del\"", "description: \"raw \u{90} c1\"",
        "description: \"tab\tinside\"", #"description: "\N\L\P""#, #"description: "\u0041""#, #"description: "\0""#, "description: -",
        "description: -x", "description: a:b", "description: .", "description: \"unterminated", #"description: "a"b""#, "description: plain text",
        "description: \"\"", "description: \"é\"", "description: ~", "description: null",
    ]

    @Test(arguments: variants)
    func bothReadersAgree(line: String) throws {
        let text = Self.canonical.replacingOccurrences(of: "description: \"Payments sandbox key\"", with: line)
        let fast = Result { try SealedFile.parse(path: "x.sealed", text: text) }
        let yaml = Result { try SealedFile.parse(YAMLFile(path: "x.sealed", text: text)) }
        switch (fast, yaml) {
        case (.success(let a), .success(let b)): #expect(a == b, "\(line)")
        case (.failure, .failure): break
        default: Issue.record("readers disagree on \(line): fast \(fast), YAML \(yaml)")
        }
    }
}
