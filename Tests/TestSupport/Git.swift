import Foundation

/// Runs the real `git` command in scratch repositories, isolated from the user's and the
/// system's configuration, with a fixed identity so commits always work.
package enum Git {
    /// The environment every test `git` runs with: no global or system config, a fixed author.
    package static func environment(home: String? = nil) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("GIT_") { environment[key] = nil }
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_AUTHOR_NAME"] = "Journey Test"
        environment["GIT_AUTHOR_EMAIL"] = "test@journey.invalid"
        environment["GIT_COMMITTER_NAME"] = "Journey Test"
        environment["GIT_COMMITTER_EMAIL"] = "test@journey.invalid"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        if let home { environment["HOME"] = home }
        return environment
    }

    /// Runs `git ARGUMENTS` in `directory`; throws when it exits non-zero, returns stdout.
    @discardableResult
    package static func run(_ arguments: [String], in directory: String, stdin: [UInt8]? = nil) throws -> String {
        let result = try Subprocess.run("git", arguments, environment: environment(), currentDirectory: directory, stdin: stdin)
        guard result.exitCode == 0 else {
            throw SubprocessError.failed(command: "git " + arguments.joined(separator: " "), result: result)
        }
        return result.stdoutText
    }

    /// `git init` in `directory` (created when missing), on branch `main`.
    package static func initRepository(at directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try run(["init", "--quiet", "--initial-branch=main"], in: directory)
    }

    /// Stages everything in `directory` and commits it; returns the new commit id.
    @discardableResult
    package static func commitAll(in directory: String, message: String = "test commit") throws -> String {
        try run(["add", "--all"], in: directory)
        try run(["commit", "--quiet", "--allow-empty", "-m", message], in: directory)
        return try run(["rev-parse", "HEAD"], in: directory).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
