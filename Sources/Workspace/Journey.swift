/// A journey: an automated flow read from `journeys/*.yaml` (DESIGN §3). It holds references
/// to credentials by name, never their values; every part remembers where it was written.
package struct Journey: Sendable, Equatable {
    package var name: String
    package var description: String
    /// The file, relative to the workspace (for messages).
    package var file: String
    /// The "Values panel", in the order written.
    package var values: [NamedValue]
    package var steps: [JourneyStep]
    /// The environments it runs in (`environments:`); nil: every environment of the workspace.
    package var environments: [EnvironmentName]?

    package init(name: String, description: String, file: String, values: [NamedValue], steps: [JourneyStep], environments: [EnvironmentName]? = nil) {
        self.name = name
        self.environments = environments
        self.description = description
        self.file = file
        self.values = values
        self.steps = steps
    }

    package func value(named name: String) -> NamedValue? {
        values.first { $0.name == name }
    }

    /// Every place the journey names a secret, directly or in `${{ secrets.NAME }}`, in file order.
    package var secretReferences: [SecretReference] {
        var references: [SecretReference] = []
        for value in values { references += value.value.secretReferences }
        for step in steps { references += step.secretReferences }
        return references
    }

    /// The distinct secret names the journey uses, sorted.
    package var secretNames: [SecretName] {
        Array(Set(secretReferences.map(\.name))).sorted()
    }
}

/// One place a secret is named, with where.
package struct SecretReference: Sendable, Equatable {
    package var name: SecretName
    package var location: SourceLocation

    package init(name: SecretName, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

/// An entry of `values:`.
package struct NamedValue: Sendable, Equatable {
    package var name: String
    package var value: JourneyValue
    package var location: SourceLocation
}

/// What a field holds: a literal (which may interpolate), `{ secret: NAME }` or `{ env: VAR }`.
package enum JourneyValue: Sendable, Equatable {
    case literal(Template)
    case secret(SecretName, SourceLocation)
    case environment(String, SourceLocation)

    package var location: SourceLocation {
        switch self {
        case .literal(let template): return template.location
        case .secret(_, let location), .environment(_, let location): return location
        }
    }

    var secretReferences: [SecretReference] {
        switch self {
        case .literal(let template): return template.secretReferences
        case .secret(let name, let location): return [SecretReference(name: name, location: location)]
        case .environment: return []
        }
    }
}

/// A string with `${{ values.X }}` and `${{ secrets.NAME }}` parts.
package struct Template: Sendable, Equatable {
    package enum Part: Sendable, Equatable {
        case text(String)
        case value(String, SourceLocation)
        case secret(SecretName, SourceLocation)
    }

    package var parts: [Part]
    package var location: SourceLocation

    package init(parts: [Part], location: SourceLocation) {
        self.parts = parts
        self.location = location
    }

    /// The text when nothing is interpolated.
    package var plainText: String? {
        var text = ""
        for part in parts {
            guard case .text(let piece) = part else { return nil }
            text += piece
        }
        return text
    }

    var secretReferences: [SecretReference] {
        parts.compactMap { part in
            if case .secret(let name, let location) = part { return SecretReference(name: name, location: location) }
            return nil
        }
    }

    /// Names of `values` this template interpolates, with where.
    var valueReferences: [(name: String, location: SourceLocation)] {
        parts.compactMap { part in
            if case .value(let name, let location) = part { return (name, location) }
            return nil
        }
    }
}

/// One step: a shell command or an HTTP request.
package struct JourneyStep: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case run(RunStep)
        case http(HTTPStep)
    }

    package var name: String
    package var kind: Kind
    /// How long the step may take before it is stopped and fails.
    package var timeout: Duration
    package var location: SourceLocation

    package static let defaultRunTimeout = Duration.seconds(600)
    package static let defaultHTTPTimeout = Duration.seconds(30)

    package var kindName: String {
        switch kind {
        case .run: return "run"
        case .http: return "http"
        }
    }

    var secretReferences: [SecretReference] {
        switch kind {
        case .run(let run):
            return run.command.secretReferences + run.environment.flatMap(\.value.secretReferences)
        case .http(let http):
            return [http.url].flatMap(\.secretReferences) + http.headers.flatMap(\.value.secretReferences)
                + (http.body?.secretReferences ?? [])
        }
    }
}

/// `run:` — a command for `/bin/sh -c`, run in the workspace with `env` added.
package struct RunStep: Sendable, Equatable {
    package var command: Template
    package var environment: [EnvironmentEntry]
}

/// One `env:` entry of a run step.
package struct EnvironmentEntry: Sendable, Equatable {
    package var name: String
    package var value: JourneyValue
    package var location: SourceLocation
}

/// `http:` — one request and what its response must look like.
package struct HTTPStep: Sendable, Equatable {
    package var method: String
    package var url: JourneyValue
    package var headers: [Header]
    package var body: JourneyValue?
    package var expect: Expectation

    package struct Header: Sendable, Equatable {
        package var name: String
        package var value: JourneyValue
        package var location: SourceLocation
    }

    /// Without `expect`, any 2xx status passes.
    package struct Expectation: Sendable, Equatable {
        package var statuses: [Int]?
        package var bodyContains: [String]

        package init(statuses: [Int]? = nil, bodyContains: [String] = []) {
            self.statuses = statuses
            self.bodyContains = bodyContains
        }

        package func accepts(status: Int) -> Bool {
            statuses.map { $0.contains(status) } ?? (200...299).contains(status)
        }
    }

    package static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
}
