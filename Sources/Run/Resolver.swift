import Diagnostics
import FoundationEssentials
import Sealing
import Workspace

/// Where a journey's secret values come from (DESIGN §7).
package enum SecretSource {
    /// Environment variables (`payments-api-key` → `PAYMENTS_API_KEY`, after the workspace's
    /// env-prefix), then `.journey/local-secrets.yaml`. Never reads `secrets/`.
    case local(environment: [String: String])
    /// The sealed store, opened with the key `loadKey` returns (called only if the journey
    /// names a secret). No environment fallback. Sealed files in `alreadyRead` (from
    /// `Workspace.readSealed`) are opened as they are, not read again.
    case sealed(loadKey: () throws(KeyLookupError) -> PrivateKey, alreadyRead: [SecretName: SealedFile] = [:])

    package var mode: ResolutionMode {
        switch self {
        case .local: return .local
        case .sealed: return .sealed
        }
    }
}

/// How a journey's values were found: from the environment and local file, or opened from the
/// sealed store. Shown in run output and written into run reports.
package enum ResolutionMode: String, Codable, Sendable {
    case local, sealed
}

/// Where one resolved value came from; shown by `resolve` and written into run reports.
package enum SecretOrigin: Sendable, Equatable, CustomStringConvertible {
    case environment(variable: String)
    case localFile(path: String)
    case sealed(file: String, version: Int)

    package var description: String {
        switch self {
        case .environment(let variable): return "env \(variable)"
        case .localFile(let path): return path
        case .sealed(let file, let version): return "\(file) (version \(version))"
        }
    }

    package var version: Int? {
        if case .sealed(_, let version) = self { return version }
        return nil
    }
}

/// One secret a journey uses, opened.
package struct ResolvedSecret: Sendable {
    package let name: SecretName
    package let value: SecretBytes
    package let origin: SecretOrigin
    /// Every place the journey names it.
    package let references: [SourceLocation]
}

/// A journey with every reference it makes turned into a value, ready to run.
package struct ResolvedJourney: Sendable {
    package let journey: Journey
    package let mode: ResolutionMode
    /// Sorted by name; only the names the journey uses.
    package let secrets: [ResolvedSecret]
    /// `{ env: VAR }` values read from the environment.
    package let environmentValues: [String: String]
    /// Variables local resolution read secrets from: kept out of every step's inherited
    /// environment, so a step sees a secret only where the journey passes it.
    package let consumedVariables: Set<String>
    /// Masks every resolved secret value and its encoded forms.
    package let masker: Masker

    package func secret(_ name: SecretName) -> ResolvedSecret? {
        secrets.first { $0.name == name }
    }

    /// A field's value: `.plain` when no secret went into it, `.secret` (wiped bytes) when one did.
    package func render(_ value: JourneyValue) -> RenderedValue {
        switch value {
        case .secret(let name, _):
            return .secret(secret(name)!.value)
        case .environment(let variable, _):
            return .plain(environmentValues[variable] ?? "")
        case .literal(let template):
            return render(template)
        }
    }

    package func render(_ template: Template) -> RenderedValue {
        if let text = template.plainText { return .plain(text) }
        var pieces: [RenderedValue] = []
        for part in template.parts {
            switch part {
            case .text(let text): pieces.append(.plain(text))
            case .secret(let name, _): pieces.append(.secret(secret(name)!.value))
            case .value(let name, _): pieces.append(render(journey.value(named: name)!.value))
            }
        }
        return RenderedValue.joined(pieces)
    }

    /// A field as it may be shown: every secret in it as `***`, so showing it needs no copy
    /// of a value.
    package func shownText(_ value: JourneyValue) -> String {
        switch value {
        case .secret: return Self.shownSecret
        case .environment(let variable, _): return environmentValues[variable] ?? ""
        case .literal(let template): return shownText(template)
        }
    }

    package func shownText(_ template: Template) -> String {
        if let text = template.plainText { return text }
        return template.parts.map { part in
            switch part {
            case .text(let text): return String(text)
            case .secret: return Self.shownSecret
            case .value(let name, _): return shownText(journey.value(named: name)!.value)
            }
        }.joined()
    }

    private static let shownSecret = String(decoding: Masker.replacement, as: UTF8.self)
}

/// A rendered field. Values holding a secret stay in `SecretBytes` until the last moment
/// (a child's environment, a request header).
package enum RenderedValue: Sendable {
    case plain(String)
    case secret(SecretBytes)

    package var holdsSecret: Bool {
        if case .secret = self { return true }
        return false
    }

    /// The text, for a field that holds no secret: a run step's command (the parser refuses
    /// a secret there). An http step's fields go out through `revealBytes`, never as text.
    package func revealText() -> String {
        switch self {
        case .plain(let text): return text
        case .secret(let bytes): return bytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        }
    }

    package func revealBytes() -> SecretBytes {
        switch self {
        case .plain(let text): return SecretBytes(copying: Array(text.utf8))
        case .secret(let bytes): return bytes
        }
    }

    static func joined(_ pieces: [RenderedValue]) -> RenderedValue {
        guard pieces.contains(where: \.holdsSecret) else {
            return .plain(pieces.map { $0.revealText() }.joined())
        }
        let total = pieces.reduce(0) { count, piece in
            switch piece {
            case .plain(let text): return count + text.utf8.count
            case .secret(let bytes): return count + bytes.count
            }
        }
        return .secret(
            SecretBytes(count: total) { buffer in
                var cursor = 0
                for piece in pieces {
                    switch piece {
                    case .plain(let text):
                        let bytes = Array(text.utf8)
                        UnsafeMutableRawBufferPointer(rebasing: buffer[cursor..<cursor + bytes.count]).copyBytes(from: bytes)
                        cursor += bytes.count
                    case .secret(let bytes):
                        bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[cursor..<cursor + $0.count]).copyMemory(from: $0) }
                        cursor += bytes.count
                    }
                }
            })
    }
}

/// Turns a journey's references into values, before anything runs: a missing value is an
/// error here, never an empty string later.
package enum Resolver {
    /// `environment` is where `{ env: VAR }` values come from (the process environment).
    package static func resolve(
        _ journey: Journey, in workspace: Workspace, from source: SecretSource,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ResolveFailure) -> ResolvedJourney {
        var errors: [ResolveError] = []
        let referencesByName = Dictionary(grouping: journey.secretReferences, by: \.name)
        let names = referencesByName.keys.sorted()

        // Every secret must map onto a variable name that is safe to set, in either mode.
        var variables: [SecretName: String] = [:]
        for name in names {
            do { variables[name] = try name.checkedEnvironmentVariable(prefix: workspace.config.envPrefix) } catch {
                errors.append(
                    ResolveError(
                        journey: journey.name, secret: name.rawValue, reference: referencesByName[name]![0].location, reason: .forbiddenVariable(error)))
            }
        }

        var environmentValues: [String: String] = [:]
        for (variable, location) in environmentReferences(in: journey) where environmentValues[variable] == nil {
            if let value = environment[variable] {
                environmentValues[variable] = value
            } else if !errors.contains(where: { $0.environmentVariable == variable }) {
                errors.append(ResolveError(journey: journey.name, secret: nil, reference: location, reason: .missingEnvironment(variable: variable)))
            }
        }

        var resolved: [ResolvedSecret] = []
        var consumed = Set<String>()
        if errors.isEmpty {
            switch source {
            case .local(let localEnvironment):
                resolved = resolveLocal(
                    names, references: referencesByName, variables: variables, journey: journey, workspace: workspace, environment: localEnvironment,
                    consumed: &consumed, errors: &errors)
            case .sealed(let loadKey, let alreadyRead):
                resolved = resolveSealed(
                    names, references: referencesByName, journey: journey, workspace: workspace, loadKey: loadKey, alreadyRead: alreadyRead,
                    errors: &errors)
            }
        }
        guard errors.isEmpty else { throw ResolveFailure(errors: errors) }
        return ResolvedJourney(
            journey: journey, mode: source.mode, secrets: resolved, environmentValues: environmentValues,
            consumedVariables: consumed, masker: Masker(values: resolved.map(\.value)))
    }

    private static func resolveLocal(
        _ names: [SecretName], references: [SecretName: [SecretReference]], variables: [SecretName: String],
        journey: Journey, workspace: Workspace, environment: [String: String],
        consumed: inout Set<String>, errors: inout [ResolveError]
    ) -> [ResolvedSecret] {
        var file: LocalSecrets?
        var resolved: [ResolvedSecret] = []
        for name in names {
            let variable = variables[name]!
            let firstReference = references[name]![0].location
            let locations = references[name]!.map(\.location)
            let problem = { (reason: ResolveError.Reason) in
                ResolveError(journey: journey.name, secret: name.rawValue, reference: firstReference, reason: reason)
            }
            if let text = environment[variable], !text.isEmpty {
                consumed.insert(variable)
                resolved.append(
                    ResolvedSecret(name: name, value: SecretBytes(copying: Array(text.utf8)), origin: .environment(variable: variable), references: locations))
                continue
            }
            if file == nil {
                do { file = try LocalSecrets(workspace: workspace) } catch {
                    errors.append(problem(.localFile(error)))
                    return []
                }
            }
            let localPath = workspace.relative(workspace.localSecretsPath)
            do {
                if let value = try file!.value(for: name) {
                    guard value.count > 0 else {
                        errors.append(problem(.emptyValue(origin: .localFile(path: localPath))))
                        continue
                    }
                    resolved.append(ResolvedSecret(name: name, value: value, origin: .localFile(path: localPath), references: locations))
                } else {
                    errors.append(problem(.noLocalValue(variable: variable, localFile: localPath, variableIsEmpty: environment[variable] != nil)))
                }
            } catch {
                errors.append(problem(.localFile(error)))
            }
        }
        return resolved
    }

    private static func resolveSealed(
        _ names: [SecretName], references: [SecretName: [SecretReference]],
        journey: Journey, workspace: Workspace, loadKey: () throws(KeyLookupError) -> PrivateKey, alreadyRead: [SecretName: SealedFile],
        errors: inout [ResolveError]
    ) -> [ResolvedSecret] {
        guard let first = names.first else { return [] }
        let key: PrivateKey
        do { key = try loadKey() } catch {
            errors.append(
                ResolveError(
                    journey: journey.name, secret: first.rawValue, reference: references[first]![0].location, reason: .key(error, secretCount: names.count)))
            return []
        }
        var resolved: [ResolvedSecret] = []
        for name in names {
            let firstReference = references[name]![0].location
            do {
                let file: SealedFile
                if let read = alreadyRead[name] { file = read } else { file = try workspace.readSealed(name) }
                let value = try workspace.openSecret(name, from: file, with: key)
                let origin = SecretOrigin.sealed(file: workspace.relative(workspace.sealedPath(name)), version: file.version)
                guard value.count > 0 else {
                    errors.append(ResolveError(journey: journey.name, secret: name.rawValue, reference: firstReference, reason: .emptyValue(origin: origin)))
                    continue
                }
                resolved.append(ResolvedSecret(name: name, value: value, origin: origin, references: references[name]!.map(\.location)))
            } catch {
                errors.append(ResolveError(journey: journey.name, secret: name.rawValue, reference: firstReference, reason: .store(error)))
            }
        }
        return resolved
    }

    /// Every `{ env: VAR }` the journey reads, with where.
    static func environmentReferences(in journey: Journey) -> [(String, SourceLocation)] {
        var fields = journey.values.map(\.value)
        for step in journey.steps {
            switch step.kind {
            case .run(let run): fields += run.environment.map(\.value)
            case .http(let http): fields += [http.url] + http.headers.map(\.value) + (http.body.map { [$0] } ?? [])
            }
        }
        return fields.compactMap { field in
            if case .environment(let variable, let location) = field { return (variable, location) }
            return nil
        }
    }
}

/// Why a reference could not be resolved. Names the journey, the reference's place, the secret
/// and the fix; never a value.
package struct ResolveError: UserFacingError, Sendable {
    package enum Reason: Sendable {
        case noLocalValue(variable: String, localFile: String, variableIsEmpty: Bool)
        case emptyValue(origin: SecretOrigin)
        case missingEnvironment(variable: String)
        case forbiddenVariable(WorkspaceError)
        case localFile(WorkspaceError)
        case store(WorkspaceError)
        case key(KeyLookupError, secretCount: Int)
    }

    package var journey: String
    package var secret: String?
    package var reference: SourceLocation
    package var reason: Reason

    var environmentVariable: String? {
        if case .missingEnvironment(let variable) = reason { return variable }
        return nil
    }

    package var message: String {
        let subject = secret.map { "journey '\(journey)': secret '\($0)' (\(reference))" } ?? "journey '\(journey)' (\(reference))"
        switch reason {
        case .noLocalValue(let variable, let localFile, let variableIsEmpty):
            let empty = variableIsEmpty ? " (\(variable) is set but empty)" : ""
            return
                "\(subject) has no local value\(empty): set \(variable), or add '\(secret ?? ""): VALUE' to \(localFile) (git-ignored); or run with --sealed and a private key"
        case .emptyValue(let origin):
            return "\(subject) is empty in \(origin); an empty secret is refused: put the real value there"
        case .missingEnvironment(let variable):
            return "\(subject) reads environment variable \(variable), which is not set: set it before running"
        case .forbiddenVariable(let error), .localFile(let error):
            return "\(subject): \(error)"
        case .store(let error):
            return "\(subject): \(error)"
        case .key(let error, let count):
            let needs = count == 1 ? "needs it" : "needs it and \(count - 1) more"
            return "\(subject) \(needs) from the sealed store: \(error); for a run on your own machine use --local"
        }
    }
}

/// Every reference that failed to resolve; nothing ran.
package struct ResolveFailure: UserFacingError, Sendable {
    package var errors: [ResolveError]

    package var message: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
