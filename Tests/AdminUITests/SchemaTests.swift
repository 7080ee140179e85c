import Foundation
import TestSupport
import Testing
import Workspace

@testable import AdminUI

@Suite struct SchemaTests {
    @Test func secretReferencesListTheWorkspacesNamesWithDescriptions() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: try scratch.folder("ws"))
            try fixture.workspace.addSecret(SecretName("payments-api-key"), value: Fixtures.secret("v"), description: "Payments sandbox")
            try fixture.workspace.addSecret(SecretName("slack-token"), value: Fixtures.secret("w"), description: "")
            let text = try JourneySchema.text(for: fixture.workspace)
            let schema = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let definitions = try #require(schema["definitions"] as? [String: Any])
            let name = try #require(definitions["secretName"] as? [String: Any])
            let choices = try #require(name["oneOf"] as? [[String: String]])
            #expect(choices.map { $0["const"] } == ["payments-api-key", "slack-token"])
            #expect(choices[0]["description"] == "Payments sandbox (version 1)")
            #expect(!text.contains("\"v\"") && !text.contains("\"w\""))
            // Outside a workspace: the name's form only.
            let plain = try JourneySchema.text(for: nil)
            #expect(plain.contains("^[a-z0-9][a-z0-9._-]{0,127}$"))
        }
    }
}

@Suite struct JSONTextTests {
    @Test(arguments: ["plain", "quote \" and \\ backslash", "line\nbreak\ttab\r", "\u{1}\u{1f}", "ünïcödé 🚀", "\u{2028}x\u{2029}", "</script>"])
    func aStringReadsBackUnchanged(_ text: String) throws {
        let json = "[" + JSONText.string(text) + "]"
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String])
        #expect(decoded == [text])
    }
}
