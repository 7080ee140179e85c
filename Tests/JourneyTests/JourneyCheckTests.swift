import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("journey check")
struct JourneyCheckTests {
    @Test func aCleanWorkspacePasses() throws {
        let scratch = try ScratchFolder(label: "check")
        let fixture = try Fixtures.workspace(in: scratch.path)
        try fixture.workspace.addSecret(Fixtures.name("api-key"), value: Fixtures.secret("v"), description: "")
        try scratch.write("name: a\nsteps:\n  - run: 'true'\n    env: { K: { secret: api-key } }\n", to: "journeys/a.yaml")
        let report = JourneyCheck.run(fixture.workspace)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.journeyCount == 1)
        #expect(report.secretCount == 1)
    }

    @Test func everyProblemIsListedWithItsPlace() throws {
        let scratch = try ScratchFolder(label: "check")
        let fixture = try Fixtures.workspace(in: scratch.path, recipients: ["alice", "bob"])
        let workspace = fixture.workspace
        try workspace.addSecret(Fixtures.name("used"), value: Fixtures.secret("v"), description: "")
        try workspace.addSecret(Fixtures.name("unused"), value: Fixtures.secret("v"), description: "")
        // A recipient added after sealing: 'used' is not wrapped for carol.
        try workspace.addRecipient(name: "carol", key: PrivateKey.generate().publicKey)
        try scratch.write("format: journey-sealed/v1\nname: broken\n", to: "secrets/broken.sealed")

        try scratch.write("name: same\nsteps:\n  - run: 'true'\n    env: { K: { secret: used }, M: { secret: missing } }\n", to: "journeys/one.yaml")
        try scratch.write("name: same\nsteps:\n  - run: 'true'\n", to: "journeys/two.yaml")
        try scratch.write("name: five\nsteps:\n  - run: echo ${{ secrets.used }}\n", to: "journeys/five.yaml")
        try scratch.write("name: three\nsteps: oops\n", to: "journeys/three.yaml")
        try scratch.write("name: four\nsteps:\n  - run: 'true'\n    env: { P: { secret: path } }\n", to: "journeys/four.yaml")

        let report = JourneyCheck.run(workspace)
        let lines = report.problems.map(\.description)
        func has(_ prefix: String, _ words: String..., severity: JourneyProblem.Severity = .error) {
            let match = report.problems.first { $0.description.hasPrefix(prefix) && words.allSatisfy($0.message.contains) }
            #expect(match?.severity == severity, "no \(severity) at \(prefix) with \(words) in:\n\(lines.joined(separator: "\n"))")
        }
        has("journeys/one.yaml:4:46:", "'missing'", "journey secret add missing")
        has("journeys/one.yaml:", "journey name 'same'", "journeys/two.yaml")
        has("journeys/two.yaml:", "journey name 'same'", "journeys/one.yaml")
        has("journeys/five.yaml:3:15:", "command line", "env")
        has("journeys/three.yaml:2:8:", "non-empty list")
        has("journeys/four.yaml:4:25:", "PATH", "choose another secret name")
        has("secrets/used.sealed:", "not wrapped for recipient 'carol'", "journey secret rekey used")
        has("secrets/broken.sealed:", "missing")
        has("secrets/unused.sealed:", "not used by any journey", severity: .warning)
        #expect(report.errors.count == 10, "\(lines.joined(separator: "\n"))")
    }

    @Test func aKeyNoLongerARecipientIsAWarningToRotate() throws {
        let scratch = try ScratchFolder(label: "check")
        let fixture = try Fixtures.workspace(in: scratch.path, recipients: ["alice", "bob"])
        try fixture.workspace.addSecret(Fixtures.name("k"), value: Fixtures.secret("v"), description: "")
        try scratch.write("steps:\n  - run: 'true'\n    env: { K: { secret: k } }\n", to: "journeys/a.yaml")
        _ = try fixture.workspace.removeRecipient(name: "bob")
        let report = JourneyCheck.run(fixture.workspace)
        #expect(report.errors.isEmpty)
        #expect(report.warnings.contains { $0.message.contains("'bob'") && $0.message.contains("journey secret update k") })
    }
}
