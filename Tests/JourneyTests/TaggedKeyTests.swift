import Testing
import Workspace

@Suite("Tagged step keys")
struct TaggedKeyTests {
    /// A step kind written with a YAML tag (`!foo run:`) once crashed the parser: the kind was
    /// found by the key's text and then looked up again by node.
    @Test func taggedKindKeysParseInsteadOfCrashing() throws {
        let text = "name: t\nsteps:\n  - name: a\n    !foo run: echo hi\n  - name: b\n    !!str http: { url: \"http://127.0.0.1:1/\" }\n"
        let journey = try JourneyParser.parse(path: "journeys/t.yaml", text: text, defaultName: "t")
        #expect(journey.steps.count == 2)
    }

    @Test func aTaggedRunKeyWithAMappingIsAnErrorNotACrash() {
        let text = "steps:\n  - !!binary run: { a: b }\n"
        #expect(throws: JourneyError.self) { try JourneyParser.parse(path: "journeys/t.yaml", text: text, defaultName: "t") }
    }
}
