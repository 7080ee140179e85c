import Foundation
import Run
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("Resolution")
struct ResolveTests {
    static let twoSecrets = """
        name: pay
        values:
          key: { secret: payments-api-key }
        steps:
          - name: first
            run: touch first-step-ran
            env:
              KEY: ${{ values.key }}
              TOKEN: { secret: slack-token }
        """

    @Test func localResolvesFromEnvironmentThenTheLocalFile() throws {
        let fixture = try JourneyFixture()
        try fixture.journey("pay", Self.twoSecrets)
        let envCanary = Canary(), fileCanary = Canary()
        try fixture.scratch.write("slack-token: \(fileCanary.text)\npayments-api-key: not-this-one\n", to: "workspace/.journey/local-secrets.yaml")
        let resolved = try fixture.resolve("pay", .local(environment: ["PAYMENTS_API_KEY": envCanary.text]))

        let key = try #require(resolved.secret(Fixtures.name("payments-api-key")))
        #expect(key.value.testBytes == envCanary.bytes)
        #expect(key.origin == .environment(variable: "PAYMENTS_API_KEY"))
        let token = try #require(resolved.secret(Fixtures.name("slack-token")))
        #expect(token.value.testBytes == fileCanary.bytes)
        #expect(token.origin == .localFile(path: ".journey/local-secrets.yaml"))
        #expect(resolved.consumedVariables == ["PAYMENTS_API_KEY"])
        #expect(key.references.map(\.description) == ["journeys/pay.yaml:3:18"])
    }

    @Test func theWorkspaceEnvPrefixNamesTheVariables() throws {
        let fixture = try JourneyFixture()
        let config = try String(contentsOfFile: fixture.workspace.configPath, encoding: .utf8)
        try (config + "settings:\n  env-prefix: ACME_\n").write(toFile: fixture.workspace.configPath, atomically: true, encoding: .utf8)
        let workspace = try Workspace(root: fixture.root)
        try fixture.journey("pay", "steps:\n  - run: 'true'\n    env: { K: { secret: api-key } }\n")
        let journey = try JourneyCatalog.find("pay", in: workspace)
        let resolved = try Resolver.resolve(
            journey, in: workspace, from: .local(environment: ["ACME_API_KEY": "prefixed", "API_KEY": "bare"]), environment: [:])
        #expect(resolved.secrets.first?.value.testBytes == Array("prefixed".utf8))
    }

    /// No key anywhere, `secrets/` unreadable and every file in it garbage: a local run still
    /// resolves and runs, so it cannot have touched the sealed store.
    @Test func localRunsNeverOpenTheSealedStore() throws {
        let fixture = try JourneyFixture()
        try fixture.seal("payments-api-key", "sealed-value")
        try fixture.seal("slack-token", "sealed-value")
        try fixture.journey("pay", Self.twoSecrets)
        let secrets = fixture.workspace.secretsFolder
        for file in try FileManager.default.contentsOfDirectory(atPath: secrets) {
            try Data("not: [a sealed file".utf8).write(to: URL(fileURLWithPath: secrets + "/" + file))
        }
        #expect(chmod(secrets, 0) == 0)
        defer { chmod(secrets, 0o755) }

        let canaryA = Canary(), canaryB = Canary()
        let environment = ["PAYMENTS_API_KEY": canaryA.text, "SLACK_TOKEN": canaryB.text]
        let (report, output) = try fixture.run("pay", .local(environment: environment), environment: environment)
        #expect(report.status == .passed, "\(output.all)")
        #expect(report.secrets.map(\.source) == [.env, .env])
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/first-step-ran"))

        // The same through the binary, with an empty key folder and no key variables.
        let config = try fixture.scratch.folder("config")
        let result = try JourneyBinary.run(["run", "pay", "--local"], in: fixture.root, configHome: config, environment: environment)
        #expect(result.exitCode == 0, "\(result.allOutput)")
        #expect(!canaryA.appears(in: result.allOutput) && !canaryB.appears(in: result.allOutput))
    }

    @Test func aMissingLocalValueNamesJourneyPlaceSecretAndFixBeforeTheFirstStep() throws {
        let fixture = try JourneyFixture()
        try fixture.journey("pay", Self.twoSecrets)
        let failure = try #require(try fixture.resolveFailure("pay", .local(environment: ["SLACK_TOKEN": ""])))
        let message = failure.description
        #expect(failure.errors.count == 2)
        #expect(
            message.contains(
                "journey 'pay': secret 'payments-api-key' (journeys/pay.yaml:3:18) has no local value: set PAYMENTS_API_KEY, or add 'payments-api-key: VALUE' to .journey/local-secrets.yaml"
            ))
        #expect(message.contains("journey 'pay': secret 'slack-token' (journeys/pay.yaml:9:24) has no local value (SLACK_TOKEN is set but empty)"))

        // Through the binary: exit 2, the message, and the first step never ran.
        let config = try fixture.scratch.folder("config")
        let report = fixture.scratch.path("report.json")
        let result = try JourneyBinary.run(["run", "pay", "--local", "--report", report], in: fixture.root, configHome: config)
        #expect(result.exitCode == 2)
        #expect(result.stderrText.contains("journeys/pay.yaml:3:18"))
        #expect(result.stderrText.contains("set PAYMENTS_API_KEY"))
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/first-step-ran"))
        let written = try String(contentsOfFile: report, encoding: .utf8)
        #expect(written.contains("\"status\" : \"error\""))
    }

    @Test func aMissingSealedFileNamesJourneyPlaceSecretAndFix() throws {
        let fixture = try JourneyFixture()
        try fixture.seal("slack-token", "v")
        try fixture.journey("pay", Self.twoSecrets)
        let failure = try #require(try fixture.resolveFailure("pay", fixture.sealedSource))
        #expect(failure.errors.count == 1)
        let message = failure.description
        #expect(message.hasPrefix("journey 'pay': secret 'payments-api-key' (journeys/pay.yaml:3:18): "))
        #expect(message.contains("journey secret add payments-api-key"))
    }

    @Test func aKeyThatOpensNothingNamesJourneyPlaceSecretAndFix() throws {
        let fixture = try JourneyFixture()
        try fixture.seal("payments-api-key", "v")
        try fixture.seal("slack-token", "v")
        try fixture.journey("pay", Self.twoSecrets)
        let stranger = PrivateKey.generate()
        let failure = try #require(try fixture.resolveFailure("pay", .sealed(loadKey: { () throws(KeyLookupError) -> PrivateKey in stranger })))
        #expect(failure.errors.count == 2)
        let first = failure.errors[0].description
        #expect(
            first.hasPrefix(
                "journey 'pay': secret 'payments-api-key' (journeys/pay.yaml:3:18): cannot open secret 'payments-api-key' (secrets/payments-api-key.sealed)"))
        #expect(first.contains("journey keys add"))
        #expect(first.contains("journey secret rekey payments-api-key"))
    }

    @Test func noKeyAtAllSaysHowToGetOneOrRunLocally() throws {
        let fixture = try JourneyFixture()
        try fixture.journey("pay", Self.twoSecrets)
        let failure = try #require(
            try fixture.resolveFailure("pay", .sealed(loadKey: { () throws(KeyLookupError) -> PrivateKey in throw .noKey(folder: "/nowhere") })))
        #expect(failure.description.contains("journey 'pay': secret 'payments-api-key' (journeys/pay.yaml:3:18) needs it and 1 more from the sealed store"))
        #expect(failure.description.contains("--key-file"))
        #expect(failure.description.contains("--local"))
    }

    @Test func onlyTheNamesTheJourneyUsesAreOpened() throws {
        let fixture = try JourneyFixture()
        try fixture.seal("payments-api-key", "a-value")
        try fixture.seal("slack-token", "b-value")
        // Unreferenced, and it would not open: resolution must not look at it.
        try fixture.scratch.write("garbage", to: "workspace/secrets/unrelated.sealed")
        try fixture.journey("pay", Self.twoSecrets)
        let resolved = try fixture.resolve("pay", fixture.sealedSource)
        #expect(resolved.secrets.map(\.name.rawValue) == ["payments-api-key", "slack-token"])
        #expect(resolved.secrets.map(\.origin.version) == [1, 1])
        // Sealed mode ignores the environment for secrets.
        let failure = try fixture.resolveFailure(
            "pay", .sealed(loadKey: { () throws(KeyLookupError) -> PrivateKey in throw .noKey(folder: "/k") }),
            environment: ["PAYMENTS_API_KEY": "from-env", "SLACK_TOKEN": "from-env"])
        #expect(failure != nil)
    }

    @Test func anEmptyValueIsRefusedNeverPassedOn() throws {
        let fixture = try JourneyFixture()
        try fixture.journey("pay", "steps:\n  - run: 'true'\n    env: { K: { secret: k } }\n")
        try fixture.scratch.write("k: ''\n", to: "workspace/.journey/local-secrets.yaml")
        let failure = try #require(try fixture.resolveFailure("pay", .local(environment: [:])))
        #expect(failure.description.contains("secret 'k' (journeys/pay.yaml:3:25) is empty in .journey/local-secrets.yaml; an empty secret is refused"))
    }

    @Test func aMissingEnvironmentValueIsAnErrorBeforeTheFirstStep() throws {
        let fixture = try JourneyFixture()
        try fixture.journey("pay", "values:\n  url: { env: PAY_URL }\nsteps:\n  - run: echo ${{ values.url }}\n")
        let failure = try #require(try fixture.resolveFailure("pay", .local(environment: [:]), environment: [:]))
        #expect(failure.description == "journey 'pay' (journeys/pay.yaml:2:15) reads environment variable PAY_URL, which is not set: set it before running")
    }

    @Test(arguments: ["path", "home", "ld-preload", "ld-library-path", "dyld-insert-libraries", "node-options", "bash-env"])
    func aSecretNameOntoAVariableProgramsDependOnIsRefused(_ name: String) throws {
        let fixture = try JourneyFixture()
        try fixture.journey("pay", "steps:\n  - run: 'true'\n    env: { SAFE: { secret: \(name) } }\n")
        let variable = try Fixtures.name(name).environmentVariable()
        for source in [SecretSource.local(environment: [variable: "x"]), fixture.sealedSource] {
            let failure = try #require(try fixture.resolveFailure("pay", source))
            #expect(failure.description.contains("journey 'pay': secret '\(name)' (journeys/pay.yaml:3:28)"))
            #expect(failure.description.contains("environment variable \(variable), which programs depend on"))
        }
        // And `check` reports it, and `secret add` refuses the name.
        #expect(JourneyCheck.run(fixture.workspace).errors.contains { $0.message.contains("which programs depend on") })
        let config = try fixture.scratch.folder("config")
        let result = try JourneyBinary.run(["secret", "add", name], in: fixture.root, configHome: config, stdin: Array("value".utf8))
        #expect(result.exitCode == 2)
        #expect(result.stderrText.contains(variable))
        #expect(!fixture.workspace.hasSecret(try Fixtures.name(name)))
    }

    @Test func anEmptySecretIsRefusedAtSecretAdd() throws {
        let fixture = try JourneyFixture()
        let config = try fixture.scratch.folder("config")
        let result = try JourneyBinary.run(["secret", "add", "api-key"], in: fixture.root, configHome: config, stdin: [])
        #expect(result.exitCode == 2)
        #expect(result.stderrText.contains("empty"))
        #expect(!fixture.workspace.hasSecret(try Fixtures.name("api-key")))
    }
}
