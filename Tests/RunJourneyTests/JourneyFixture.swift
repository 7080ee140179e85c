import Foundation
import Run
import Sealing
import TestSupport
import Workspace

/// A scratch workspace with one recipient key, journeys written into it, and helpers that
/// resolve and run a journey in-process while capturing everything it prints.
final class JourneyFixture {
    let scratch: ScratchFolder
    let fixture: WorkspaceFixture
    var workspace: Workspace { fixture.workspace }
    var root: String { fixture.root }

    init(label: String = "journey") throws {
        scratch = try ScratchFolder(label: label)
        fixture = try Fixtures.workspace(in: try scratch.folder("workspace"))
    }

    @discardableResult
    func journey(_ name: String, _ yaml: String) throws -> String {
        try scratch.write(yaml, to: "workspace/journeys/\(name).yaml")
    }

    func seal(_ name: String, _ value: String) throws {
        try workspace.addSecret(Fixtures.name(name), value: Fixtures.secret(value), description: "")
    }

    func load(_ name: String) throws -> Journey {
        try JourneyCatalog.find(name, in: workspace)
    }

    var sealedSource: SecretSource {
        let key = fixture.key
        return .sealed(loadKey: { () throws(KeyLookupError) -> PrivateKey in key })
    }

    func resolve(_ name: String, _ source: SecretSource, environment: [String: String] = [:]) throws -> ResolvedJourney {
        try Resolver.resolve(load(name), in: workspace, from: source, environment: environment)
    }

    /// Resolves and runs `name`; returns the report and everything printed (both streams).
    func run(_ name: String, _ source: SecretSource, environment: [String: String] = [:]) throws -> (report: RunReport, output: CapturedOutput) {
        let resolved = try resolve(name, source, environment: environment)
        let output = CapturedOutput()
        let runner = JourneyRunner(resolved: resolved, workspace: workspace, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }) {
            stream, bytes in
            output.append(stream, bytes)
        }
        return (runner.run(), output)
    }

    /// The error `Resolver.resolve` throws for `name`, as users see it.
    func resolveFailure(_ name: String, _ source: SecretSource, environment: [String: String] = [:]) throws -> ResolveFailure? {
        let journey = try load(name)
        do {
            _ = try Resolver.resolve(journey, in: workspace, from: source, environment: environment)
            return nil
        } catch {
            return error
        }
    }
}

/// Everything a run printed, per stream.
final class CapturedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var out: [UInt8] = []
    private var err: [UInt8] = []

    func append(_ stream: Run.OutputStream, _ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        if stream == .standardOutput { out += bytes } else { err += bytes }
    }

    var standardOutput: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var standardError: String { lock.withLock { String(decoding: err, as: UTF8.self) } }
    var all: String { standardOutput + standardError }
}

/// `example-workspace/demo-server.py` on 127.0.0.1, on a free port, recording the bearer
/// credential of every request. Stopped when the value goes away.
final class DemoServer {
    let process = Process()
    let folder: ScratchFolder
    let port: Int

    init(expectedToken: String? = nil) throws {
        folder = try ScratchFolder(label: "server")
        process.executableURL = URL(fileURLWithPath: try Subprocess.resolve("python3"))
        process.arguments = [
            PackagePaths.root + "/example-workspace/demo-server.py", "--port", "0", "--port-file", folder.path("port"), "--record", folder.path("record"),
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["DEMO_API_TOKEN"] = expectedToken
        process.environment = environment
        process.standardError = FileHandle.nullDevice
        try process.run()
        var found: Int?
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: folder.path("port"), encoding: .utf8), let number = Int(text) {
                found = number
                break
            }
            usleep(25_000)
        }
        guard let found else {
            kill(process.processIdentifier, SIGKILL)
            throw ScratchError.cannotCreate(folder.path("port"), "the demo server did not start")
        }
        port = found
    }

    deinit {
        // SIGKILL, not terminate(): a server spawned while a parallel test's child process had
        // SIGTERM ignored (ChildProcess forwards it) inherits the ignored disposition.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The credentials received so far, in order.
    var received: [String] {
        ((try? String(contentsOfFile: folder.path("record"), encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(
            String.init)
    }
}
