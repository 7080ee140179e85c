import Foundation
import Run
import Runner
import Sealing
import StepIsolation
import Workspace

/// What a runner run produced: the report, and whether every step passed.
struct RunnerOutcome {
    var report: RunnerReport<RunReport>
    var passed: Bool
}

/// The journey part of a runner run: resolve and run the journey in the checked-out workspace
/// exactly as `journey run --sealed` does, with the rollback guard around the resolution.
enum RunnerJourney {
    static func run(_ prepared: PreparedRun, journey reference: String, key: PrivateKey, isolation: StepIsolation?, started: ContinuousClock.Instant) throws
        -> RunnerOutcome
    {
        let clock = ContinuousClock()
        let workspace = prepared.workspace
        let resolveStart = clock.now
        let journey = try JourneyCatalog.find(Self.insideWorkspace(reference, workspace), in: workspace)

        // Refuse a rolled-back version before opening anything; versions are read from the
        // clear part of each sealed file (a missing or malformed one is left to the resolver).
        var sealedVersions: [String: Int] = [:]
        for name in journey.secretNames {
            if let file = try? workspace.readSealed(name) { sealedVersions[name.rawValue] = file.version }
        }
        try prepared.rollbackGuard.check(sealedVersions)

        let resolved = try Resolver.resolve(journey, in: workspace, from: .sealed(loadKey: { () throws(KeyLookupError) -> PrivateKey in key }))
        // Only versions that opened with the key are remembered: they are bound into the
        // ciphertext, so a forged version number cannot raise the marks.
        var opened: [String: Int] = [:]
        for secret in resolved.secrets {
            if let version = secret.origin.version { opened[secret.name.rawValue] = version }
        }
        try prepared.rollbackGuard.record(opened)
        let resolveMilliseconds = (clock.now - resolveStart).milliseconds

        let runner = JourneyRunner(resolved: resolved, workspace: workspace, isolation: isolation) { stream, bytes in
            StandardStreams.write(bytes, to: stream == .standardOutput ? 1 : 2)
        }
        let result = runner.run()
        let passed = result.status == .passed
        let timings = RunnerReport<RunReport>.Timings(
            fetchMilliseconds: wholeMilliseconds(prepared.checkout.fetchSeconds),
            checkoutMilliseconds: wholeMilliseconds(prepared.checkout.checkoutSeconds),
            resolveMilliseconds: resolveMilliseconds,
            steps: result.steps.map { .init(name: $0.name, milliseconds: $0.durationMilliseconds) },
            totalMilliseconds: (clock.now - started).milliseconds)
        let report = RunnerReport(
            checkout: prepared.checkout, workspacePath: prepared.workspacePath, workspaceID: workspace.config.id,
            journey: journey.name, runnerKeyID: key.id.hex, passed: passed,
            secrets: opened.sorted { $0.key < $1.key }.map { .init(name: $0.key, version: $0.value) },
            timings: timings, run: result)
        return RunnerOutcome(report: report, passed: passed)
    }

    /// A journey given as a file path is looked up inside the checked-out workspace, never
    /// against the runner's current folder.
    static func insideWorkspace(_ reference: String, _ workspace: Workspace) -> String {
        guard reference.hasSuffix(".yaml") || reference.hasSuffix(".yml") else { return reference }
        return URL(fileURLWithPath: workspace.root + "/" + reference).standardizedFileURL.path
    }
}

extension Duration {
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
