import ArgumentParser
import FoundationEssentials
import Run
import Sealing
import Workspace

/// `--local` or `--sealed`, shared by the commands that resolve a journey.
struct ResolutionOptions: ParsableArguments {
    @Flag(help: "Resolve from environment variables, then .journey/local-secrets.yaml; never read secrets/.")
    var local = false

    @Flag(help: "Resolve from the sealed store with a private key, with no environment fallback (the default).")
    var sealed = false

    @OptionGroup var keyOptions: KeyOptions

    func validate() throws {
        if local && sealed { throw ValidationError("choose one of --local or --sealed") }
    }

    func source(for workspace: Workspace) -> SecretSource {
        if local { return .local(environment: ProcessInfo.processInfo.environment) }
        let keyFile = keyOptions.keyFile
        return .sealed(loadKey: { () throws(KeyLookupError) -> PrivateKey in
            let recipients: [Recipient]
            do { recipients = try workspace.recipients() } catch {
                // Only the key folder needs the list: a named key opens without it.
                guard KeySource.keyIsNamed(keyFile: keyFile) else { throw .unreadableRecipients(reason: "\(error)") }
                recipients = []
            }
            return try KeySource.load(keyFile: keyFile, recipients: recipients)
        })
    }

    /// Finds and resolves `reference` (a journey name, file stem or path).
    func resolve(_ reference: String, in workspace: Workspace) throws -> ResolvedJourney {
        let journey = try JourneyCatalog.find(reference, in: workspace)
        try workspace.checkRunsHere(journey)
        return try Resolver.resolve(journey, in: workspace, from: source(for: workspace))
    }
}

struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Show where each of a journey's references resolves from; values stay masked.",
        discussion: """
            Opens exactly the secrets the journey names, from the chosen source, and shows each one's
            source, sealed version, variable name and where the journey names it. Values are shown
            as ***. An error here is what 'journey run' would stop on before its first step.

            Examples:
              journey resolve checkout --local
              JOURNEY_KEY_FILE=runner.key journey resolve checkout --sealed --json
            """)

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var environmentOptions: EnvironmentOptions
    @OptionGroup var resolution: ResolutionOptions

    @Argument(help: "The journey: its name, file name without .yaml, or path.")
    var journey: String

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let workspace = try workspaceOptions.open(environmentOptions, required: !resolution.local)
        let resolved: ResolvedJourney
        do {
            resolved = try resolution.resolve(journey, in: workspace)
        } catch let failure as ResolveFailure where json {
            // Scripts asked for JSON: they get JSON for what did not resolve too (exit 2).
            try Output.json(
                UnresolvedOutput(
                    journey: journey, resolved: false,
                    errors: failure.errors.map { .init(secret: $0.secret, reference: $0.reference.description, message: $0.description) }))
            throw ExitCode(2)
        }
        let prefix = workspace.config.envPrefix
        let secrets = resolved.secrets.map { secret in
            ResolveOutput.Secret(
                name: secret.name.rawValue, source: secret.origin.description, version: secret.origin.version,
                variable: secret.name.environmentVariable(prefix: prefix), value: "***",
                references: secret.references.map(\.description))
        }
        let environment = resolved.environmentValues.keys.sorted().map { ResolveOutput.Variable(name: $0, source: "environment") }
        if json {
            try Output.json(
                ResolveOutput(journey: resolved.journey.name, file: resolved.journey.file, mode: resolved.mode, secrets: secrets, environment: environment))
            return
        }
        Output.line("journey \(resolved.journey.name) (\(resolved.journey.file)), \(resolved.mode):")
        if secrets.isEmpty && environment.isEmpty { Output.line("  no references") }
        for secret in secrets {
            Output.line("  secret \(secret.name) = *** from \(secret.source) [\(secret.variable)]")
            Output.line("    named at \(secret.references.joined(separator: ", "))")
        }
        for variable in environment {
            Output.line("  env \(variable.name) from the environment")
        }
    }
}

private struct ResolveOutput: Encodable {
    struct Secret: Encodable {
        var name: String
        var source: String
        var version: Int?
        var variable: String
        var value: String
        var references: [String]
    }

    struct Variable: Encodable {
        var name: String
        var source: String
    }

    var journey: String
    var file: String
    var mode: ResolutionMode
    var secrets: [Secret]
    var environment: [Variable]
}

/// `resolve --json` when a reference did not resolve: what failed, where, and the fix.
private struct UnresolvedOutput: Encodable {
    struct Failure: Encodable {
        var secret: String?
        var reference: String
        var message: String
    }

    var journey: String
    var resolved: Bool
    var errors: [Failure]
}
