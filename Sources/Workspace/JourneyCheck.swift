import Diagnostics
import FoundationEssentials
import Sealing

/// `journey check`: every journey parses, every reference has a sealed value and a usable
/// variable name, journey names are unique, and every sealed file is well-formed and wrapped
/// for every current recipient. Reads only clear metadata; nothing is decrypted.
package enum JourneyCheck {
    package struct Report: Sendable {
        package var problems: [JourneyProblem]
        package var journeyCount: Int
        package var secretCount: Int

        package var errors: [JourneyProblem] { problems.filter { $0.severity == .error } }
        package var warnings: [JourneyProblem] { problems.filter { $0.severity == .warning } }
    }

    package static func run(_ workspace: Workspace) -> Report {
        var problems: [JourneyProblem] = []
        let catalog = JourneyCatalog(workspace: workspace)
        for entry in catalog.entries {
            if case .failure(let error) = entry.result { problems += error.problems }
        }
        let journeys = catalog.journeys

        for (name, group) in Dictionary(grouping: journeys, by: \.name) where group.count > 1 {
            for journey in group {
                let others = group.filter { $0.file != journey.file }.map(\.file).joined(separator: ", ")
                problems.append(
                    JourneyProblem(
                        SourceLocation(file: journey.file), "journey name '\(name)' is also used by \(others); journey names must be unique",
                        rule: "journey-name-duplicate"))
            }
        }

        let available = Set(workspace.config.environments)
        for journey in journeys {
            for name in journey.environments ?? [] where !available.contains(name) {
                let listed = available.isEmpty ? "has no environments" : "has: \(available.map(\.rawValue).sorted().joined(separator: ", "))"
                problems.append(
                    JourneyProblem(
                        SourceLocation(file: journey.file),
                        "journey '\(journey.name)' lists environment '\(name)', which the workspace lacks (it \(listed)); fix the list, or add it with 'journey env add \(ShellWord.quoted(name.rawValue))'",
                        rule: "environment-unknown"))
            }
        }
        if !workspace.config.environments.isEmpty {
            problems += unreadFlatStore(workspace)
        }
        // The chosen environment, or every one: a journey's references must exist in each
        // environment it runs in.
        var secretCount = 0
        for store in workspace.environment == nil ? workspace.everyEnvironment() : [workspace] {
            let runsHere = journeys.filter { journey in store.environment.map { journey.environments?.contains($0) ?? true } ?? true }
            let (storeProblems, count) = checkStore(store, journeys: runsHere)
            problems += storeProblems
            secretCount += count
        }
        return Report(problems: problems.sorted(by: order), journeyCount: catalog.entries.count, secretCount: secretCount)
    }

    /// Files of the flat layout left in a workspace with environments: no command reads them.
    private static func unreadFlatStore(_ workspace: Workspace) -> [JourneyProblem] {
        let flat = workspace.flatStore()
        var paths = ((try? flat.secretNames()) ?? []).map { workspace.relative(flat.sealedPath($0)) }
        if FileManager.default.fileExists(atPath: flat.recipientsPath) { paths.append(workspace.relative(flat.recipientsPath)) }
        return paths.map { path in
            JourneyProblem(
                SourceLocation(file: path),
                "\(path) belongs to the flat layout, which a workspace with environments never reads; move flat secrets into an environment with 'journey env add NAME --move-default', or remove the file",
                severity: .warning, rule: "flat-store-unread")
        }
    }

    /// One store (an environment's, or the flat one): recipients, sealed files, and the
    /// references of the journeys that run in it.
    private static func checkStore(_ workspace: Workspace, journeys: [Journey]) -> (problems: [JourneyProblem], secretCount: Int) {
        var problems: [JourneyProblem] = []
        let envFlag = workspace.environment.map { " --env \($0)" } ?? ""
        let inEnvironment = workspace.environment.map { " in environment '\($0)'" } ?? ""
        let recipientsPath = workspace.relative(workspace.recipientsPath)
        var contents = RecipientsFile.Contents()
        do { contents = try workspace.recipientsContents() } catch {
            problems.append(storeProblem(error, path: recipientsPath, rule: "recipients-invalid"))
        }
        let recipients = contents.recipients
        if recipients.isEmpty {
            problems.append(
                JourneyProblem(
                    SourceLocation(file: recipientsPath),
                    "no recipients: nothing can be sealed or opened; add a key with 'journey keys generate NAME\(envFlag)'",
                    severity: .warning, rule: "recipients-none"))
        }

        var stored = Set<SecretName>()
        do { stored = Set(try workspace.secretNames()) } catch {
            problems.append(storeProblem(error, path: workspace.relative(workspace.secretsFolder), rule: "secrets-folder-unreadable"))
        }
        for name in stored.sorted() {
            problems += checkSealed(name, in: workspace, contents: contents)
        }

        var used = Set<SecretName>()
        for journey in journeys {
            for reference in journey.secretReferences {
                used.insert(reference.name)
                if !stored.contains(reference.name) {
                    // A typo names the secret it was meant to be, instead of asking to create the typo.
                    let missing =
                        "journey '\(journey.name)' uses secret '\(reference.name)', which has no sealed file\(inEnvironment) (\(workspace.relative(workspace.sealedPath(reference.name))))"
                    let fix =
                        NameSuggestion.closest(to: reference.name.rawValue, among: stored.map(\.rawValue)).map {
                            "did you mean '\($0)'? fix the reference, or add a new secret with 'journey secret add \(ShellWord.quoted(reference.name.rawValue))\(envFlag)'"
                        } ?? "add it with 'journey secret add \(ShellWord.quoted(reference.name.rawValue))\(envFlag)'"
                    problems.append(JourneyProblem(reference.location, missing + "; " + fix, rule: "secret-missing"))
                }
                do { _ = try reference.name.checkedEnvironmentVariable(prefix: workspace.config.envPrefix) } catch {
                    problems.append(JourneyProblem(reference.location, error.description, rule: "secret-name-variable"))
                }
            }
        }
        for name in stored.subtracting(used).sorted() {
            problems.append(
                JourneyProblem(
                    SourceLocation(file: workspace.relative(workspace.sealedPath(name))),
                    "secret '\(name)' is not used by any journey\(inEnvironment); remove it with 'journey secret remove \(ShellWord.quoted(name.rawValue))\(envFlag)' if it is no longer needed",
                    severity: .warning,
                    rule: "secret-unused")
            )
        }
        return (problems, stored.count)
    }

    private static func checkSealed(_ name: SecretName, in workspace: Workspace, contents: RecipientsFile.Contents) -> [JourneyProblem] {
        let recipients = contents.recipients
        let path = workspace.relative(workspace.sealedPath(name))
        let envFlag = workspace.environment.map { " --env \($0)" } ?? ""
        let file: SealedFile
        do { file = try workspace.readSealed(name) } catch {
            return [storeProblem(error, path: path, rule: "sealed-file-invalid")]
        }
        var problems: [JourneyProblem] = []
        let wrapped = Set(file.sealed.wraps.map(\.keyID))
        for recipient in recipients where !wrapped.contains(recipient.id) {
            problems.append(
                JourneyProblem(
                    SourceLocation(file: path),
                    "secret '\(name)' is not wrapped for recipient '\(recipient.name)' (key id \(recipient.id)); run 'journey secret rekey \(ShellWord.quoted(name.rawValue))\(envFlag)' with a key that opens it",
                    rule: "secret-not-wrapped-for-recipient"))
        }
        let current = Set(recipients.map(\.id))
        for keyID in wrapped.subtracting(current).sorted() {
            let holder = file.recipientNames[keyID].map { "'\($0)' " } ?? ""
            problems.append(
                JourneyProblem(
                    SourceLocation(file: path),
                    "secret '\(name)' is still wrapped for \(holder)(key id \(keyID)), no longer a recipient; rotate it with 'journey secret update \(ShellWord.quoted(name.rawValue))\(envFlag)' (rekey alone does not stop that key holder from reading the old value)",
                    severity: .warning, rule: "secret-wrapped-for-former-recipient"))
        }
        // Keys removed, and wraps re-keyed away, after they could open this very version.
        for exposed in workspace.exposure(of: file, in: contents) where !wrapped.contains(exposed.keyID) {
            let holder = exposed.name.isEmpty ? "" : "'\(exposed.name)' "
            problems.append(
                JourneyProblem(
                    SourceLocation(file: path),
                    "secret '\(name)' is exposed: removed key \(holder)(key id \(exposed.keyID)) could open this version before it was re-keyed; rotate it with 'journey secret update \(ShellWord.quoted(name.rawValue))'",
                    severity: .warning))
        }
        return problems
    }

    /// A problem reading the store; a merge conflict has its own rule id.
    private static func storeProblem(_ error: WorkspaceError, path: String, rule: String) -> JourneyProblem {
        var problem = JourneyParser.problem(from: error, path: path)
        if case .unresolvedMerge = error { problem.rule = "merge-conflict" } else { problem.rule = rule }
        return problem
    }

    private static func order(_ a: JourneyProblem, _ b: JourneyProblem) -> Bool {
        (a.location.file, a.location.line ?? 0, a.location.column ?? 0) < (b.location.file, b.location.line ?? 0, b.location.column ?? 0)
    }
}
