import Diagnostics
import FileIO
import Foundation
import Workspace

/// `/api/journeys` and `/api/runs`: the Journeys list, the editor and the Runs page.
struct JourneysAPI {
    let app: AdminApp
    var workspace: Workspace { app.workspace }

    struct ListEntry: Encodable {
        var id: String
        var file: String
        var name: String
        var description: String
        var steps: Int
        var secrets: [String]
        var problems: [ProblemJSON]
    }

    func handle(_ request: HTTPRequest, _ parts: [String]) throws -> HTTPResponse {
        switch (request.method, parts.count) {
        case ("GET", 0):
            return app.encoded(200, ["journeys": list()])
        case ("GET", 1):
            let (path, file) = try locate(parts[0])
            return app.encoded(200, JourneyEditor.document(id: parts[0], file: file, text: try read(path)))
        case ("PUT", 1):
            let (path, file) = try locate(parts[0])
            let (edits, revision) = try Self.edits(from: request.body)
            // One save at a time: read, verify and write must not interleave.
            let newText = try app.saveLock.withLock { () throws -> String in
                let text = try read(path)
                if let revision, revision != JourneyEditor.revision(of: text) {
                    throw AdminUIError.conflict("\(file) changed since the page opened it", fix: "reload the page and make the edit again")
                }
                let newText = try JourneyEditor.edited(edits, id: parts[0], file: file, text: text)
                if newText != text {
                    try AtomicFile.write(Array(newText.utf8), to: path)
                    app.log("saved \(file) (\(edits.count) field(s))")
                }
                return newText
            }
            return app.encoded(200, JourneyEditor.document(id: parts[0], file: file, text: newText))
        case ("POST", 2) where parts[1] == "runs":
            let (path, _) = try locate(parts[0])
            let body = try RequestJSON(request.body)
            let mode = body.text("mode") ?? "local"
            guard ["local", "sealed"].contains(mode) else { throw AdminUIError.badRequest("mode must be 'local' or 'sealed'") }
            // A sealed run needs the environment's store; a local one reads its section when given.
            let store = try app.store(for: request, body: body)
            let run = try app.runs.start(journeyFile: path, journey: parts[0], mode: mode, environment: store.environment)
            return app.encoded(201, RunInfo(run))
        default:
            throw AdminUIError.notFound("no API \(request.method) /api/journeys/\(parts.joined(separator: "/"))")
        }
    }

    func list() -> [ListEntry] {
        let entries = app.index.journeys()
        // The names each store holds: a reference must exist in every environment its journey runs in.
        var stored: [EnvironmentName?: Set<String>] = [:]
        for store in workspace.everyEnvironment() {
            stored[store.environment] = Set(((try? app.index.sealedFiles(in: store)) ?? []).map(\.name.rawValue))
        }
        var byName: [String: [String]] = [:]
        for entry in entries { if case .success(let journey) = entry.result { byName[journey.name, default: []].append(entry.file) } }
        return entries.map { entry in
            switch entry.result {
            case .success(let journey):
                var problems: [ProblemJSON] = []
                if let files = byName[journey.name], files.count > 1 {
                    problems.append(
                        ProblemJSON(
                            JourneyProblem(
                                SourceLocation(file: entry.file),
                                "journey name '\(journey.name)' is also used by \(files.filter { $0 != entry.file }.joined(separator: ", "))")))
                }
                let environments: [EnvironmentName?] = workspace.config.environments.isEmpty ? [nil] : journey.environments ?? workspace.config.environments
                for reference in journey.secretReferences {
                    let missing = environments.filter { stored[$0]?.contains(reference.name.rawValue) != true }
                    guard !missing.isEmpty else { continue }
                    let place = missing == [nil] ? "" : " in \(missing.compactMap { $0?.rawValue }.joined(separator: ", "))"
                    let flag = missing.first.flatMap { $0 }.map { " --env " + ShellWord.quoted($0.rawValue) } ?? ""
                    problems.append(
                        ProblemJSON(
                            JourneyProblem(
                                reference.location,
                                "secret '\(reference.name)' has no sealed file\(place); add it on the Secrets page or with 'journey secret add \(ShellWord.quoted(reference.name.rawValue))\(flag)'"
                            )))
                }
                return ListEntry(
                    id: entry.id, file: entry.file, name: journey.name, description: journey.description, steps: journey.steps.count,
                    secrets: journey.secretNames.map(\.rawValue), problems: problems)
            case .failure(let error):
                return ListEntry(
                    id: entry.id, file: entry.file, name: entry.id, description: "", steps: 0, secrets: [], problems: error.problems.map(ProblemJSON.init))
            }
        }
    }

    private func locate(_ id: String) throws -> (path: String, file: String) {
        let path = try app.index.journeyPath(id: id)
        return (path, workspace.relative(path))
    }

    private func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw AdminUIError.conflict("cannot read \(workspace.relative(path)) as UTF-8 text")
        }
        return text
    }

    /// `{"revision": "…", "edits": [{"path": "values.api_key", "source": "secret", "text": "payments-api-key"}]}`
    /// (`revision`, from the document, is optional for scripts).
    static func edits(from body: [UInt8]) throws -> (edits: [JourneyTextEdit.Edit], revision: String?) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let list = object["edits"] as? [[String: Any]] else {
            throw AdminUIError.badRequest("expected {\"edits\": [{\"path\", \"source\", \"text\"}]}")
        }
        let edits = try list.map { item in
            guard let path = item["path"] as? String, let sourceText = item["source"] as? String, let text = item["text"] as? String,
                let source = EditorField.Source(rawValue: sourceText)
            else { throw AdminUIError.badRequest("each edit needs path, source (literal, secret or env) and text") }
            return JourneyTextEdit.Edit(path: path, source: source, text: text)
        }
        return (edits, object["revision"] as? String)
    }

    // MARK: Runs

    struct RunInfo: Encodable {
        var id: String
        var journey: String
        var mode: String
        var started: String
        var status: String
        var exitCode: Int32?
        var report: String?

        init(_ run: RunBook.Run) {
            id = run.id
            journey = run.journey
            mode = run.mode
            started = run.started
            status = run.status
            exitCode = run.exitCode
            report = run.report
        }
    }

    func runs(_ request: HTTPRequest, _ parts: [String]) throws -> HTTPResponse {
        switch (request.method, parts.count) {
        case ("GET", 0):
            return app.encoded(200, ["runs": app.runs.all.map(RunInfo.init)])
        case ("GET", 1):
            guard let run = app.runs.run(id: parts[0]) else { throw AdminUIError.notFound("no run \(AccessControl.printable(parts[0]))") }
            return app.encoded(200, RunInfo(run))
        case ("GET", 2) where parts[1] == "output":
            guard let run = app.runs.run(id: parts[0]) else { throw AdminUIError.notFound("no run \(AccessControl.printable(parts[0]))") }
            return HTTPResponse(
                status: 200, headers: [("Content-Type", "text/plain; charset=utf-8"), ("X-Accel-Buffering", "no")],
                body: .stream { write in
                    var offset = 0
                    while true {
                        let (bytes, done) = run.output(from: offset, waiting: 10)
                        offset += bytes.count
                        if !bytes.isEmpty, !write(bytes) { return }
                        if done { return }
                    }
                })
        default:
            throw AdminUIError.notFound("no API \(request.method) /api/runs/\(parts.joined(separator: "/"))")
        }
    }
}
