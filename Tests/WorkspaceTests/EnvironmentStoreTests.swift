import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

/// Environments (DESIGN §9): one store per environment, the environment bound into the seal.
@Suite("Environments: separate stores, version 2 binding, moving the flat layout")
struct EnvironmentStoreTests {
    /// A workspace with `staging` (alice, the developer) and `production` (the runner), each
    /// holding `payments-api-key` with its own value.
    struct TwoEnvironments {
        let root: String
        let developer = PrivateKey.generate()
        let runner = PrivateKey.generate()
        let staging: Workspace
        let production: Workspace
        let name: SecretName

        init(in folder: String) throws {
            root = folder
            let flat = try Workspace.create(at: folder, name: "envs")
            try flat.addEnvironment(EnvironmentName("staging"))
            try flat.addEnvironment(EnvironmentName("production"))
            let workspace = try Workspace(root: folder)
            staging = try workspace.selecting(EnvironmentName("staging"))
            production = try workspace.selecting(EnvironmentName("production"))
            try staging.addRecipient(name: "alice", key: developer.publicKey)
            try production.addRecipient(name: "prod-runner", key: runner.publicKey)
            name = try SecretName("payments-api-key")
            try staging.addSecret(name, value: Fixtures.secret("staging-value-7f3a"), description: "")
            try production.addSecret(name, value: Fixtures.secret("production-value-9c2e"), description: "")
        }

        var stagingPath: String { root + "/secrets/staging/payments-api-key.sealed" }
        var productionPath: String { root + "/secrets/production/payments-api-key.sealed" }
    }

    @Test("a value sealed for production does not open with a staging-only key; each key opens its own")
    func productionRefusesStagingKey() throws {
        try withScratchFolder { scratch in
            let envs = try TwoEnvironments(in: scratch.path)
            #expect(try envs.staging.openSecret(envs.name, with: envs.developer).value.testBytes == Array("staging-value-7f3a".utf8))
            #expect(try envs.production.openSecret(envs.name, with: envs.runner).value.testBytes == Array("production-value-9c2e".utf8))
            do {
                _ = try envs.production.openSecret(envs.name, with: envs.developer)
                Issue.record("the staging key opened production")
            } catch let error as WorkspaceError {
                guard case .cannotOpen(_, let path, let reason, _) = error else { throw error }
                #expect(path == "secrets/production/payments-api-key.sealed")
                #expect(reason.contains("not a recipient") && reason.contains("prod-runner"))
                #expect(!error.description.contains("production-value"))
            }
        }
    }

    @Test("a production file copied into secrets/staging/ does not open: named when copied, unverified when its environment field is edited")
    func copiedAcrossEnvironments() throws {
        try withScratchFolder { scratch in
            let envs = try TwoEnvironments(in: scratch.path)
            // Let the runner's key read staging too, so only the binding can refuse the copy.
            try envs.staging.addRecipient(name: "prod-runner", key: envs.runner.publicKey)
            let production = try String(contentsOfFile: envs.productionPath, encoding: .utf8)
            try production.write(toFile: envs.stagingPath, atomically: true, encoding: .utf8)
            do {
                _ = try envs.staging.openSecret(envs.name, with: envs.runner)
                Issue.record("a production file opened in staging")
            } catch let error as WorkspaceError {
                guard case .wrongEnvironment(_, let path, let sealedFor, let expected) = error else { throw error }
                #expect(path == "secrets/staging/payments-api-key.sealed" && sealedFor == "production" && expected == "staging")
                #expect(error.description.contains("cannot move between environments"))
            }
            let edited = production.replacingOccurrences(of: "environment: production\n", with: "environment: staging\n")
            #expect(edited != production)
            try edited.write(toFile: envs.stagingPath, atomically: true, encoding: .utf8)
            do {
                _ = try envs.staging.openSecret(envs.name, with: envs.runner)
                Issue.record("an edited production file opened in staging")
            } catch let error as WorkspaceError {
                guard case .cannotOpen(_, _, let reason, _) = error else { throw error }
                #expect(reason.contains("did not verify"))
                #expect(!error.description.contains("production-value"))
            }
        }
    }

    @Test("version 1 files open only in the flat layout, version 2 files only in their environment")
    func formatVersusLayout() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: try scratch.folder("flat"))
            let name = try SecretName("token")
            try fixture.workspace.addSecret(name, value: Fixtures.secret("flat-value"), description: "")
            let v1 = try String(contentsOfFile: fixture.workspace.sealedPath(name), encoding: .utf8)
            #expect(v1.contains("format: journey-sealed/v1\n") && !v1.contains("environment:"))

            let envs = try TwoEnvironments(in: try scratch.folder("envs"))
            let v2 = try String(contentsOfFile: envs.stagingPath, encoding: .utf8)
            #expect(v2.contains("format: journey-sealed/v2\nname: payments-api-key\nenvironment: staging\n"))

            // A version 2 file in the flat layout, a version 1 file in an environment.
            try v2.write(toFile: fixture.root + "/secrets/payments-api-key.sealed", atomically: true, encoding: .utf8)
            #expect {
                _ = try fixture.workspace.openSecret(try SecretName("payments-api-key"), with: fixture.key)
            } throws: { error in
                guard case WorkspaceError.wrongEnvironment(_, _, let sealedFor, nil) = error else { return false }
                return sealedFor == "staging"
            }
            try v1.write(toFile: envs.root + "/secrets/staging/token.sealed", atomically: true, encoding: .utf8)
            #expect {
                _ = try envs.staging.openSecret(name, with: envs.developer)
            } throws: { error in
                guard case WorkspaceError.wrongEnvironment(_, _, nil, let expected) = error else { return false }
                return expected == "staging"
            }
        }
    }

    @Test("the store of a workspace with environments needs one chosen; an unknown one lists those there are")
    func environmentRequired() throws {
        try withScratchFolder { scratch in
            let envs = try TwoEnvironments(in: scratch.path)
            let unchosen = try Workspace(root: envs.root)
            #expect {
                _ = try unchosen.secretNames()
            } throws: { error in
                guard case WorkspaceError.environmentRequired(let available) = error else { return false }
                return available == ["production", "staging"] && error.localizedDescription.isEmpty == false
            }
            #expect {
                _ = try Workspace(root: envs.root, environment: EnvironmentName("prod"))
            } throws: { error in
                guard case WorkspaceError.unknownEnvironment("prod", let available) = error else { return false }
                return available == ["production", "staging"]
            }
            #expect(throws: WorkspaceError.self) { try EnvironmentName("../production") }
            #expect(throws: WorkspaceError.self) { try EnvironmentName("Prod") }
        }
    }

    @Test("env add --move-default moves every flat secret and the recipients, values and versions kept")
    func moveDefault() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path, recipients: ["alice", "bob"])
            let names = try ["api-key", "db-password"].map { try SecretName($0) }
            for name in names { try fixture.workspace.addSecret(name, value: Fixtures.secret("value-of-\(name)"), description: "d") }
            try fixture.workspace.updateSecret(names[0], value: Fixtures.secret("value-of-\(names[0])"))

            let staging = try fixture.workspace.addEnvironment(EnvironmentName("staging"), movingFlatStore: true, openingWith: fixture.key)
            #expect(try Workspace(root: fixture.root).config.environments.map(\.rawValue) == ["staging"])
            #expect(try staging.recipients().map(\.name) == ["alice", "bob"])
            for (index, name) in names.enumerated() {
                let opened = try staging.openSecret(name, with: fixture.keys[1].key)
                #expect(opened.value.testBytes == Array("value-of-\(name)".utf8))
                #expect(opened.file.version == (index == 0 ? 2 : 1) && opened.file.environment?.rawValue == "staging")
                #expect(!FileManager.default.fileExists(atPath: fixture.root + "/secrets/\(name).sealed"))
            }
            #expect(!FileManager.default.fileExists(atPath: fixture.root + "/secrets/recipients.yaml"))
        }
    }

    @Test("env add --move-default keeps a removed key's exposure: the moved value is still the one it could open")
    func moveDefaultKeepsExposure() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path, recipients: ["alice", "bob"])
            let exposedName = try SecretName("api-key")
            try fixture.workspace.addSecret(exposedName, value: Fixtures.secret("known-to-bob"), description: "d")
            _ = try fixture.workspace.removeRecipient(name: "bob")
            let fresh = try SecretName("fresh")
            try fixture.workspace.addSecret(fresh, value: Fixtures.secret("sealed-after"), description: "d")

            let staging = try fixture.workspace.addEnvironment(EnvironmentName("staging"), movingFlatStore: true, openingWith: fixture.key)
            let contents = try staging.recipientsContents()
            #expect(contents.recipients.map(\.name) == ["alice"])
            #expect(staging.exposure(of: try staging.readSealed(exposedName), in: contents).map(\.name) == ["bob"])
            #expect(staging.exposure(of: try staging.readSealed(fresh), in: contents).isEmpty)
            // Rotating it in the environment clears the record.
            try staging.updateSecret(exposedName, value: Fixtures.secret("rotated"))
            #expect(staging.exposure(of: try staging.readSealed(exposedName), in: try staging.recipientsContents()).isEmpty)
        }
    }

    @Test("env add that fails (a flat secret the key cannot open; flat secrets without --move-default) leaves every file as it was")
    func moveDefaultAllOrNothing() throws {
        try withScratchFolder { scratch in
            let fixture = try Fixtures.workspace(in: scratch.path)
            try fixture.workspace.addSecret(try SecretName("opens"), value: Fixtures.secret("one"), description: "")
            try fixture.workspace.addSecret(try SecretName("sealed-for-other"), value: Fixtures.secret("two"), description: "")
            // Re-seal the second for a key this fixture does not hold.
            let stranger = PrivateKey.generate()
            try fixture.workspace.addRecipient(name: "stranger", key: stranger.publicKey)
            _ = try fixture.workspace.removeRecipient(name: "alice")
            try fixture.workspace.updateSecret(try SecretName("sealed-for-other"), value: Fixtures.secret("two"))
            try fixture.workspace.addRecipient(name: "alice", key: fixture.key.publicKey)

            func snapshot() -> [String: Data] {
                var files: [String: Data] = [:]
                for path in scratch.files() { files[path] = FileManager.default.contents(atPath: scratch.path(path)) }
                return files.filter { !$0.key.hasPrefix(".journey/") }
            }
            let before = snapshot()
            #expect {
                try fixture.workspace.addEnvironment(EnvironmentName("staging"), movingFlatStore: true, openingWith: fixture.key)
            } throws: { error in
                guard case WorkspaceError.cannotOpen(let secret, _, _, _) = error else { return false }
                return secret == "sealed-for-other"
            }
            #expect(snapshot() == before)
            #expect {
                try fixture.workspace.addEnvironment(EnvironmentName("staging"))
            } throws: { error in
                guard case WorkspaceError.flatSecretsRemain(let names, "staging") = error else { return false }
                return names == ["opens", "sealed-for-other"]
            }
            #expect(snapshot() == before)
        }
    }

    @Test("workspace.yaml environments: written and read back; a bad name or shape is an error with its line")
    func configEnvironments() throws {
        try withScratchFolder { scratch in
            let workspace = try Workspace.create(at: scratch.path, name: "cfg")
            try workspace.addEnvironment(EnvironmentName("production"))
            try workspace.addEnvironment(EnvironmentName("staging"))
            let text = try String(contentsOfFile: scratch.path("workspace.yaml"), encoding: .utf8)
            #expect(text.hasSuffix("environments:\n  production: {}\n  staging: {}\n"))
            #expect(try Workspace(root: scratch.path).config.environments.map(\.rawValue) == ["production", "staging"])
            let id = try Workspace(root: scratch.path).config.id
            for (body, line) in [("environments:\n  Prod: {}\n", 3), ("environments: [staging]\n", 2), ("environments:\n  staging: { region: eu }\n", 3)] {
                try "id: \(id)\n\(body)".write(toFile: scratch.path("workspace.yaml"), atomically: true, encoding: .utf8)
                #expect {
                    _ = try Workspace(root: scratch.path)
                } throws: { error in
                    guard case WorkspaceError.malformed(let location, _) = error else { return false }
                    return location.line == line
                }
            }
        }
    }

    @Test("local-secrets.yaml: an environment's section over the top level; a secret named 'environments' still works")
    func localSections() throws {
        try withScratchFolder { scratch in
            let path = try scratch.write(
                """
                shared: top-level
                api-key: top-api
                environments:
                  staging:
                    api-key: staging-api
                  production:
                    api-key: production-api
                """, to: "local.yaml")
            let plain = try LocalSecrets(path: path, displayPath: "local.yaml")
            let staging = try LocalSecrets(path: path, displayPath: "local.yaml", environment: EnvironmentName("staging"))
            #expect(try plain.value(for: SecretName("api-key"))?.testBytes == Array("top-api".utf8))
            #expect(try staging.value(for: SecretName("api-key"))?.testBytes == Array("staging-api".utf8))
            #expect(try staging.value(for: SecretName("shared"))?.testBytes == Array("top-level".utf8))
            #expect(staging.everyValue().map(\.name).sorted() == ["api-key", "api-key", "api-key", "shared"])
            let named = try scratch.write("environments: a-value\n", to: "named.yaml")
            #expect(try LocalSecrets(path: named, displayPath: "named.yaml").value(for: SecretName("environments"))?.testBytes == Array("a-value".utf8))
        }
    }
}
