import Foundation

/// Scratch folders and the `git` command line, for tests that build real repositories.
public enum RunnerFixtures {
    /// A new empty folder under the system temp folder, with symlinks resolved.
    public static func scratchFolder(_ label: String = "scratch") throws -> String {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath().path
        let path = base + "/journey-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The result of a finished child process.
    public struct ProcessResult: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `executable` with `arguments` in `folder` and waits, capturing both outputs.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], in folder: String? = nil,
        environment: [String: String]? = nil, stdin: String? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a chatty child cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The environment `git` runs with in tests: a fixed identity, no user or system config.
    public static let gitEnvironment: [String: String] = {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_AUTHOR_NAME"] = "Test"
        environment["GIT_AUTHOR_EMAIL"] = "test@example.com"
        environment["GIT_COMMITTER_NAME"] = "Test"
        environment["GIT_COMMITTER_EMAIL"] = "test@example.com"
        return environment
    }()

    /// Runs `git` in `folder`; throws with git's message when it fails. Returns trimmed stdout.
    @discardableResult
    public static func git(_ arguments: String..., in folder: String) throws -> String {
        let result = try run("/usr/bin/git", arguments, in: folder, environment: gitEnvironment)
        guard result.status == 0 else {
            throw FixtureError(description: "git \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes `text` to `path` inside `folder`, creating folders on the way.
    public static func write(_ text: String, to path: String, in folder: String) throws {
        let full = folder + "/" + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: false, encoding: .utf8)
    }

    /// A working repository cloned from a new bare "remote": push to publish commits.
    public struct PublishedRepo {
        /// The bare repository runners clone from.
        public let remote: String
        /// A working clone of it where tests commit.
        public let work: String

        /// Commits everything in the working clone and pushes every branch and tag; returns
        /// the new commit id.
        @discardableResult
        public func commitAndPush(_ message: String) throws -> String {
            try git("add", "-A", in: work)
            try git("commit", "-q", "-m", message, in: work)
            try git("push", "-q", "--follow-tags", "origin", "HEAD", in: work)
            return try git("rev-parse", "HEAD", in: work)
        }
    }

    /// A new bare repository with a working clone on branch `main`, both in `folder`.
    public static func publishedRepo(in folder: String) throws -> PublishedRepo {
        let remote = folder + "/remote.git"
        let work = folder + "/work"
        try FileManager.default.createDirectory(atPath: remote, withIntermediateDirectories: true)
        try git("init", "-q", "--bare", "-b", "main", in: remote)
        try git("clone", "-q", remote, work, in: folder)
        try git("checkout", "-q", "-b", "main", in: work)
        return PublishedRepo(remote: remote, work: work)
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}
