import FoundationEssentials
import GitStore
import Run
import Sealing
import StepIsolation
import Workspace

/// What a runner run produced: the report, and whether every step passed.
package struct RunnerOutcome: Sendable {
    package var report: RunnerReport
    package var passed: Bool { report.status == .passed }
}

/// The runner: fetches (or clones) the repository into the cache, checks the ref's commit out
/// into a fresh work folder, opens the workspace there, resolves and runs one journey exactly
/// as `journey run --sealed` does, and removes the work folder whatever happens.
package struct Runner {
    package let request: RunnerRequest

    package init(request: RunnerRequest) { self.request = request }

    /// Runs `journey` (a name or a file path inside the workspace) with `key`. `checkedOut`
    /// hears which commit was checked out before anything is opened; `output` receives the
    /// journey's masked output. `started` is when the command began, for the total time.
    package func run(
        journey reference: String, key: PrivateKey, isolation: StepIsolation?, started: ContinuousClock.Instant,
        checkedOut: (CheckedOutCommit) -> Void = { _ in },
        output: @escaping @Sendable (Run.OutputStream, [UInt8]) -> Void
    ) throws -> RunnerOutcome {
        try withCheckout { prepared in
            checkedOut(prepared.checkout)
            // The cache (mirrors, the rollback ledger) is out of a step's reach; its checkout is not.
            let stepIsolation = isolation?.hiding(request.cacheRoot, except: prepared.folder)
            return try Self.runJourney(reference, in: prepared, key: key, isolation: stepIsolation, started: started, output: output)
        }
    }

    /// The checkout part alone: hands the prepared run to `execute`, then removes the work
    /// folder, also when `execute` throws.
    package func withCheckout<Outcome>(_ execute: (PreparedRun) throws -> Outcome) throws -> Outcome {
        // A ref name outside the policy is refused before the cache is touched.
        guard request.refPolicy.mightAllow(request.ref) else {
            throw RunnerError.refNotAllowed(ref: request.ref, patterns: request.refPolicy.patterns)
        }
        let cache = try RunnerCache(root: request.cacheRoot)
        let work = try WorkFolder(in: cache)
        defer { try? work.remove() }
        let ledger = RollbackLedger(cache: cache)
        var marksAsOfFetch = RollbackLedger.Marks()
        let checkout = try MirrorSync(cache: cache, repo: request.repo, networkTimeout: request.networkTimeout).checkOut(
            ref: request.ref, into: work.path, limits: request.limits, policy: request.refPolicy,
            onFetched: { () throws(RunnerError) in marksAsOfFetch = try ledger.snapshot() })
        let workspace = try openWorkspace(in: work.path, commit: checkout.resolved.commit)
        if !request.workspaceIDs.isEmpty, !request.workspaceIDs.contains(workspace.config.id) {
            throw RunnerError.workspaceNotServed(id: workspace.config.id, path: request.workspacePath, served: request.workspaceIDs)
        }
        let rollbackGuard = RollbackGuard(
            ledger: ledger, key: LedgerKey(repository: checkout.repo, workspaceID: workspace.config.id, environment: request.environment?.rawValue),
            marksAsOfFetch: marksAsOfFetch,
            raisesMarks: !request.refPolicy.isEmpty, allowRollback: request.allowRollback)
        let prepared = PreparedRun(
            checkout: checkout, folder: work.path, workspace: workspace, workspacePath: request.workspacePath, rollbackGuard: rollbackGuard)
        let outcome = try execute(prepared)
        try work.remove()
        return outcome
    }

    /// The workspace at `--workspace-path` inside the checkout; refuses a path that leaves it.
    private func openWorkspace(in folder: String, commit: ObjectID) throws(RunnerError) -> Workspace {
        let relative = request.workspacePath.isEmpty ? "." : request.workspacePath
        let root = URL(fileURLWithPath: folder + "/" + relative).standardizedFileURL.path
        guard !relative.hasPrefix("/"), root == folder || root.hasPrefix(folder + "/") else {
            throw .missingWorkspace(path: relative, commit: commit)
        }
        guard FileManager.default.fileExists(atPath: root + "/" + Workspace.configFileName) else {
            throw .missingWorkspace(path: relative, commit: commit)
        }
        do {
            // The environment comes from the runner's configuration; a checkout that lists
            // environments is never run against its flat store.
            let workspace = try Workspace(root: root, environment: request.environment)
            try workspace.requireEnvironmentChosen()
            return workspace
        } catch {
            if case .malformed(let location, _) = error {
                throw .unparsable(what: "a workspace", at: [Self.relative(location, to: folder)], commit: commit)
            }
            throw .badWorkspace(commit: commit, reason: error.description.replacingOccurrences(of: folder + "/", with: ""))
        }
    }

    /// Resolves and runs the journey in the checked-out workspace, with the rollback guard
    /// around the resolution.
    private static func runJourney(
        _ reference: String, in prepared: PreparedRun, key: PrivateKey, isolation: StepIsolation?, started: ContinuousClock.Instant,
        output: @escaping @Sendable (Run.OutputStream, [UInt8]) -> Void
    ) throws -> RunnerOutcome {
        let clock = ContinuousClock()
        let workspace = prepared.workspace
        let resolveStart = clock.now
        let commit = prepared.checkout.resolved.commit
        let journey: Journey
        do {
            journey = try JourneyCatalog.find(insideWorkspace(reference, workspace), in: workspace)
        } catch {
            guard case .invalid(let problems) = error else { throw error }
            throw RunnerError.unparsable(what: "a journey", at: problems.map { relative($0.location, to: prepared.folder) }, commit: commit)
        }
        try workspace.checkRunsHere(journey)

        // Refuse a rolled-back version before opening anything; versions are read from the
        // clear part of each sealed file (a missing or unreadable one is left to the resolver,
        // which says which). The resolver opens the files read here, so the version checked is
        // the version opened.
        var sealedFiles: [SecretName: SealedFile] = [:]
        for name in journey.secretNames {
            do {
                sealedFiles[name] = try workspace.readSealed(name)
            } catch .malformed(let location, _) {
                throw RunnerError.unparsable(what: "a sealed file", at: [relative(location, to: prepared.folder)], commit: commit)
            } catch {
                continue
            }
        }
        try prepared.rollbackGuard.check(Dictionary(uniqueKeysWithValues: sealedFiles.map { ($0.key.rawValue, $0.value.version) }))

        let resolved = try Resolver.resolve(
            journey, in: workspace, from: .sealed(loadKey: { () throws(KeyLookupError) -> PrivateKey in key }, alreadyRead: sealedFiles))
        // Only versions that opened with the key are remembered (an edited version number does
        // not open), and only for a trusted ref: anyone with the public keys can seal a high
        // version on a branch of their own (see RollbackGuard.record).
        var opened: [String: Int] = [:]
        for secret in resolved.secrets {
            if let version = secret.origin.version { opened[secret.name.rawValue] = version }
        }
        try prepared.rollbackGuard.record(opened)
        let resolveDuration = clock.now - resolveStart

        let result = JourneyRunner(resolved: resolved, workspace: workspace, isolation: isolation, output: output).run()
        let timings = RunnerReport.Timings(
            fetchMilliseconds: prepared.checkout.fetchDuration.wholeMilliseconds,
            checkoutMilliseconds: prepared.checkout.checkoutDuration.wholeMilliseconds,
            resolveMilliseconds: resolveDuration.wholeMilliseconds,
            steps: result.steps.map { .init(name: $0.name, milliseconds: $0.durationMilliseconds) },
            totalMilliseconds: (clock.now - started).wholeMilliseconds)
        let report = RunnerReport(
            checkout: prepared.checkout, workspacePath: prepared.workspacePath, workspaceID: workspace.config.id,
            journey: journey.name, runnerKeyID: key.id.hex,
            secrets: opened.sorted { $0.key < $1.key }.map { .init(name: $0.key, version: $0.value) },
            timings: timings, run: result)
        return RunnerOutcome(report: report)
    }

    /// A location inside the checkout, relative to it.
    static func relative(_ location: SourceLocation, to folder: String) -> String {
        var location = location
        if location.file.hasPrefix(folder + "/") { location.file = String(location.file.dropFirst(folder.count + 1)) }
        return location.description
    }

    /// A journey given as a file path is looked up inside the checked-out workspace, never
    /// against the runner's current folder.
    static func insideWorkspace(_ reference: String, _ workspace: Workspace) -> String {
        guard reference.hasSuffix(".yaml") || reference.hasSuffix(".yml") else { return reference }
        return URL(fileURLWithPath: workspace.root + "/" + reference).standardizedFileURL.path
    }
}
