import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

@testable import AdminUI

/// Every route that lists secrets, recipients or the schema answers from `WorkspaceIndex`, and
/// still sees what changed on disk: the page's own saves and edits made outside it.
@Suite(.serialized) struct WorkspaceIndexTests {
    static func json(_ response: UIServer.Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
    }

    static func schemaNames(_ server: UIServer) throws -> [String: String] {
        let response = try server.request("GET", "/api/schema", headers: server.bearer)
        #expect(response.status == 200)
        let definitions = try #require(try json(response)["definitions"] as? [String: Any])
        let name = try #require(definitions["secretName"] as? [String: Any])
        let choices = name["oneOf"] as? [[String: String]] ?? []
        return Dictionary(uniqueKeysWithValues: choices.map { ($0["const"] ?? "", $0["description"] ?? "") })
    }

    static func recipients(_ server: UIServer) throws -> [String: Int] {
        let response = try server.request("GET", "/api/recipients", headers: server.bearer)
        #expect(response.status == 200)
        let list = try #require(try json(response)["recipients"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0["secrets"] as? Int ?? -1) })
    }

    @Test func schemaAndRecipientsSeeEditsMadeOutsideThePageAndByIt() throws {
        let server = try UIServer()
        let workspace = server.fixture.workspace
        #expect(try Self.schemaNames(server) == ["payments-api-key": "Payments sandbox key (version 1)", "slack-token": "Slack (version 1)"])
        #expect(try Self.recipients(server) == ["alice": 2])

        // Outside the page (the CLI, git): a new secret, a new description, a removal, a new key.
        try workspace.addSecret(SecretName("added-outside"), value: Fixtures.secret("outside-value"), description: "Added by the CLI")
        _ = try workspace.describeSecret(SecretName("slack-token"), description: "Slack, described outside")
        #expect(
            try Self.schemaNames(server) == [
                "added-outside": "Added by the CLI (version 1)", "payments-api-key": "Payments sandbox key (version 1)",
                "slack-token": "Slack, described outside (version 1)",
            ])
        try workspace.removeSecret(SecretName("added-outside"))
        try workspace.addRecipient(name: "bob", key: PrivateKey.generate().publicKey)
        #expect(try Self.schemaNames(server).keys.sorted() == ["payments-api-key", "slack-token"])
        #expect(try Self.recipients(server) == ["alice": 2, "bob": 0])

        // The page's own writes: a new secret (sealed for both keys) and a rotation.
        let added = try server.request(
            "POST", "/api/secrets", headers: try server.changing(), body: #"{"name":"added-by-page","description":"From the page","value":"page-value"}"#)
        #expect(added.status == 201)
        #expect(try Self.recipients(server) == ["alice": 3, "bob": 1])
        #expect(try Self.schemaNames(server)["added-by-page"] == "From the page (version 1)")
        let rotated = try server.request("PUT", "/api/secrets/payments-api-key/value", headers: try server.changing(), body: #"{"value":"pay-value-2"}"#)
        #expect(rotated.status == 200)
        // The answer is that one secret's entry, as the list shows it.
        let entry = try Self.json(rotated)
        #expect(entry["name"] as? String == "payments-api-key" && entry["version"] as? Int == 2)
        #expect(entry["recipients"] as? [String] == ["alice", "bob"] && (entry["usedBy"] as? [String])?.isEmpty == false)
        #expect(try Self.schemaNames(server)["payments-api-key"] == "Payments sandbox key (version 2)")
        let listed = try Self.json(try server.request("GET", "/api/secrets", headers: server.bearer))["secrets"] as? [[String: Any]]
        #expect(listed?.first { $0["name"] as? String == "payments-api-key" }?["version"] as? Int == 2)
    }

    /// A file rewritten in place with the same size, and its time set back, keeps its stamp
    /// (as a second change within one clock tick, or `git checkout` reusing an inode, can):
    /// the index still sees it, and reads nothing again while nothing changed.
    @Test func aFileRewrittenWithTheSameStampIsStillSeen() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: try scratch.folder("ws"))
            let path = fixture.root + "/journeys/same.yaml"
            try "name: first\nsteps:\n  - name: s\n    run: echo\n".write(toFile: path, atomically: false, encoding: .utf8)
            // Its time a little ahead (a skewed clock does that): recent however slow the
            // machine is between these lines.
            var ahead = [timespec(tv_sec: time(nil) + 30, tv_nsec: 123_456_789), timespec(tv_sec: time(nil) + 30, tv_nsec: 123_456_789)]
            #expect(utimensat(AT_FDCWD, path, &ahead, 0) == 0)
            let index = WorkspaceIndex(workspace: fixture.workspace)
            func names() -> [String] { index.journeys().compactMap { try? $0.result.get().name } }
            #expect(names() == ["first"])
            let generation = index.generation
            #expect(names() == ["first"] && index.generation == generation)

            let before = try #require(WorkspaceIndex.Stamp(path))
            var info = stat()
            #expect(stat(path, &info) == 0)
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.write(contentsOf: Data("name: other".utf8))
            try handle.close()
            var times = [info.st_atim, info.st_mtim]
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
            #expect(WorkspaceIndex.Stamp(path) == before)
            #expect(names() == ["other"])
            #expect(index.generation > generation)
        }
    }
}
