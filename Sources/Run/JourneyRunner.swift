import Foundation
import StepIsolation
import Workspace

/// What a step's executor reports back.
struct StepOutcome {
    var passed: Bool
    var detail: String?
    var error: String?
}

/// Runs a resolved journey's steps in order; the first failing step fails the journey and the
/// rest are skipped. Everything written to `output` is masked: child output by the child
/// process runner, the runner's own lines and HTTP bodies here.
package struct JourneyRunner: Sendable {
    package let resolved: ResolvedJourney
    package let workspace: Workspace
    /// What every run step inherits, before its own `env`.
    package let baseEnvironment: [String: String]
    /// The sandbox every `run` step starts in (nil: `--no-isolation`).
    package let isolation: StepIsolation?
    private let output: @Sendable (OutputStream, [UInt8]) -> Void

    /// `environment` is this process's; the key variables (`JOURNEY_KEY*`) and the variables
    /// local resolution read secrets from are removed from it before any step sees it.
    package init(
        resolved: ResolvedJourney, workspace: Workspace,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        isolation: StepIsolation? = nil,
        output: @escaping @Sendable (OutputStream, [UInt8]) -> Void
    ) {
        self.resolved = resolved
        self.workspace = workspace
        var inherited = StepEnvironment.withoutKeyVariables(environment)
        for variable in resolved.consumedVariables { inherited[variable] = nil }
        baseEnvironment = inherited
        self.isolation = isolation
        self.output = output
    }

    package func run() -> RunReport {
        let journey = resolved.journey
        let started = Timestamp.now()
        let clock = ContinuousClock()
        let journeyStart = clock.now
        let count = journey.steps.count
        say("journey \(journey.name) (\(resolved.mode)): \(counted(count, "step")), \(counted(resolved.secrets.count, "secret"))")

        var steps: [RunReport.Step] = []
        var failed = false
        for (index, step) in journey.steps.enumerated() {
            guard !failed else {
                steps.append(RunReport.Step(name: mask(step.name), kind: RunReport.Step.Kind(step.kind), status: .skipped, durationMilliseconds: 0))
                continue
            }
            say("[\(index + 1)/\(count)] \(step.name) (\(step.kindName))")
            let stepStart = clock.now
            let outcome: StepOutcome
            switch step.kind {
            case .run(let run): outcome = RunStepExecutor(runner: self).run(run, timeout: step.timeout)
            case .http(let http): outcome = HTTPStepExecutor(runner: self).run(http, timeout: step.timeout)
            }
            let milliseconds = (clock.now - stepStart).wholeMilliseconds
            if outcome.passed {
                say("      ok: \(outcome.detail ?? "passed") (\(milliseconds) ms)")
            } else {
                say("      FAILED: \(outcome.error ?? outcome.detail ?? "failed") (\(milliseconds) ms)", to: .standardError)
                failed = true
            }
            steps.append(
                RunReport.Step(
                    name: mask(step.name), kind: RunReport.Step.Kind(step.kind), status: outcome.passed ? .passed : .failed,
                    durationMilliseconds: milliseconds, detail: outcome.detail.map(mask), error: outcome.error.map(mask)))
        }
        let total = (clock.now - journeyStart).wholeMilliseconds
        say("journey \(journey.name) \(failed ? "failed" : "passed") in \(total) ms", to: failed ? .standardError : .standardOutput)
        return RunReport(
            journey: journey.name, file: journey.file, mode: resolved.mode, status: failed ? .failed : .passed,
            started: started, durationMilliseconds: total, secrets: RunReport.secretsUsed(resolved), steps: steps)
    }

    // MARK: Output, always masked

    func mask(_ text: String) -> String { resolved.masker.mask(text) }

    func say(_ line: String, to stream: OutputStream = .standardOutput) {
        // Masked first (the forms match raw text), then control characters escaped: step names
        // and descriptions are not authenticated.
        output(stream, Array((TerminalText.escaped(resolved.masker.mask(line), keepingLines: true) + "\n").utf8))
    }

    func emit(_ stream: OutputStream, _ maskedBytes: [UInt8]) {
        output(stream, maskedBytes)
    }
}

/// What a child may inherit from this process's environment.
package enum StepEnvironment {
    /// The environment without `JOURNEY_KEY`, `JOURNEY_KEY_FILE` or any other `JOURNEY_KEY…`
    /// variable: the key's text or its path would let a child open every secret.
    package static func withoutKeyVariables(_ environment: [String: String]) -> [String: String] {
        environment.filter { !$0.key.hasPrefix(KeySource.variablePrefix) }
    }
}

/// `1 step`, `3 steps`.
func counted(_ number: Int, _ noun: String) -> String {
    "\(number) \(noun)\(number == 1 ? "" : "s")"
}

extension Duration {
    /// `30s`, `1.5s`, `500ms`: for messages.
    var shortDescription: String {
        let milliseconds = wholeMilliseconds
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        return String(format: "%.1fs", Double(milliseconds) / 1000)
    }
}
