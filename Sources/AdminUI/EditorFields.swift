import Workspace

/// One editable field of a journey, as the editor shows it: where it is (`path`), what source
/// its value has and the text of that source. Built from the parsed `Journey`; positions come
/// from `JourneyTextEdit` when a field is saved.
struct EditorField: Equatable, Encodable {
    enum Source: String, Encodable {
        case literal, secret, env
    }

    /// Dotted address: `values.NAME`, `steps.N.run`, `steps.N.env.VAR`, `steps.N.http.url`,
    /// `steps.N.http.headers.NAME`, `steps.N.http.method`, `steps.N.http.body` (N from 0).
    var path: String
    var label: String
    var source: Source
    /// The literal's text, the secret's name, or the variable's name.
    var text: String
    /// Which sources this field may take (a command line never takes a secret).
    var sources: [Source]
    /// The field's name suggests a credential: a literal here is what the leak check blocks.
    var credential: Bool
    /// False for a value the file does not spell out (an http step's default method).
    var editable = true
}

/// A step as the editor shows it.
struct EditorStep: Encodable, Equatable {
    var index: Int
    var name: String
    var kind: String
    var fields: [EditorField]
    /// `expect` and `timeout`, shown as written (edited in the file).
    var notes: [String]
}

enum EditorFields {
    static let allSources: [EditorField.Source] = [.literal, .secret, .env]

    static func values(of journey: Journey) -> [EditorField] {
        journey.values.map { field(path: "values.\($0.name)", label: $0.name, value: $0.value, sources: allSources) }
    }

    static func steps(of journey: Journey) -> [EditorStep] {
        journey.steps.enumerated().map { index, step in
            var fields: [EditorField] = []
            var notes: [String] = []
            let base = "steps.\(index)"
            switch step.kind {
            case .run(let run):
                fields.append(field(path: base + ".run", label: "command", value: .literal(run.command), sources: [.literal]))
                for entry in run.environment {
                    fields.append(field(path: base + ".env.\(entry.name)", label: "env \(entry.name)", value: entry.value, sources: allSources))
                }
            case .http(let http):
                fields.append(
                    EditorField(
                        path: base + ".http.method", label: "method", source: .literal, text: http.method, sources: [.literal], credential: false))
                fields.append(field(path: base + ".http.url", label: "url", value: http.url, sources: allSources))
                for header in http.headers {
                    fields.append(field(path: base + ".http.headers.\(header.name)", label: "header \(header.name)", value: header.value, sources: allSources))
                }
                if let body = http.body { fields.append(field(path: base + ".http.body", label: "body", value: body, sources: allSources)) }
                if let statuses = http.expect.statuses { notes.append("expect status: " + statuses.map(String.init).joined(separator: ", ")) }
                if !http.expect.bodyContains.isEmpty { notes.append("expect body contains: " + http.expect.bodyContains.joined(separator: " · ")) }
            }
            let defaultTimeout = step.kindName == "run" ? JourneyStep.defaultRunTimeout : JourneyStep.defaultHTTPTimeout
            if step.timeout != defaultTimeout { notes.append("timeout: \(step.timeout)") }
            return EditorStep(index: index, name: step.name, kind: step.kindName, fields: fields, notes: notes)
        }
    }

    static func all(of journey: Journey) -> [EditorField] {
        values(of: journey) + steps(of: journey).flatMap(\.fields)
    }

    private static func field(path: String, label: String, value: JourneyValue, sources: [EditorField.Source]) -> EditorField {
        let credential = CredentialNames.looksLikeCredential(label)
        switch value {
        case .literal(let template):
            return EditorField(path: path, label: label, source: .literal, text: text(of: template), sources: sources, credential: credential)
        case .secret(let name, _):
            return EditorField(path: path, label: label, source: .secret, text: name.rawValue, sources: sources, credential: credential)
        case .environment(let variable, _):
            return EditorField(path: path, label: label, source: .env, text: variable, sources: sources, credential: credential)
        }
    }

    /// The template as written, with its interpolations spelled back.
    static func text(of template: Template) -> String {
        template.parts.map { part in
            switch part {
            case .text(let text): return text
            case .value(let name, _): return "${{ values.\(name) }}"
            case .secret(let name, _): return "${{ secrets.\(name) }}"
            }
        }.joined()
    }
}

/// Field names that say "credential": the editor suggests a secret reference for them.
enum CredentialNames {
    static let words = ["password", "passwd", "secret", "token", "api_key", "api-key", "apikey", "authorization", "credential", "private", "auth"]

    static func looksLikeCredential(_ label: String) -> Bool {
        let lower = label.lowercased()
        return words.contains { lower.contains($0) }
    }
}
