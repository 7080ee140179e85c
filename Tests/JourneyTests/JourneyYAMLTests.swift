import Testing
import Workspace

@Suite("The one journey walk: every entry and scalar with its byte offset, line and column")
struct JourneyYAMLTests {
    static let text = """
        name: café-checkout
        values:
          token: { secret: api-token }
          who: "dev ${{ secrets.other }}"
        steps:
          - run: ./go
            env:
              API_KEY: plain-literal
        """

    @Test func positionsPointAtTheBytesTheyName() throws {
        let yaml = try #require(JourneyYAML(bytes: Array(Self.text.utf8)))
        let bytes = Array(Self.text.utf8)
        let items = yaml.items
        // Every entry's offset is where its key's text starts.
        for case .entry(let entry) in items {
            #expect(Array(bytes[entry.position.offset..<(entry.position.offset + entry.key.utf8.count)]) == Array(entry.key.utf8))
        }
        // Every scalar's range holds its text; line and column agree with the offset.
        let scalars = items.compactMap { if case .scalar(let scalar) = $0 { return scalar } else { return nil } }
        #expect(scalars.map(\.text) == ["café-checkout", "dev ${{ secrets.other }}", "./go", "plain-literal"])
        for scalar in scalars {
            let range = try #require(scalar.range)
            #expect(String(decoding: bytes[range], as: UTF8.self) == scalar.text)
            let lineStart = bytes[..<scalar.position.offset].lastIndex(of: 10).map { $0 + 1 } ?? 0
            #expect(bytes[..<lineStart].filter { $0 == 10 }.count + 1 == scalar.position.line)
            #expect(yaml.position(atOffset: scalar.position.offset) == scalar.position)
        }
        let literal = try #require(scalars.last)
        #expect(literal.key == "API_KEY" && literal.isEnvironmentValue && literal.path == ["steps", "env", "API_KEY"])
        #expect((literal.position.line, literal.position.column) == (8, 16))
        // A column counts characters, an offset counts bytes: 'é' is two bytes.
        let name = try #require(scalars.first)
        #expect((name.position.line, name.position.column, name.position.offset) == (1, 7, 6))
    }

    @Test func referencesAreReportedOnceAndNotWalkedInto() throws {
        let yaml = try #require(JourneyYAML(bytes: Array(Self.text.utf8)))
        let references = yaml.items.compactMap { if case .reference(let reference) = $0 { return reference } else { return nil } }
        #expect(references.count == 1)
        let reference = try #require(references.first)
        #expect(reference.kind == .secret && reference.name == "api-token" && reference.path == ["values", "token"])
        #expect(reference.position.line == 3 && reference.position.column == 10)
        #expect(!yaml.items.contains { if case .entry(let entry) = $0 { return entry.key == "secret" } else { return false } })
    }

    @Test func interpolationsSplitOnce() {
        #expect(
            Interpolation.pieces(of: "a ${{ values.x }} b ${{secrets.y}}")
                == [.text("a "), .expression("values.x"), .text(" b "), .expression("secrets.y")])
        #expect(Interpolation.pieces(of: "x ${{ secrets.y") == [.text("x "), .unclosed])
        #expect(Interpolation.secretNames(in: "${{ secrets.a }}${{ values.b }}${{ secrets.c }}") == ["a", "c"])
    }
}
