import Foundation
import Sealing
import Workspace

/// Runs a `run` step: `/bin/sh -c COMMAND` in the workspace, with the step's `env` added to
/// the inherited environment. Values holding a secret go to the child as secret environment
/// entries (zeroed right after the spawn); the command line never holds one (the parser
/// refuses that).
struct RunStepExecutor {
    let runner: JourneyRunner

    /// How much of a failing step's (already masked) output the report keeps.
    static let errorTailBytes = 2048

    func run(_ step: RunStep, timeout: Duration) -> StepOutcome {
        var environment = runner.baseEnvironment
        var secretEnvironment: [(name: String, value: SecretBytes)] = []
        for entry in step.environment {
            switch runner.resolved.render(entry.value) {
            case .plain(let text):
                environment[entry.name] = text
            case .secret(let bytes):
                environment[entry.name] = nil
                secretEnvironment.append((entry.name, bytes))
            }
        }
        // The parser refuses secrets here, so the command renders to plain text.
        let command = runner.resolved.render(step.command).revealText()
        let child = ChildProcess(
            arguments: ["/bin/sh", "-c", command], environment: environment, secretEnvironment: secretEnvironment,
            workingDirectory: runner.workspace.root, timeout: timeout, isolation: runner.isolation)

        let tail = OutputTail(limit: Self.errorTailBytes)
        let termination: Termination
        do {
            termination = try child.run(masker: runner.resolved.masker) { [runner] stream, bytes in
                tail.append(bytes)
                runner.emit(stream, bytes)
            }
        } catch {
            return StepOutcome(passed: false, error: error.description)
        }
        switch termination {
        case .exited(0):
            return StepOutcome(passed: true, detail: "exit status 0")
        case .exited(let status):
            return StepOutcome(passed: false, detail: "exit status \(status)", error: failure("exited with status \(status)", tail))
        case .signalled(let signal):
            return StepOutcome(passed: false, detail: "signal \(signal)", error: failure("was killed by signal \(signal)", tail))
        case .timedOut:
            return StepOutcome(
                passed: false, detail: "timed out", error: failure("did not finish within its timeout of \(timeout.shortDescription) and was stopped", tail))
        }
    }

    private func failure(_ what: String, _ tail: OutputTail) -> String {
        let output = tail.text
        return output.isEmpty ? "the command \(what)" : "the command \(what); last output:\n\(output)"
    }
}

/// The last bytes a child wrote (masked already), for the report of a failing step.
final class OutputTail: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func append(_ chunk: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        bytes += chunk
        if bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
