import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("Quoted metadata round-trips")
struct DescriptionRoundTripTests {
    @Test(arguments: [
        "plain", "quote \" and \\ backslash", "tab\tnewline\ncr\r", "next line \u{85} here", "line sep \u{2028} para sep \u{2029}", "bell \u{07} del \u{7f}",
        "émoji 🗝️",
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
