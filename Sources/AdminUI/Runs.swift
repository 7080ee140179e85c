import Foundation
import Sealing
import Workspace

/// Journeys run from the page. Each run is the `journey run` command itself, a child process
/// of this binary: the same resolution, isolation and masking as on the command line, and the
/// server never holds a resolved value. Output (already masked by the child) is kept in memory
/// for the page and streamed as it comes, up to `maxOutputBytes` a run: a journey is untrusted
/// (a branch may run `yes`), and the server must not grow until the machine runs out of memory.
/// The book keeps the `maxRuns` most recent runs.
final class RunBook: @unchecked Sendable {
    final class Run: @unchecked Sendable {
        let id: String
        let journey: String
        let mode: String
        let started: String
        let reportPath: String
        private let condition = NSCondition()
        private var output: [UInt8] = []
        private var truncated = false
        private let maxOutputBytes: Int
        private(set) var exitCode: Int32?

        init(id: String, journey: String, mode: String, reportPath: String, maxOutputBytes: Int) {
            self.maxOutputBytes = maxOutputBytes
            self.id = id
            self.journey = journey
            self.mode = mode
            self.reportPath = reportPath
            started = Timestamp.now()
        }

        /// Keeps `bytes` while the run's output is within its limit; past it, says so once and
        /// drops the rest (still read, so the child is never blocked on a full pipe).
        func append(_ bytes: [UInt8]) {
            condition.withLock {
                guard !truncated else { return }
                let room = maxOutputBytes - output.count
                if bytes.count <= room {
                    output += bytes
                } else {
                    output += bytes.prefix(max(room, 0))
                    output += Array(
                        "\n[journey ui: the output passed \(maxOutputBytes / 1024) KiB; the rest is not kept. Run it with 'journey run' to see all of it]\n"
                            .utf8)
                    truncated = true
                }
                condition.broadcast()
            }
        }

        var isFinished: Bool { condition.withLock { exitCode != nil } }

        func finish(_ code: Int32) {
            condition.withLock {
                exitCode = code
                condition.broadcast()
            }
        }

        /// Output from `offset` on; waits up to `timeout` for more while the run goes on.
        func output(from offset: Int, waiting timeout: TimeInterval) -> (bytes: [UInt8], done: Bool) {
            condition.withLock {
                let deadline = Date().addingTimeInterval(timeout)
                while output.count <= offset && exitCode == nil {
                    if !condition.wait(until: deadline) { break }
                }
                return (offset < output.count ? Array(output[offset...]) : [], exitCode != nil && offset >= output.count)
            }
        }

        var status: String {
            condition.withLock {
                guard let exitCode else { return "running" }
                return exitCode == 0 ? "passed" : exitCode == 1 ? "failed" : "error"
            }
        }

        /// The run report the child wrote (names and versions, never values), as JSON text.
        var report: String? {
            guard condition.withLock({ exitCode != nil }) else { return nil }
            return try? String(contentsOfFile: reportPath, encoding: .utf8)
        }
    }

    let workspace: Workspace
    let executable: String
    let maxOutputBytes: Int
    let maxRuns: Int
    private let lock = NSLock()
    private var runs: [Run] = []

    init(workspace: Workspace, executable: String, maxOutputBytes: Int = 8 * 1024 * 1024, maxRuns: Int = 100) {
        self.workspace = workspace
        self.executable = executable
        self.maxOutputBytes = maxOutputBytes
        self.maxRuns = maxRuns
    }

    var all: [Run] { lock.withLock { runs } }

    func run(id: String) -> Run? { lock.withLock { runs.first { $0.id == id } } }

    /// Starts `journey run FILE --local|--sealed --report …` and returns at once.
    func start(journeyFile: String, journey: String, mode: String, environment: EnvironmentName? = nil) throws(AdminUIError) -> Run {
        let folder = workspace.localFolder + "/ui-runs"
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .server("cannot create \(workspace.relative(folder)): \(error.localizedDescription)")
        }
        let id = String(Hex.randomRunID())
        let run = Run(id: id, journey: journey, mode: mode, reportPath: folder + "/\(id).json", maxOutputBytes: maxOutputBytes)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments =
            ["run", journeyFile, "--workspace", workspace.root, "--\(mode)", "--report", run.reportPath] + (environment.map { ["--env", $0.rawValue] } ?? [])
        process.currentDirectoryURL = URL(fileURLWithPath: workspace.root)
        var variables = ProcessInfo.processInfo.environment
        variables["NO_COLOR"] = "1"
        // The page chose the environment (or none); the server's own JOURNEY_ENV does not choose for it.
        variables["JOURNEY_ENV"] = nil
        process.environment = variables
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .server("cannot start journey run: \(error.localizedDescription)") }
        lock.withLock {
            runs.insert(run, at: 0)
            // The oldest finished runs go first; running ones stay until they end.
            while runs.count > maxRuns, let oldest = runs.lastIndex(where: { $0.isFinished }) { runs.remove(at: oldest) }
        }
        let reader = Thread {
            let handle = pipe.fileHandleForReading
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                run.append(Array(data))
            }
            process.waitUntilExit()
            run.finish(process.terminationStatus)
        }
        reader.start()
        return run
    }
}

extension Hex {
    /// A short id for a run in URLs.
    static func randomRunID() -> String { randomID(byteCount: 8) }
}
