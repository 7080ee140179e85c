import ArgumentParser
import Foundation
import Run
import Sealing
import StepIsolation
import Workspace

struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command with secrets in its environment; its output is masked.",
        discussion: """
            Each secret reaches the command as an environment variable named after it
            (payments-api-key → PAYMENTS_API_KEY, after the workspace's env-prefix), never as an
            argument. Everything the command prints goes through masking: the value, each line
            of it, its base64, URL-encoded and JSON-escaped forms become ***. Signals are passed
            on to the command, and its exit code is journey's. The command runs isolated from
            the private key, as journey run's steps do; --no-isolation for a trusted command on
            a machine without user namespaces.

            Examples:
              journey exec --secret payments-api-key -- ./deploy.sh
              JOURNEY_KEY_FILE=runner.key journey exec --secret db-password --secret slack-token -- make release
              journey exec --journey checkout --local -- ./smoke-test.sh
            """)

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var environmentOptions: EnvironmentOptions
    @OptionGroup var keyOptions: KeyOptions
    @OptionGroup var isolationOptions: IsolationOptions

    @Option(name: .customLong("secret"), help: ArgumentHelp("A secret to pass (repeatable).", valueName: "NAME"), completion: NameCompletion.secrets)
    var secrets: [String] = []

    @Flag(help: "Open values from the sealed store with a private key (the default).")
    var sealed = false

    @Option(help: ArgumentHelp("Pass every secret this journey names (by name, file name or path).", valueName: "JOURNEY"))
    var journey: String?

    @Flag(help: "With --journey: resolve from environment variables and .journey/local-secrets.yaml, never secrets/.")
    var local = false

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after '--'.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the command to run after '--', e.g. journey exec --secret NAME -- ./deploy.sh") }
        if local && sealed { throw ValidationError("choose one of --local or --sealed") }
        if local && (journey == nil || !secrets.isEmpty) {
            throw ValidationError("--local resolves a journey's references: use it with --journey and without --secret")
        }
    }

    func run() throws {
        try ProcessHardening.makeNonDumpable()  // values are opened below: refuse to go on dumpable
        let workspace = try workspaceOptions.open(environmentOptions, required: !local)
        let isolation = try isolationOptions.isolation(keyFile: keyOptions.keyFile)
        let names = try Set(secrets.map { try SecretName($0) }).sorted()
        var injected: [(name: String, value: SecretBytes)] = []
        if let journey {
            var resolution = ResolutionOptions()
            resolution.local = local
            resolution.keyOptions = keyOptions
            let resolved = try resolution.resolve(journey, in: workspace)
            for secret in resolved.secrets where !names.contains(secret.name) {
                injected.append((secret.name.environmentVariable(prefix: workspace.config.envPrefix), secret.value))
            }
        }
        if !names.isEmpty {
            let key = try KeySource.load(keyFile: keyOptions.keyFile, recipients: workspace.recipients())
            for name in names {
                let variable = try name.checkedEnvironmentVariable(prefix: workspace.config.envPrefix)
                injected.append((variable, try workspace.openSecret(name, with: key).value))
            }
        }
        let termination: Termination
        do {
            termination = try ExecCommand.runMasked(command, secrets: injected, workingDirectory: nil, ownProcessGroup: isatty(0) != 1, isolation: isolation)
        } catch RunError.spawnFailed(let name, let reason) {
            // As a shell does: 127 when the command is not found, 126 when it cannot be run.
            let notFound = reason == String(cString: strerror(ENOENT))
            Output.error(notFound ? "\(name): command not found" : "cannot run \(name): \(reason)")
            throw ExitCode(notFound ? 127 : 126)
        }
        if termination.exitCode != 0 { throw ExitCode(termination.exitCode) }
    }

    /// Runs `command` with `secrets` added to this process's environment, copying its masked
    /// output to ours; shared by every command that runs a child.
    static func runMasked(
        _ command: [String], secrets: [(name: String, value: SecretBytes)], workingDirectory: String?, ownProcessGroup: Bool, isolation: StepIsolation?
    ) throws -> Termination {
        // The key's text or its path would let the child open every secret, not just these.
        let environment = StepEnvironment.withoutKeyVariables(ProcessInfo.processInfo.environment)
        let masker = Masker(values: secrets.map(\.value))
        let child = ChildProcess(
            arguments: command, environment: environment, secretEnvironment: secrets, workingDirectory: workingDirectory, ownProcessGroup: ownProcessGroup,
            isolation: isolation)
        return try child.run(masker: masker) { stream, bytes in
            StandardStreams.write(bytes, to: stream == .standardOutput ? 1 : 2)
        }
    }
}

/// Raw, unbuffered writes to our own stdout and stderr.
enum StandardStreams {
    static func write(_ bytes: [UInt8], to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
