import Foundation
import TestSupport
import Testing
import Workspace

@testable import AdminUI

/// Saving from the editor changes only the edited fields' text: proven on every example
/// journey, field by field and source by source, and on YAML shapes the examples lack.
@Suite struct JourneyTextEditTests {
    static let exampleFolder = PackagePaths.root + "/example-workspace/journeys"

    static func exampleFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: exampleFolder).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    /// Every other source for a field, with a text that fits it.
    static func alternatives(for field: EditorField) -> [(EditorField.Source, String)] {
        var list: [(EditorField.Source, String)] = []
        for source in field.sources {
            switch source {
            case .literal where field.credential: list.append((.literal, "Bearer ghp_" + String(repeating: "Qw7", count: 12)))
            case .literal where field.path.hasSuffix(".http.method"): list.append((.literal, field.text == "PUT" ? "PATCH" : "PUT"))
            case .literal: list.append((.literal, field.source == .literal ? field.text + " changed" : "plain text"))
            case .secret: list.append((.secret, field.text == "payments-api-key" ? "slack-token" : "payments-api-key"))
            case .env: list.append((.env, "EDITED_VARIABLE"))
            }
        }
        return list
    }

    /// The lines outside `[first, last]` (1-based, in the old text) are the same bytes in both.
    static func onlyLinesChanged(old: String, new: String, first: Int, last: Int) -> Bool {
        let oldLines = old.split(separator: "\n", omittingEmptySubsequences: false)
        let newLines = new.split(separator: "\n", omittingEmptySubsequences: false)
        let tail = oldLines.count - last
        guard newLines.count >= (first - 1) + tail else { return false }
        return Array(oldLines.prefix(first - 1)) == Array(newLines.prefix(first - 1)) && Array(oldLines.suffix(tail)) == Array(newLines.suffix(tail))
    }

    /// `new` is `old` with only the bytes in `range` replaced: everything before and after it
    /// is the same bytes.
    static func onlyBytesChanged(old: String, new: String, range: Range<Int>) -> Bool {
        let before = Array(old.utf8)
        let after = Array(new.utf8)
        let tail = before.count - range.upperBound
        guard after.count >= range.lowerBound + tail else { return false }
        return before[..<range.lowerBound].elementsEqual(after[..<range.lowerBound]) && before.suffix(tail).elementsEqual(after.suffix(tail))
    }

    @Test func everyFieldOfEveryExampleJourneyChangesOnlyItsOwnText() throws {
        let files = try Self.exampleFiles()
        #expect(files.count >= 2)
        var edits = 0
        for name in files {
            let text = try String(contentsOfFile: Self.exampleFolder + "/" + name, encoding: .utf8)
            let id = (name as NSString).deletingPathExtension
            let document = JourneyEditor.document(id: id, file: "journeys/" + name, text: text)
            let yaml = try JourneyYAML.parse(text, path: name)
            for field in document.values + document.steps.flatMap(\.fields) where field.editable {
                let found = try #require(JourneyTextEdit.locate(field.path, in: yaml))
                let first = min(found.key.line, found.value.line)
                let lastLine = field.text.split(separator: "\n", omittingEmptySubsequences: false).count + found.value.line
                for (source, newText) in Self.alternatives(for: field) {
                    let edit = JourneyTextEdit.Edit(path: field.path, source: source, text: newText)
                    if field.credential && source == .literal {
                        // A literal in a credential field is what the leak check blocks.
                        #expect(throws: JourneyEditor.LeakRefusal.self) { _ = try JourneyEditor.edited([edit], id: id, file: "journeys/" + name, text: text) }
                        continue
                    }
                    let edited = try JourneyEditor.edited([edit], id: id, file: "journeys/" + name, text: text)
                    #expect(edited != text, "\(name) \(field.path) → \(source)")
                    #expect(Self.onlyLinesChanged(old: text, new: edited, first: first, last: lastLine), "\(name) \(field.path) → \(source)")
                    #expect(Self.onlyBytesChanged(old: text, new: edited, range: found.extent), "\(name) \(field.path) → \(source)")
                    let reparsed = JourneyEditor.document(id: id, file: "journeys/" + name, text: edited)
                    let after = try #require((reparsed.values + reparsed.steps.flatMap(\.fields)).first { $0.path == field.path })
                    #expect(after.source == source && after.text == newText)
                    // Back to what it was: the same journey, only those lines touched; byte for
                    // byte when the field stayed a literal (its quoting style is kept).
                    let back = try JourneyEditor.edited(
                        [JourneyTextEdit.Edit(path: field.path, source: field.source, text: field.text)], id: id, file: "journeys/" + name, text: edited)
                    let restored = JourneyEditor.document(id: id, file: "journeys/" + name, text: back)
                    #expect(restored.values == document.values && restored.steps == document.steps, "\(name) \(field.path) → \(source) and back")
                    #expect(Self.onlyLinesChanged(old: text, new: back, first: first, last: lastLine))
                    if source == field.source || field.source != .literal {
                        #expect(back == text, "\(name) \(field.path) → \(source) and back")
                    }
                    edits += 1
                }
            }
        }
        #expect(edits > 20)
    }

    @Test func aReferencePickedForAValueIsWrittenAsSecretReferenceAndNothingElseMoves() throws {
        let text = try String(contentsOfFile: Self.exampleFolder + "/checkout.yaml", encoding: .utf8)
        let edited = try JourneyEditor.edited(
            [JourneyTextEdit.Edit(path: "values.base_url", source: .secret, text: "payments-api-key")], id: "checkout", file: "journeys/checkout.yaml",
            text: text)
        #expect(edited == text.replacingOccurrences(of: "base_url: { env: DEMO_BASE_URL }", with: "base_url: { secret: payments-api-key }"))
    }

    @Test(arguments: [
        // A comment after the value stays, and so does the spacing before it.
        (
            "values:\n  a: one   # keep me\nsteps:\n  - name: s\n    run: echo\n", "values.a", "two",
            "values:\n  a: two   # keep me\nsteps:\n  - name: s\n    run: echo\n"
        ),
        // A block mapping as the value.
        (
            "values:\n  a:\n    secret: old-name\n  b: x\nsteps:\n  - name: s\n    run: echo\n", "values.a", "lit",
            "values:\n  a:\n    lit\n  b: x\nsteps:\n  - name: s\n    run: echo\n"
        ),
        // A double-quoted string with escapes and a colon.
        (
            "values:\n  a: \"x: \\\"y\\\"\"\n  b: x\nsteps:\n  - name: s\n    run: echo\n", "values.a", "a \"b\"",
            "values:\n  a: \"a \\\"b\\\"\"\n  b: x\nsteps:\n  - name: s\n    run: echo\n"
        ),
        // Flow context: a comma forces quotes there.
        (
            "steps:\n  - name: s\n    run: echo\n    env: { A: one, B: two }\n", "steps.0.env.A", "x, y",
            "steps:\n  - name: s\n    run: echo\n    env: { A: \"x, y\", B: two }\n"
        ),
        // Single quotes keep their style.
        (
            "values:\n  a: 'it''s'\nsteps:\n  - name: s\n    run: echo\n", "values.a", "they're",
            "values:\n  a: 'they''re'\nsteps:\n  - name: s\n    run: echo\n"
        ),
        // Text that YAML would read as something else gets quoted.
        (
            "values:\n  a: x\nsteps:\n  - name: s\n    run: echo\n", "values.a", "# not a comment",
            "values:\n  a: \"# not a comment\"\nsteps:\n  - name: s\n    run: echo\n"
        ),
        // Windows line ends elsewhere stay.
        (
            "values:\r\n  a: x\r\n  b: y\r\nsteps:\r\n  - name: s\r\n    run: echo\r\n", "values.a", "z",
            "values:\r\n  a: z\r\n  b: y\r\nsteps:\r\n  - name: s\r\n    run: echo\r\n"
        ),
    ])
    func shapes(_ input: String, _ path: String, _ newText: String, _ expected: String) throws {
        let edited = try JourneyEditor.edited(
            [JourneyTextEdit.Edit(path: path, source: .literal, text: newText)], id: "t", file: "journeys/t.yaml", text: input)
        #expect(edited == expected)
    }

    @Test func aMultiLineCommandKeepsItsBlockStyle() throws {
        let input = "steps:\n  - name: s\n    run: |\n      echo one\n      echo two\n    timeout: 5s\n"
        let edited = try JourneyEditor.edited(
            [JourneyTextEdit.Edit(path: "steps.0.run", source: .literal, text: "echo three\n\necho four\n")], id: "t", file: "journeys/t.yaml", text: input)
        #expect(edited == "steps:\n  - name: s\n    run: |\n      echo three\n\n      echo four\n    timeout: 5s\n")
    }

    @Test func aLiteralCredentialIsRefusedBeforeSavingAndNamesTheField() throws {
        let input = "steps:\n  - name: s\n    http:\n      url: http://127.0.0.1/x\n      headers: { Authorization: x }\n"
        let token = "Bearer " + "ghp_" + String(repeating: "aB3", count: 12)
        #expect {
            _ = try JourneyEditor.edited(
                [JourneyTextEdit.Edit(path: "steps.0.http.headers.Authorization", source: .literal, text: token)], id: "t", file: "journeys/t.yaml", text: input
            )
        } throws: { error in
            guard let refusal = error as? JourneyEditor.LeakRefusal else { return false }
            let encoded = String(decoding: try! JSONEncoder().encode(refusal), as: UTF8.self)
            return refusal.findings.first?.path == "steps.0.http.headers.Authorization" && !encoded.contains("aB3aB3")
        }
    }

    @Test func aSecretCannotGoIntoACommandLine() throws {
        let input = "steps:\n  - name: s\n    run: echo hi\n"
        #expect(throws: AdminUIError.self) {
            _ = try JourneyEditor.edited([JourneyTextEdit.Edit(path: "steps.0.run", source: .secret, text: "x")], id: "t", file: "journeys/t.yaml", text: input)
        }
    }

    @Test func anAnchoredValueIsLeftToTheTextEditor() throws {
        let input = "values:\n  a: &v one\n  b: *v\nsteps:\n  - name: s\n    run: echo\n"
        #expect(throws: AdminUIError.self) {
            _ = try JourneyEditor.edited([JourneyTextEdit.Edit(path: "values.a", source: .literal, text: "two")], id: "t", file: "journeys/t.yaml", text: input)
        }
    }
}
