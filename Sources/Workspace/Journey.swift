/// A journey: an automated flow read from `journeys/*.yaml` (DESIGN §3). It holds references
/// to credentials by name, never their values; every part remembers where it was written.
public struct Journey: Sendable, Equatable {
    public var name: String
    public var description: String
    /// The file, relative to the workspace (for messages).
    public var file: String
    /// The "Values panel", in the order written.
    public var values: [NamedValue]
    public var steps: [JourneyStep]

    public init(name: String, description: String, file: String, values: [NamedValue], steps: [JourneyStep]) {
        self.name = name
        self.description = description
        self.file = file
        self.values = values
        self.steps = steps
    }

    public func value(named name: String) -> NamedValue? {
        values.first { $0.name == name }
    }

    /// Every place the journey names a secret, directly or in `${{ secrets.NAME }}`, in file order.
    public var secretReferences: [SecretReference] {
        var references: [SecretReference] = []
        for value in values { references += value.value.secretReferences }
        for step in steps { references += step.secretReferences }
        return references
    }

    /// The distinct secret names the journey uses, sorted.
    public var secretNames: [SecretName] {
        Array(Set(secretReferences.map(\.name))).sorted()
    }
}

/// One place a secret is named, with where.
public struct SecretReference: Sendable, Equatable {
    public var name: SecretName
    public var location: SourceLocation

    public init(name: SecretName, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

/// An entry of `values:`.
public struct NamedValue: Sendable, Equatable {
    public var name: String
    public var value: JourneyValue
    public var location: SourceLocation
}

/// What a field holds: a literal (which may interpolate), `{ secret: NAME }` or `{ env: VAR }`.
public enum JourneyValue: Sendable, Equatable {
    case literal(Template)
    case secret(SecretName, SourceLocation)
    case environment(String, SourceLocation)

    public var location: SourceLocation {
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
public struct Template: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case text(String)
        case value(String, SourceLocation)
        case secret(SecretName, SourceLocation)
    }

    public var parts: [Part]
    public var location: SourceLocation

    public init(parts: [Part], location: SourceLocation) {
        self.parts = parts
        self.location = location
    }

    /// The text when nothing is interpolated.
    public var plainText: String? {
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
public struct JourneyStep: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case run(RunStep)
        case http(HTTPStep)
    }

    public var name: String
    public var kind: Kind
    /// How long the step may take before it is stopped and fails.
    public var timeout: Duration
    public var location: SourceLocation

    public static let defaultRunTimeout = Duration.seconds(600)
    public static let defaultHTTPTimeout = Duration.seconds(30)

    public var kindName: String {
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
public struct RunStep: Sendable, Equatable {
    public var command: Template
    public var environment: [EnvironmentEntry]
}

/// One `env:` entry of a run step.
public struct EnvironmentEntry: Sendable, Equatable {
    public var name: String
    public var value: JourneyValue
    public var location: SourceLocation
}

/// `http:` — one request and what its response must look like.
public struct HTTPStep: Sendable, Equatable {
    public var method: String
    public var url: JourneyValue
    public var headers: [Header]
    public var body: JourneyValue?
    public var expect: Expectation

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: JourneyValue
        public var location: SourceLocation
    }

    /// Without `expect`, any 2xx status passes.
    public struct Expectation: Sendable, Equatable {
        public var statuses: [Int]?
        public var bodyContains: [String]

        public init(statuses: [Int]? = nil, bodyContains: [String] = []) {
            self.statuses = statuses
            self.bodyContains = bodyContains
        }

        public func accepts(status: Int) -> Bool {
            statuses.map { $0.contains(status) } ?? (200...299).contains(status)
        }
    }

    public static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
}
