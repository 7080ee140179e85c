import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

/// The Admin API over a workspace with environments (DESIGN §9, §10): every secrets and
/// recipients call reads and writes the store `?env=` (or the body's `env`) names.
@Suite(.serialized) struct EnvironmentAPITests {
    @Test func eachCallReadsAndWritesTheChosenEnvironmentsStoreOnly() throws {
        let server = try UIServer(environments: true)
        // None chosen: refused, naming the environments; an unknown one is refused too.
        let unchosen = try server.request("GET", "/api/secrets", headers: server.bearer)
        #expect(unchosen.status == 400 && unchosen.body.contains("production, staging"), "\(unchosen.body)")
        #expect(try server.request("GET", "/api/secrets?env=prod", headers: server.bearer).status == 400)
        let session = try server.request("GET", "/api/session", headers: server.bearer)
        #expect(session.body.contains(#""environments":["production","staging"]"#), "\(session.body)")

        let staging = try server.request("GET", "/api/secrets?env=staging", headers: server.bearer)
        #expect(staging.status == 200 && staging.body.contains("payments-api-key"))
        let production = try server.request("GET", "/api/secrets?env=production", headers: server.bearer)
        #expect(production.status == 200 && !production.body.contains("payments-api-key"), "\(production.body)")

        // Production gets its own recipient and secret; staging does not see them.
        let changing = try server.changing()
        let runner = PrivateKey.generate()
        let added = try server.request(
            "POST", "/api/recipients?env=production", headers: changing, body: #"{"name":"prod-runner","key":"\#(runner.publicKey.text)"}"#)
        #expect(added.status == 201, "\(added.body)")
        let value = "prod-value-\(UUID().uuidString)"
        let sealed = try server.request(
            "POST", "/api/secrets", headers: changing, body: #"{"env":"production","name":"payments-api-key","description":"live","value":"\#(value)"}"#)
        #expect(sealed.status == 201 && !sealed.body.contains(value), "\(sealed.body)")
        let store = try Workspace(root: server.fixture.root, environment: EnvironmentName("production"))
        #expect(try store.readSealed(SecretName("payments-api-key")).environment == EnvironmentName("production"))
        #expect(try store.openSecret(SecretName("payments-api-key"), with: runner).value.withUnsafeBytes { Array($0) } == Array(value.utf8))
        let stagingStore = try Workspace(root: server.fixture.root, environment: EnvironmentName("staging"))
        #expect(try stagingStore.recipients().map(\.name) == ["alice"])
        #expect(try stagingStore.readSealed(SecretName("payments-api-key")).description == "Payments sandbox key")

        // The URL and the body naming two environments: refused, nothing written.
        let mixed = try server.request(
            "POST", "/api/secrets?env=staging", headers: changing, body: #"{"env":"production","name":"other","description":"","value":"x"}"#)
        #expect(mixed.status == 400 && !FileManager.default.fileExists(atPath: server.fixture.root + "/secrets/staging/other.sealed"))

        // Journeys name what an environment they run in lacks; the schema lists every name.
        let journeys = try server.request("GET", "/api/journeys", headers: server.bearer)
        #expect(journeys.status == 200 && journeys.body.contains("has no sealed file in production"), "\(journeys.body)")
        #expect(!journeys.body.contains("'payments-api-key' has no sealed file"), "\(journeys.body)")
        let schema = try server.request("GET", "/api/schema", headers: server.bearer)
        #expect(schema.status == 200 && schema.body.contains("slack-token"))
    }

    @Test func aFlatWorkspaceRefusesAnEnvironment() throws {
        let server = try UIServer()
        let refused = try server.request("GET", "/api/secrets?env=staging", headers: server.bearer)
        #expect(refused.status == 400 && refused.body.contains("no environments"), "\(refused.body)")
        #expect(try server.request("GET", "/api/secrets", headers: server.bearer).status == 200)
    }
}
