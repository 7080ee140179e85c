import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

/// One bad input: which file, how it is made from a valid one, and where the error must point.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    enum File: Sendable { case workspace, recipients, sealed }
    enum Edit: Sendable {
        /// The whole file.
        case text(String)
        /// Line `n` (1-based) of the valid file replaced by the given lines (none deletes it).
        case line(Int, [String])
        /// Lines `range` of the valid file replaced by the given lines.
        case lines(ClosedRange<Int>, [String])
    }

    let label: String
    let file: File
    let edit: Edit
    /// The line the error must name (a missing field: the top of the file or of its list entry).
    let line: Int
    /// Words the message must hold (what was expected).
    let expected: String

    var testDescription: String { label }

    static let id = "48c88b0bc1633f332ff243d2aadb7da0"
    static let key = "journey-pk1-6yiM4eUoCT7AIUD2xZAtzSkec4QelkjP1biiAFC0PlQ"
    static let otherKey = "journey-pk1-ucs5sUf4-xTe049e5zTNhQKAzpq7FHeNVdILMoE0ABg"

    static let all: [MalformedCase] = [
        // workspace.yaml
        .init(label: "workspace.yaml empty", file: .workspace, edit: .text(""), line: 1, expected: "empty"),
        .init(label: "workspace.yaml is a list", file: .workspace, edit: .text("- id\n- name\n"), line: 1, expected: "a YAML mapping"),
        .init(label: "workspace.yaml without id", file: .workspace, edit: .text("# a workspace\nname: x\n"), line: 2, expected: "missing 'id'"),
        .init(label: "workspace id too short", file: .workspace, edit: .text("name: x\nid: 48c88b0b\n"), line: 2, expected: "32 lowercase hex digits"),
        .init(label: "workspace id upper case", file: .workspace, edit: .text("id: \(id.uppercased())\n"), line: 1, expected: "32 lowercase hex digits"),
        .init(label: "workspace unknown key", file: .workspace, edit: .text("id: \(id)\nname: x\ncolour: blue\n"), line: 3, expected: "unknown key 'colour'"),
        .init(
            label: "workspace settings not a mapping", file: .workspace, edit: .text("id: \(id)\nsettings: [1, 2]\n"), line: 2,
            expected: "'settings' to be a mapping"),
        .init(
            label: "workspace env-prefix lower case", file: .workspace, edit: .text("id: \(id)\nsettings:\n  env-prefix: app_\n"), line: 3,
            expected: "env-prefix"),
        .init(label: "workspace invalid YAML", file: .workspace, edit: .text("id: \(id)\nname: x\n  bad: indent\n"), line: 3, expected: "invalid YAML"),
        .init(label: "workspace duplicate key", file: .workspace, edit: .text("id: \(id)\nname: a\nid: \(id)\n"), line: 1, expected: "duplicate key 'id'"),
        // secrets/recipients.yaml
        .init(label: "recipients not a list", file: .recipients, edit: .text("recipients: alice\n"), line: 1, expected: "a list"),
        .init(
            label: "recipient bad public key", file: .recipients, edit: .text("recipients:\n  - name: a\n    key: journey-pk1-short\n"), line: 3,
            expected: "not a journey public key"),
        .init(
            label: "recipient name twice", file: .recipients, edit: .text("recipients:\n  - name: a\n    key: \(key)\n  - name: a\n    key: \(otherKey)\n"),
            line: 4, expected: "appears twice"),
        .init(label: "recipient is a string", file: .recipients, edit: .text("recipients:\n  - alice\n"), line: 2, expected: "expected a recipient"),
        .init(
            label: "recipient unknown key", file: .recipients, edit: .text("recipients:\n  - name: a\n    key: \(key)\n    colour: x\n"), line: 4,
            expected: "unknown key 'colour'"),
        .init(label: "recipient without name", file: .recipients, edit: .text("# keys\nrecipients:\n  - key: \(key)\n"), line: 3, expected: "missing 'name'"),
        .init(
            label: "recipients unknown top-level key", file: .recipients, edit: .text("recipients: []\nowners: []\n"), line: 2, expected: "unknown key 'owners'"
        ),
        // secrets/<name>.sealed (valid lines: 1 comment, 2 format, 3 name, 4 description, 5 version,
        // 6 updated, 7 recipients, 8 key-id, 9 name, 10 wrapped-key, 11 nonce, 12 ciphertext)
        .init(label: "sealed newer format", file: .sealed, edit: .line(2, ["format: journey-sealed/v3"]), line: 2, expected: "unsupported format"),
        .init(label: "sealed without format", file: .sealed, edit: .line(2, []), line: 1, expected: "missing 'format'"),
        .init(label: "sealed bad name", file: .sealed, edit: .line(3, ["name: Bad_Name"]), line: 3, expected: "invalid secret name"),
        .init(label: "sealed name of another secret", file: .sealed, edit: .line(3, ["name: other-secret"]), line: 3, expected: "cannot be renamed"),
        .init(label: "sealed version zero", file: .sealed, edit: .line(5, ["version: 0"]), line: 5, expected: "whole number"),
        .init(label: "sealed version words", file: .sealed, edit: .line(5, ["version: two"]), line: 5, expected: "whole number"),
        .init(label: "sealed version with a leading zero", file: .sealed, edit: .line(5, ["version: 01"]), line: 5, expected: "whole number"),
        .init(label: "sealed version with a sign", file: .sealed, edit: .line(5, ["version: +1"]), line: 5, expected: "whole number"),
        .init(label: "sealed version too large", file: .sealed, edit: .line(5, ["version: 9223372036854775807"]), line: 5, expected: "whole number"),
        .init(label: "sealed version a list", file: .sealed, edit: .line(5, ["version: [2]"]), line: 5, expected: "'version' to be a string"),
        .init(label: "sealed empty recipients", file: .sealed, edit: .lines(7...10, ["recipients: []"]), line: 7, expected: "non-empty list"),
        .init(label: "sealed key id not hex", file: .sealed, edit: .line(8, ["  - key-id: 0269XYZ5d835aab4"]), line: 8, expected: "16 lowercase hex digits"),
        .init(
            label: "sealed wrap without key id", file: .sealed, edit: .line(8, ["  - key-idx: 02692795d835aab4"]), line: 8, expected: "unknown key 'key-idx'"),
        .init(label: "sealed nonce not base64", file: .sealed, edit: .line(11, ["nonce: not*base64"]), line: 11, expected: "standard base64"),
        .init(label: "sealed ciphertext unpadded", file: .sealed, edit: .line(12, ["ciphertext: QUJD\u{44}"]), line: 12, expected: "standard base64"),
        .init(
            label: "sealed unknown key", file: .sealed, edit: .line(6, ["updated: \"2026-01-01T00:00:00Z\"", "value: hunter2"]), line: 7,
            expected: "unknown key 'value'"),
        .init(label: "sealed tab indentation", file: .sealed, edit: .line(9, ["\tname: alice"]), line: 9, expected: "invalid YAML"),
    ]
}

@Suite("Malformed workspace, recipients and sealed files give WorkspaceError.malformed at the right line")
struct MalformedInputTests {
    @Test(arguments: MalformedCase.all)
    func malformed(_ bad: MalformedCase) throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let name = try SecretName("payments-api-key")
            try fixture.workspace.addSecret(name, value: Fixtures.secret("value"), description: "")
            let path: String
            switch bad.file {
            case .workspace: path = fixture.workspace.configPath
            case .recipients: path = fixture.workspace.recipientsPath
            case .sealed: path = fixture.workspace.sealedPath(name)
            }
            let valid = try String(contentsOfFile: path, encoding: .utf8)
            try Data(Self.apply(bad.edit, to: valid).utf8).write(to: URL(fileURLWithPath: path))

            let error = #expect(throws: WorkspaceError.self) {
                switch bad.file {
                case .workspace: _ = try Workspace(root: scratch.path)
                case .recipients: _ = try fixture.workspace.recipients()
                case .sealed: _ = try fixture.workspace.openSecret(name, with: fixture.key)
                }
            }
            guard case .malformed(let location, let expected)? = error else {
                Issue.record("expected WorkspaceError.malformed, got \(String(describing: error))")
                return
            }
            #expect(location.line == bad.line)
            // A column where the error is about a value; a missing field or list has only a line.
            #expect(location.column != nil || bad.expected.hasPrefix("missing") || bad.expected.contains("list"))
            #expect(path.hasSuffix(location.file))
            #expect(expected.contains(bad.expected), "\(expected)")
            let message = String(describing: error!)
            #expect(message.hasPrefix("\(location.file):\(bad.line):"))
            #expect(!message.contains("hunter2"))
        }
    }

    @Test("the table covers each file kind with at least ten bad inputs in all")
    func tableSize() {
        #expect(MalformedCase.all.count >= 10)
        #expect(Set(MalformedCase.all.map { "\($0.file)" }).count == 3)
    }

    @Test("updating a sealed file edited to the largest version is an error, not an overflow crash")
    func largestVersion() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let name = try SecretName("counter")
            try fixture.workspace.addSecret(name, value: Fixtures.secret("v"), description: "")
            let path = fixture.workspace.sealedPath(name)
            let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\nversion: 1\n", with: "\nversion: \(Int.max)\n")
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: WorkspaceError.self) { try fixture.workspace.updateSecret(name, value: Fixtures.secret("w")) }
        }
    }

    @Test("a sealed file that is not UTF-8 gets an error naming the file")
    func notUTF8() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let name = try SecretName("binary-file")
            try fixture.workspace.addSecret(name, value: Fixtures.secret("v"), description: "")
            try Data([0xff, 0xfe, 0x00, 0x41]).write(to: URL(fileURLWithPath: fixture.workspace.sealedPath(name)))
            let error = #expect(throws: WorkspaceError.self) { try fixture.workspace.openSecret(name, with: fixture.key) }
            #expect(String(describing: try #require(error)).contains("secrets/binary-file.sealed"))
        }
    }

    @Test("an unknown secret names it and says how to add it")
    func unknownSecret() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            let error = #expect(throws: WorkspaceError.self) { try fixture.workspace.openSecret(try SecretName("missing"), with: fixture.key) }
            let message = String(describing: try #require(error))
            #expect(message.contains("'missing'") && message.contains("journey secret add missing"))
        }
    }

    static func apply(_ edit: MalformedCase.Edit, to valid: String) -> String {
        switch edit {
        case .text(let text): return text
        case .line(let number, let replacement):
            return apply(.lines(number...number, replacement), to: valid)
        case .lines(let range, let replacement):
            var lines = valid.components(separatedBy: "\n")
            lines.replaceSubrange((range.lowerBound - 1)...(range.upperBound - 1), with: replacement)
            return lines.joined(separator: "\n")
        }
    }
}
