import Foundation
import Sealing
import Workspace

/// `journey ui`: the pages and the JSON API over one workspace (DESIGN §10). Every request
/// passes `AccessControl` first; every response carries `SecurityHeaders`. No handler puts a
/// value into a response, a log line or an error: values only go in (POST/PUT of a secret)
/// and are sealed at once.
package final class AdminApp: Sendable {
    let workspace: Workspace
    let access: AccessControl
    let index: WorkspaceIndex
    let runs: RunBook
    let changes: ChangeBook
    let secretsAnswer = CachedAnswer()
    let recipientsAnswer = CachedAnswer()
    let schemaAnswer = CachedAnswer()
    let saveLock = NSLock()
    let log: @Sendable (String) -> Void

    init(workspace: Workspace, access: AccessControl, executable: String, log: @escaping @Sendable (String) -> Void) {
        self.workspace = workspace
        self.access = access
        self.log = log
        index = WorkspaceIndex(workspace: workspace)
        runs = RunBook(workspace: workspace, executable: executable)
        changes = ChangeBook(workspace: workspace, executable: executable)
    }

    /// Binds 127.0.0.1:`port`, then serves until the process ends. `ready` gets the URL to open
    /// (with the token) before the first request is accepted.
    package static func serve(
        workspace: Workspace, port: UInt16, executable: String, ready: (String) -> Void, log: @escaping @Sendable (String) -> Void
    ) throws(AdminUIError) -> Never {
        let box = AppBox()
        let server = try HTTPServer(port: port) { request in box.app!.handle(request) }
        let app = AdminApp(workspace: workspace, access: AccessControl(port: server.port), executable: executable, log: log)
        box.app = app
        ready("http://127.0.0.1:\(server.port)/?token=\(app.access.token)")
        server.serveForever()
    }

    /// The last answer built from the index, reused while no file it depends on changed (the
    /// Secrets list of a thousand secrets costs more to encode than to check).
    final class CachedAnswer: @unchecked Sendable {
        private let lock = NSLock()
        private var key: (generation: Int, scope: String)?
        private var response: HTTPResponse?

        /// `read` takes from the index every file the answer shows, which brings it up to date;
        /// `build` makes the answer of what `read` returned, given the generation read before
        /// `read` ran. The answer is cached under that earlier generation: a snapshot is at
        /// least as new as it, so a change another request notices meanwhile (and counts) makes
        /// the next request rebuild rather than keep an older snapshot under a newer count.
        /// `scope` names what the answer lists (an environment's store is another answer).
        func answer<Snapshot>(
            index: WorkspaceIndex, scope: String, read: () throws -> Snapshot, build: (Snapshot, _ generation: Int) throws -> HTTPResponse
        ) throws -> HTTPResponse {
            let before = index.generation
            let snapshot = try read()
            let current = (index.generation, scope)
            if let response = lock.withLock({ key.map { $0.generation == current.0 && $0.scope == current.1 } == true ? self.response : nil }) {
                return response
            }
            let fresh = try build(snapshot, before)
            lock.withLock {
                key = (before, scope)
                response = fresh
            }
            return fresh
        }
    }

    private final class AppBox: @unchecked Sendable { var app: AdminApp? }

    /// Where the login redirect goes: the page asked for when it is one of ours, spelled in
    /// plain path characters; else `/secrets`. Never "//host", "/\\host" (browsers read a
    /// backslash as a slash) or anything else a browser could take off this server.
    static func landing(after path: String) -> String {
        let plain = path.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-._~%/".unicodeScalars.contains($0))
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard plain, segments.count >= 2, segments[0].isEmpty, Pages.names.contains(String(segments[1])), !path.contains("//") else { return "/secrets" }
        return path
    }

    // MARK: Dispatch

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        var response: HTTPResponse
        switch access.check(request) {
        case .refused(let status, let message):
            response =
                request.path.hasPrefix("/api/") || request.header("accept")?.contains("text/html") != true
                ? json(status, ["error": message]) : Pages.refused(status: status, message: message)
        case .setCookie:
            response = HTTPResponse(
                status: 303,
                headers: [
                    ("Location", Self.landing(after: request.path)),
                    ("Set-Cookie", "\(access.cookieName)=\(access.token); HttpOnly; SameSite=Strict; Path=/"),
                ])
        case .allowed:
            do {
                response = try route(request)
            } catch let error as AdminUIError {
                response = errorResponse(error)
            } catch let error as WorkspaceError {
                response = json(Self.status(of: error), ["error": error.description])
            } catch let refusal as JourneyEditor.LeakRefusal {
                response = encoded(422, refusal)
            } catch let refusal as ChangeBook.CommitRefusal {
                response = encoded(422, refusal)
            } catch {
                response = json(500, ["error": "internal error: \(type(of: error))"])
            }
        }
        response.headers += SecurityHeaders.all
        // Method and path are the client's text: no terminal escapes reach the server's log.
        log("\(AccessControl.printable(request.method)) \(AccessControl.printable(request.path)) \(response.status)")
        return response
    }

    private func route(_ request: HTTPRequest) throws -> HTTPResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
        let method = request.method
        switch (method, parts.first) {
        case ("GET", nil), ("HEAD", nil):
            return HTTPResponse(status: 303, headers: [("Location", "/secrets")])
        case ("GET", "assets"):
            return try Assets.response(parts.dropFirst().joined(separator: "/"))
        case ("GET", let page?) where Pages.names.contains(page):
            return Pages.shell(page: page, csrf: access.csrfToken, workspaceName: workspace.config.name)
        case (_, "api"):
            return try api(request, Array(parts.dropFirst()))
        default:
            throw AdminUIError.notFound("no page \(AccessControl.printable(request.path))")
        }
    }

    private func api(_ request: HTTPRequest, _ parts: [String]) throws -> HTTPResponse {
        switch (request.method, parts.first, parts.count) {
        case ("GET", "session", 1):
            return encoded(
                200,
                Session(
                    csrf: access.csrfToken, workspace: workspace.config.name, root: workspace.root,
                    environments: workspace.config.environments.map(\.rawValue)))
        case ("GET", "schema", 1):
            let stores = workspace.everyEnvironment()
            return try schemaAnswer.answer(index: index, scope: "schema") {
                try stores.map { store in try index.sealedFiles(in: store) }
            } build: { sealed, _ in
                let text = try JourneySchema.text(secrets: JourneySchema.secrets(in: sealed))
                return HTTPResponse(status: 200, headers: [("Content-Type", "application/schema+json")], body: .bytes(Array(text.utf8)))
            }
        case (_, "secrets", _):
            return try SecretsAPI(app: self).handle(request, Array(parts.dropFirst()))
        case (_, "recipients", _):
            return try RecipientsAPI(app: self).handle(request, Array(parts.dropFirst()))
        case (_, "journeys", _):
            return try JourneysAPI(app: self).handle(request, Array(parts.dropFirst()))
        case (_, "runs", _):
            return try JourneysAPI(app: self).runs(request, Array(parts.dropFirst()))
        case ("GET", "changes", 1):
            return encoded(200, ["files": try changes.changes()])
        case ("POST", "changes", 2) where parts[1] == "commit":
            let body = try RequestJSON(request.body)
            let commit = try changes.commit(message: body.text("message") ?? "")
            return json(200, ["commit": commit])
        default:
            throw AdminUIError.notFound("no API \(request.method) /api/\(parts.joined(separator: "/"))")
        }
    }

    struct Session: Encodable {
        var csrf: String
        var workspace: String
        var root: String
        /// The workspace's environments (empty: the flat layout); the pages offer a choice.
        var environments: [String]
    }

    /// The store a secrets or recipients request reads and writes: `?env=E` (else an `env`
    /// field of the body). A workspace with environments needs one (the error lists them);
    /// a flat workspace refuses one, so a script never writes to the wrong place.
    func store(for request: HTTPRequest, body: RequestJSON? = nil) throws -> Workspace {
        let fromQuery = request.query["env"].flatMap { $0.isEmpty ? nil : $0 }
        let fromBody = body?.text("env").flatMap { $0.isEmpty ? nil : $0 }
        if let fromQuery, let fromBody, fromQuery != fromBody {
            throw AdminUIError.badRequest(
                "the environment is '\(AccessControl.printable(fromQuery))' in the URL but '\(AccessControl.printable(fromBody))' in the body", fix: "give one")
        }
        guard let name = fromQuery ?? fromBody else {
            try workspace.requireEnvironmentChosen()
            return workspace
        }
        return try workspace.selecting(EnvironmentName(name))
    }

    // MARK: Responses

    func json(_ status: Int, _ object: [String: String]) -> HTTPResponse {
        encoded(status, object)
    }

    func encoded<Value: Encodable>(_ status: Int, _ value: Value) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{\"error\":\"cannot encode the answer\"}".utf8)
        return HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: .bytes(Array(data)))
    }

    func errorResponse(_ error: AdminUIError) -> HTTPResponse {
        switch error {
        case .request(let status, let message, let fix): return json(status, ["error": message, "fix": fix])
        case .edit(let message): return json(422, ["error": message])
        case .server(let message): return json(500, ["error": message])
        }
    }

    static func status(of error: WorkspaceError) -> Int {
        switch error {
        case .unknownSecret, .unknownRecipient, .notFound: return 404
        case .secretExists, .recipientExists, .secretInUse: return 409
        case .invalidSecretName, .forbiddenVariable, .malformed, .environmentRequired, .unknownEnvironment, .invalidEnvironmentName: return 400
        default: return 500
        }
    }
}
