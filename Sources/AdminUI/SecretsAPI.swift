import Diagnostics
import Foundation
import Sealing
import Workspace

/// `/api/secrets` and `/api/recipients`: the Secrets management and Recipients pages.
struct SecretsAPI {
    let app: AdminApp

    struct Summary: Encodable {
        var name: String
        var description: String
        var version: Int
        var updated: String
        var recipients: [String]
        var usedBy: [String]
        var problem: String?
    }

    func handle(_ request: HTTPRequest, _ parts: [String]) throws -> HTTPResponse {
        switch (request.method, parts.count) {
        case ("GET", 0):
            let workspace = try app.store(for: request)
            return try app.secretsAnswer.answer(index: app.index, scope: workspace.secretsFolder) {
                (journeys: app.index.journeys(), sealed: try app.index.sealedFiles(in: workspace), recipients: try app.index.recipients(in: workspace))
            } build: { read, generation in
                let usage = app.index.usage(of: read.journeys, asOf: generation, in: workspace.environment)
                let recipientNames = Self.recipientNames(read.recipients)
                let list = read.sealed.map { name, result in
                    Self.summary(name, result, usedBy: usage[name.rawValue] ?? [], recipientNames: recipientNames)
                }
                return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: .bytes(Array(Self.json(list).utf8)))
            }
        case ("GET", 1) where parts[0] == "check-name":
            let workspace = try app.store(for: request)
            return app.json(200, ["problem": Self.nameProblem(request.query["name"] ?? "", in: workspace) ?? ""])
        case ("POST", 0):
            var body = try RequestJSON(request.body)
            defer { body.wipe() }
            let workspace = try app.store(for: request, body: body)
            let name = try Self.validName(body.text("name") ?? "", in: workspace)
            guard let value = body.secret("value"), value.count > 0 else { throw AdminUIError.badRequest("the value is empty; an empty secret is refused") }
            guard value.count <= 64 * 1024 else { throw AdminUIError.badRequest("the value is larger than 64 KiB") }
            let file = try workspace.addSecret(name, value: value, description: body.text("description") ?? "")
            app.log("sealed secret \(name) version \(file.version)\(Self.suffix(workspace))")
            return app.encoded(201, try summary(name, in: workspace))
        case ("PUT", 2) where parts[1] == "value":
            let name = try SecretName(parts[0])
            var body = try RequestJSON(request.body)
            defer { body.wipe() }
            let workspace = try app.store(for: request, body: body)
            let current = try workspace.readSealed(name)
            guard let value = body.secret("value"), value.count > 0 else {
                throw AdminUIError.badRequest("the value is empty; an empty secret is refused (version \(current.version) is unchanged)")
            }
            guard value.count <= 64 * 1024 else { throw AdminUIError.badRequest("the value is larger than 64 KiB") }
            let file = try workspace.updateSecret(name, value: value)
            app.log("rotated secret \(name): version \(current.version) → \(file.version)\(Self.suffix(workspace))")
            return app.encoded(200, try summary(name, in: workspace))
        case ("PATCH", 1):
            let name = try SecretName(parts[0])
            let body = try RequestJSON(request.body)
            let workspace = try app.store(for: request, body: body)
            let description = body.text("description") ?? ""
            guard description.count <= 2000 else { throw AdminUIError.badRequest("the description is longer than 2,000 characters") }
            try workspace.describeSecret(name, description: description)
            return app.encoded(200, try summary(name, in: workspace))
        case ("DELETE", 1):
            let name = try SecretName(parts[0])
            let workspace = try app.store(for: request)
            guard workspace.hasSecret(name) else { throw WorkspaceError.unknownSecret(name.rawValue, path: workspace.relative(workspace.sealedPath(name))) }
            let users = SecretUses.scan(workspace).filter { $0.secret == name.rawValue }
            if !users.isEmpty {
                let journeys = Array(Set(users.map(\.journey))).sorted()
                return app.encoded(
                    409,
                    [
                        "error": "secret '\(name)' is used by \(journeys.joined(separator: ", ")); it cannot be removed while a journey references it",
                        "fix":
                            "change those journeys to another reference first (or use 'journey secret remove \(ShellWord.quoted(name.rawValue))\(workspace.envFlag) --force')",
                        "journeys": journeys.joined(separator: "\n"),
                    ])
            }
            try workspace.removeSecret(name)
            app.log("removed secret \(name)\(Self.suffix(workspace))")
            return HTTPResponse(status: 204)
        default:
            throw AdminUIError.notFound("no API \(request.method) /api/secrets/\(parts.joined(separator: "/"))")
        }
    }

    /// ` in ENV` for log lines, or nothing in a flat workspace.
    static func suffix(_ store: Workspace) -> String {
        store.environment.map { " in \($0)" } ?? ""
    }

    /// Recipient names by key id.
    static func recipientNames(_ recipients: [Recipient]) -> [KeyID: String] {
        Dictionary(recipients.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    static func summary(_ name: SecretName, _ result: Result<SealedFile, WorkspaceError>, usedBy: [String], recipientNames: [KeyID: String]) -> Summary {
        switch result {
        case .success(let file):
            return Summary(
                name: name.rawValue, description: file.description, version: file.version, updated: file.updated,
                recipients: file.sealed.wraps.map { recipientNames[$0.keyID] ?? (file.recipientNames[$0.keyID].map { "\($0) (removed)" } ?? $0.keyID.hex) },
                usedBy: usedBy, problem: nil)
        case .failure(let error):
            return Summary(name: name.rawValue, description: "", version: 0, updated: "", recipients: [], usedBy: usedBy, problem: error.description)
        }
    }

    /// `{"secrets": [...]}` written directly: JSONEncoder takes longer than everything else
    /// in the answer for a thousand secrets.
    static func json(_ list: [Summary]) -> String {
        var out = "{\"secrets\":["
        for (index, item) in list.enumerated() {
            if index > 0 { out += "," }
            out += "{\"name\":" + JSONText.string(item.name) + ",\"description\":" + JSONText.string(item.description)
            out += ",\"version\":\(item.version),\"updated\":" + JSONText.string(item.updated)
            out += ",\"recipients\":[" + item.recipients.map(JSONText.string).joined(separator: ",") + "]"
            out += ",\"usedBy\":[" + item.usedBy.map(JSONText.string).joined(separator: ",") + "]"
            if let problem = item.problem { out += ",\"problem\":" + JSONText.string(problem) }
            out += "}"
        }
        return out + "]}"
    }

    /// One secret's entry, as the list shows it: its sealed file alone is read (through the
    /// index, which the write just made stale), not the whole list.
    func summary(_ name: SecretName, in workspace: Workspace) throws -> Summary {
        guard let result = try app.index.sealedFile(name, in: workspace) else {
            throw WorkspaceError.unknownSecret(name.rawValue, path: workspace.relative(workspace.sealedPath(name)))
        }
        let usedBy = app.index.usage(in: workspace.environment)[name.rawValue] ?? []
        return Self.summary(name, result, usedBy: usedBy, recipientNames: Self.recipientNames(try app.index.recipients(in: workspace)))
    }

    /// The CLI's rule and message for a new name: the name's form, a usable variable name, not taken.
    static func nameProblem(_ text: String, in workspace: Workspace) -> String? {
        do {
            _ = try validName(text, in: workspace)
            return nil
        } catch {
            return "\(error)"
        }
    }

    static func validName(_ text: String, in workspace: Workspace) throws -> SecretName {
        let name = try SecretName(text)
        _ = try name.checkedEnvironmentVariable(prefix: workspace.config.envPrefix)
        guard !workspace.hasSecret(name) else { throw WorkspaceError.secretExists(text, path: workspace.relative(workspace.sealedPath(name))) }
        return name
    }
}

struct RecipientsAPI {
    let app: AdminApp

    struct Entry: Encodable {
        var name: String
        var id: String
        var key: String
        var added: String
        var secrets: Int
    }

    func handle(_ request: HTTPRequest, _ parts: [String]) throws -> HTTPResponse {
        let workspace = try app.store(for: request)
        switch (request.method, parts.count) {
        case ("GET", 0):
            return try app.recipientsAnswer.answer(index: app.index, scope: workspace.recipientsPath) {
                (sealed: try app.index.sealedFiles(in: workspace), recipients: try app.index.recipients(in: workspace))
            } build: { read, _ in
                var readable: [KeyID: Int] = [:]
                for file in read.sealed.compactMap({ try? $0.result.get() }) {
                    for keyID in Set(file.sealed.wraps.map(\.keyID)) { readable[keyID, default: 0] += 1 }
                }
                let list = read.recipients.map { recipient in
                    Entry(name: recipient.name, id: recipient.id.hex, key: recipient.key.text, added: recipient.added, secrets: readable[recipient.id] ?? 0)
                }
                return app.encoded(200, ["recipients": list])
            }
        case ("POST", 0):
            let body = try RequestJSON(request.body)
            let name = try Self.recipientName(body.text("name") ?? "")
            let key: PublicKey
            do { key = try PublicKey(text: (body.text("key") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
                throw AdminUIError.badRequest(
                    "not a journey public key: \(error)", fix: "paste the line 'journey keys generate' printed (it starts with \(PublicKey.textPrefix))")
            }
            try workspace.addRecipient(name: name, key: key)
            return app.json(
                201,
                [
                    "name": name, "id": key.id.hex,
                    "next":
                        "run 'journey secret rekey --all\(workspace.envFlag)' with a key that opens the secrets, so the new recipient can read them",
                ])
        case ("DELETE", 1):
            let (removed, readable) = try workspace.removeRecipient(name: parts[0])
            return app.encoded(
                200,
                RemoveAnswer(
                    removed: removed.name, rotate: readable.map(\.rawValue),
                    next: readable.isEmpty
                        ? "no secret was readable by this key"
                        : "this key could read \(readable.count) secret(s): rotate each (Update value) so the old values stop working"))
        default:
            throw AdminUIError.notFound("no API \(request.method) /api/recipients/\(parts.joined(separator: "/"))")
        }
    }

    /// A recipient name by the one rule every way in applies (`RecipientName`): a name travels
    /// into key file names, pasted command lines and every sealed file.
    static func recipientName(_ text: String) throws(AdminUIError) -> String {
        let name = text.trimmingCharacters(in: .whitespaces)
        if let problem = RecipientName.problem(name) {
            throw .badRequest(problem, fix: "for example 'alice', 'ci-runner' or 'ada@example.com'")
        }
        return name
    }

    struct RemoveAnswer: Encodable {
        var removed: String
        var rotate: [String]
        var next: String
    }
}

/// JSON string literals, as JSONEncoder writes them (without escaping '/').
enum JSONText {
    static func string(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
