import Sealing
import TestSupport
import Testing
import Workspace

/// Recipient names (`RecipientName`): the rule every entry point keeps, and the parser's
/// refusal of a `recipients.yaml` that breaks it.
@Suite("Recipient names")
struct RecipientNameTests {
    @Test(arguments: ["alice", "ci-runner", "ada.lovelace@example.com", "Bob_2", "7", "a-", String(repeating: "x", count: 64)])
    func namesWithinTheRuleAreAcceptedByEveryEntry(name: String) throws {
        #expect(RecipientName.problem(name) == nil)
        let recipients = RecipientsFile.encode([Recipient(name: name, key: PrivateKey.generate().publicKey, added: "2026-01-01T00:00:00Z")])
        #expect(try RecipientsFile.parse(YAMLFile(path: "secrets/recipients.yaml", text: recipients)).map(\.name) == [name])
    }

    @Test(arguments: [
        "", "a;curl${IFS}x|sh", "$(id)", "`id`", "a b", "a'b", "a\"b", "a&b", "a|b", "a>b", "a/b", "../x", "..", "-rf", ".a", "_a", "@a",
        "ä", "a\u{1b}[2J", "a\nb", "a\u{0}", "a\u{202e}b", "a=b", "~a", String(repeating: "x", count: 65),
    ])
    func namesOutsideTheRuleAreRefusedByEveryEntry(name: String) throws {
        let problem = try #require(RecipientName.problem(name))
        #expect(problem.contains("letters, digits, '.', '_', '-' and '@'"))
        #expect(!problem.contains("\n") && !problem.contains("\u{1b}") && !problem.contains("\u{0}"))

        // The parser: a checked-out recipients.yaml carrying it is refused, with its line.
        let key = PrivateKey.generate().publicKey
        let text = RecipientsFile.encode([
            Recipient(name: "alice", key: PrivateKey.generate().publicKey, added: ""), Recipient(name: name, key: key, added: ""),
        ])
        let error = #expect(throws: WorkspaceError.self) { try RecipientsFile.parse(YAMLFile(path: "secrets/recipients.yaml", text: text)) }
        let message = String(describing: error.map { $0 } as Any)
        #expect(message.contains("secrets/recipients.yaml:7"), "\(message)")
        #expect(message.contains("invalid recipient name"), "\(message)")

        // The store's own entry (the Admin page adds through it).
        let scratch = try ScratchFolder(label: "recipient-name")
        let fixture = try Fixtures.workspace(in: try scratch.folder("w"))
        let before = try fixture.workspace.recipients()
        #expect(throws: WorkspaceError.self) { try fixture.workspace.addRecipient(name: name, key: key) }
        #expect(try fixture.workspace.recipients() == before)
    }
}
