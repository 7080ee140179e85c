import Foundation
import Workspace

/// The Changes page: the workspace's files changed since HEAD, and a commit guarded by the
/// same leak check the pre-commit hook runs (`journey scan --staged`, this very binary).
/// git itself does the staging and committing, so hooks, config and signing work as usual.
struct ChangeBook: Sendable {
    struct Change: Encodable {
        var path: String
        var status: String
    }

    struct CommitRefusal: Error, Encodable {
        var error: String
        var findings: [[String: String]]
    }

    let workspace: Workspace
    let executable: String

    /// Files under the workspace that differ from HEAD (staged, unstaged or untracked).
    func changes() throws(AdminUIError) -> [Change] {
        let result = try git(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", "."])
        guard result.code == 0 else {
            throw .request(status: 409, message: "git status failed: \(result.errorText)", fix: "is the workspace inside a git repository?")
        }
        var changes: [Change] = []
        var records = result.output.split(separator: 0, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }[...]
        while let record = records.popFirst() {
            guard record.count > 3 else { continue }
            let code = String(record.prefix(2))
            let path = String(record.dropFirst(3))
            if code.contains("R") || code.contains("C") { _ = records.popFirst() }
            changes.append(Change(path: path, status: Self.describe(code)))
        }
        return changes
    }

    static func describe(_ code: String) -> String {
        if code == "??" { return "new" }
        if code.contains("D") { return "deleted" }
        if code.contains("A") { return "added" }
        if code.contains("R") { return "renamed" }
        return "modified"
    }

    /// Stages the workspace's changes, runs the leak check on what is staged, and commits;
    /// on findings, unstages them again and throws `CommitRefusal`.
    func commit(message: String) throws -> String {
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw AdminUIError.badRequest("a commit needs a message") }
        guard try !changes().isEmpty else { throw AdminUIError.conflict("nothing to commit in the workspace") }
        let add = try git(["add", "-A", "--", "."])
        guard add.code == 0 else { throw AdminUIError.conflict("git add failed: \(add.errorText)") }
        let scan = try run(executable, ["scan", "--staged", "--format", "json", "--workspace", workspace.root])
        if scan.code != 0 {
            _ = try? git(["reset", "-q", "--", "."])
            var findings: [[String: String]] = []
            if let object = try? JSONSerialization.jsonObject(with: Data(scan.output)) as? [String: Any], let list = object["findings"] as? [[String: Any]] {
                for item in list {
                    var entry: [String: String] = [:]
                    for key in ["path", "rule", "title", "message", "fix", "excerpt"] { entry[key] = item[key].map { "\($0)" } }
                    if let line = item["line"] { entry["line"] = "\(line)" }
                    findings.append(entry)
                }
            }
            throw CommitRefusal(
                error: scan.code == 1
                    ? "the leak check found plaintext credentials in the staged files; nothing was committed"
                    : "the leak check could not run (\(scan.errorText)); nothing was committed",
                findings: findings)
        }
        let commit = try git(["commit", "-q", "-m", trimmed])
        guard commit.code == 0 else {
            _ = try? git(["reset", "-q", "--", "."])
            throw AdminUIError.conflict("git commit failed: \(commit.errorText)", fix: "set user.name and user.email, or look at the hooks' output")
        }
        let head = try git(["rev-parse", "HEAD"])
        return String(decoding: head.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func git(_ arguments: [String]) throws(AdminUIError) -> (code: Int32, output: [UInt8], errorText: String) {
        guard let git = Self.findGit() else { throw .conflict("git is not installed", fix: "install git (apt-get install git)") }
        return try run(git, arguments)
    }

    private func run(_ executable: String, _ arguments: [String]) throws(AdminUIError) -> (code: Int32, output: [UInt8], errorText: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: workspace.root)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .server("cannot run \(executable): \(error.localizedDescription)") }
        let errorData = ErrorText()
        let done = DispatchSemaphore(value: 0)
        let errorReader = Thread {
            errorData.data = err.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        errorReader.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        done.wait()
        let errorText = String(decoding: errorData.data, as: UTF8.self).split(separator: "\n").prefix(5).joined(separator: " ")
        return (process.terminationStatus, Array(output), errorText)
    }

    private final class ErrorText: @unchecked Sendable { var data = Data() }

    static func findGit() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/git") { return "\(folder)/git" }
        return nil
    }
}
