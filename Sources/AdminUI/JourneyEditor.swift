import Foundation
import LeakScan
import Workspace

/// Opening and saving a journey from the editor. A save rewrites only the edited fields'
/// text (`JourneyTextEdit`), re-parses the result, checks that exactly the asked fields
/// changed, runs the leak check's detectors on it, and only then writes the file atomically.
enum JourneyEditor {
    /// What the editor shows.
    struct Document: Encodable {
        var id: String
        var file: String
        var name: String
        var description: String
        var values: [EditorField]
        var steps: [EditorStep]
        var problems: [ProblemJSON]
        /// The file as it is on disk (it holds references, never values).
        var text: String
        /// A hash of `text`: a save names the revision it edits, so a file changed since the
        /// page opened it (a text editor, git) is not overwritten.
        var revision: String = ""
    }

    static func revision(of text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// A save the leak check refused: what to offer instead (a new sealed secret + reference).
    struct LeakRefusal: Error, Encodable {
        struct Item: Encodable {
            var path: String?
            var line: Int
            var rule: String
            var title: String
            var message: String
            var fix: String
        }

        var error: String
        var findings: [Item]
    }

    static func document(id: String, file: String, text: String) -> Document {
        var document = parsedDocument(id: id, file: file, text: text)
        document.revision = revision(of: text)
        return document
    }

    private static func parsedDocument(id: String, file: String, text: String) -> Document {
        do {
            let journey = try JourneyParser.parse(path: file, text: text, defaultName: id)
            var steps = EditorFields.steps(of: journey)
            if let yaml = try? JourneyYAML.parse(text, path: file) {
                for step in steps.indices {
                    for field in steps[step].fields.indices where JourneyTextEdit.locate(steps[step].fields[field].path, in: yaml) == nil {
                        steps[step].fields[field].editable = false
                    }
                }
            }
            return Document(
                id: id, file: file, name: journey.name, description: journey.description, values: EditorFields.values(of: journey),
                steps: steps, problems: [], text: text)
        } catch {
            return Document(id: id, file: file, name: id, description: "", values: [], steps: [], problems: error.problems.map(ProblemJSON.init), text: text)
        }
    }

    /// The new text for `edits`, verified; throws `AdminUIError` (bad edit, 422) or `LeakRefusal`.
    static func edited(_ edits: [JourneyTextEdit.Edit], id: String, file: String, text: String) throws -> String {
        let before: Journey
        do { before = try JourneyParser.parse(path: file, text: text, defaultName: id) } catch {
            throw AdminUIError.request(status: 409, message: "\(file) has problems; it cannot be edited here", fix: "fix it in a text editor first: \(error)")
        }
        let fields = EditorFields.all(of: before)
        var expected = fields
        var edited = Set<String>()
        for edit in edits {
            // Once each: two edits of one field would be applied in an order the page did not choose.
            guard edited.insert(edit.path).inserted else { throw AdminUIError.badRequest("the field '\(edit.path)' is edited twice in one save") }
            guard let index = expected.firstIndex(where: { $0.path == edit.path }) else {
                throw AdminUIError.badRequest("no field '\(edit.path)' in \(file)")
            }
            guard expected[index].sources.contains(edit.source) else {
                throw AdminUIError.badRequest(
                    "'\(expected[index].label)' cannot take a \(edit.source.rawValue) value", fix: "a command line never holds a secret: pass it through env")
            }
            expected[index].source = edit.source
            expected[index].text = edit.text
        }
        let changed = edits.filter { edit in
            fields.first { $0.path == edit.path }.map { $0.source != edit.source || $0.text != edit.text } ?? true
        }
        if changed.isEmpty { return text }
        let newText = try JourneyTextEdit.apply(changed, to: text, file: file)

        let after: Journey
        do { after = try JourneyParser.parse(path: file, text: newText, defaultName: id) } catch {
            throw AdminUIError.request(status: 422, message: "the edit would not parse", fix: error.problems.map(\.description).joined(separator: "; "))
        }
        guard EditorFields.all(of: after) == expected, after.name == before.name, after.description == before.description,
            after.steps.map(\.name) == before.steps.map(\.name)
        else {
            throw AdminUIError.edit("the edit could not be written in place without changing other fields of \(file); edit this field in a text editor")
        }
        try leakCheck(old: text, new: newText, file: file, edits: changed)
        return newText
    }

    /// The leak check's detectors on the new text: a finding the old text did not have refuses
    /// the save (excerpts are redacted by the scanner; no value is quoted back).
    /// Built once: the rule catalogue's keyword automaton is the costly part.
    static let scanner = LeakScanner(options: LeakScanner.Options(workspacePrefix: ""))

    static func leakCheck(old: String, new: String, file: String, edits: [JourneyTextEdit.Edit]) throws {
        func findings(_ text: String) -> [Finding] {
            var bytes = Array(text.utf8)
            defer { HTTPServer.wipe(&bytes) }
            return bytes.withUnsafeBytes { scanner.scan(path: file, contents: $0).findings }
        }
        let known = Set(findings(old).map(\.fingerprint))
        let fresh = findings(new).filter { !known.contains($0.fingerprint) }
        guard !fresh.isEmpty else { return }
        let yaml = try? JourneyYAML.parse(new, path: file)
        let items = fresh.map { finding -> LeakRefusal.Item in
            let path =
                edits.first { edit in
                    guard let yaml, let found = JourneyTextEdit.locate(edit.path, in: yaml) else { return false }
                    return found.value.line == finding.line || found.key.line == finding.line
                }?.path ?? (edits.count == 1 ? edits[0].path : nil)
            return LeakRefusal.Item(path: path, line: finding.line, rule: finding.rule, title: finding.title, message: finding.message, fix: finding.fix)
        }
        throw LeakRefusal(
            error: "the leak check blocks this save: a field holds what looks like a credential. Seal it as a secret and reference it by name.",
            findings: items)
    }
}

struct ProblemJSON: Encodable, Equatable {
    var file: String
    var line: Int?
    var column: Int?
    var severity: String
    var message: String

    init(_ problem: JourneyProblem) {
        file = problem.location.file
        line = problem.location.line
        column = problem.location.column
        severity = problem.severity.rawValue
        message = problem.message
    }
}
