import Foundation
import TestSupport
import Testing
import Workspace

/// `JourneyCatalog.find` parses only the files that could hold the name; these cases pin that it
/// answers exactly as parsing every file would.
@Suite("Finding a journey by name or file stem")
struct JourneyLookupTests {
    func workspace(_ files: [String: String]) throws -> (ScratchFolder, Workspace) {
        let scratch = try ScratchFolder(label: "lookup")
        let fixture = try Fixtures.workspace(in: scratch.path)
        for (name, text) in files { try scratch.write(text, to: "journeys/" + name) }
        return (scratch, fixture.workspace)
    }

    @Test func byTheNameInsideAFileWithAnotherStem() throws {
        let (scratch, workspace) = try workspace([
            "a.yaml": "name: checkout\nsteps:\n  - run: 'true'\n",
            "b.yaml": "name: other\nsteps:\n  - run: 'true'\n",
        ])
        #expect(try JourneyCatalog.find("checkout", in: workspace).file == "journeys/a.yaml")
        withExtendedLifetime(scratch) {}
    }

    @Test func byANameSpelledWithEscapes() throws {
        let (scratch, workspace) = try workspace([
            "escaped.yaml": "name: \"check\\x6fut\"\nsteps:\n  - run: 'true'\n",
            "plain.yaml": "name: plain\nsteps:\n  - run: 'true'\n",
        ])
        #expect(try JourneyCatalog.find("checkout", in: workspace).file == "journeys/escaped.yaml")
        withExtendedLifetime(scratch) {}
    }

    @Test func byANameWithAQuoteWrittenSingleQuoted() throws {
        let (scratch, workspace) = try workspace(["q.yaml": "name: 'it''s'\nsteps:\n  - run: 'true'\n"])
        #expect(try JourneyCatalog.find("it's", in: workspace).file == "journeys/q.yaml")
        withExtendedLifetime(scratch) {}
    }

    @Test func byStemWhenNoNameMatchesAndByDefaultName() throws {
        let (scratch, workspace) = try workspace([
            "nightly.yaml": "name: nightly-smoke\nsteps:\n  - run: 'true'\n",
            "unnamed.yaml": "steps:\n  - run: 'true'\n",
        ])
        #expect(try JourneyCatalog.find("nightly", in: workspace).name == "nightly-smoke")
        #expect(try JourneyCatalog.find("unnamed", in: workspace).file == "journeys/unnamed.yaml")
        withExtendedLifetime(scratch) {}
    }

    @Test func twoFilesWithOneNameAreAmbiguous() throws {
        let (scratch, workspace) = try workspace([
            "one.yaml": "name: same\nsteps:\n  - run: 'true'\n",
            "two.yaml": "name: \"same\"\nsteps:\n  - run: 'true'\n",
        ])
        #expect(throws: JourneyError.self) { try JourneyCatalog.find("same", in: workspace) }
        withExtendedLifetime(scratch) {}
    }

    @Test func notFoundListsEveryKnownName() throws {
        let (scratch, workspace) = try workspace([
            "one.yaml": "name: alpha\nsteps:\n  - run: 'true'\n",
            "two.yaml": "name: beta\nsteps:\n  - run: 'true'\n",
        ])
        #expect {
            try JourneyCatalog.find("gamma", in: workspace)
        } throws: { error in
            "\(error)".contains("alpha") && "\(error)".contains("beta")
        }
        withExtendedLifetime(scratch) {}
    }
}
