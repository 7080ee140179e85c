import Foundation

/// What a finished child process left behind.
package struct ProcessResult: Sendable {
    package var exitCode: Int32
    package var stdout: [UInt8]
    package var stderr: [UInt8]

    /// Standard output decoded as UTF-8 (invalid bytes replaced).
    package var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error decoded as UTF-8 (invalid bytes replaced).
    package var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs real child processes for tests, capturing stdout, stderr and the exit code.
package enum Subprocess {
    /// Runs `executable` (a path, or a name looked up in `PATH`) with `arguments` and waits for it.
    ///
    /// - Parameters:
    ///   - environment: the child's whole environment; `nil` inherits this process's.
    ///   - currentDirectory: where the child starts; `nil` keeps this process's.
    ///   - stdin: bytes fed to standard input, which is then closed (empty when `nil`).
    package static func run(
        _ executable: String, _ arguments: [String] = [],
        environment: [String: String]? = nil, currentDirectory: String? = nil, stdin: [UInt8]? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(executable, environment: environment))
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()

        // Drain both pipes at once, so a child filling one while we wait on the other cannot block.
        let stdoutBytes = DrainedPipe(output), stderrBytes = DrainedPipe(errors)
        if let stdin, !stdin.isEmpty {
            // A child that exits (or refuses) before reading all of stdin closes the pipe: the
            // write must fail with EPIPE, not kill the whole test process with SIGPIPE.
            _ = ignoreBrokenPipes
            try? input.fileHandleForWriting.write(contentsOf: Data(stdin))
        }
        try? input.fileHandleForWriting.close()
        let stdoutResult = stdoutBytes.wait(), stderrResult = stderrBytes.wait()
        process.waitUntilExit()
        return ProcessResult(exitCode: process.terminationStatus, stdout: stdoutResult, stderr: stderrResult)
    }

    /// The path of `name`: itself when it holds a `/`, else the first match in `PATH`.
    package static func resolve(_ name: String, environment: [String: String]? = nil) throws -> String {
        if name.contains("/") { return name }
        let searchPath =
            (environment ?? ProcessInfo.processInfo.environment)["PATH"]
            ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in searchPath.split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw SubprocessError.notFound(name, searchPath: searchPath)
    }

    /// Reads a pipe to its end on a background thread.
    private final class DrainedPipe: @unchecked Sendable {
        // Written once by the reader thread before `done` is signalled; read only after it.
        private var bytes: [UInt8] = []
        private let done = DispatchSemaphore(value: 0)

        init(_ pipe: Pipe) {
            let handle = pipe.fileHandleForReading
            Thread.detachNewThread { [self] in
                bytes = Array(handle.readDataToEndOfFile())
                done.signal()
            }
        }

        func wait() -> [UInt8] {
            done.wait()
            return bytes
        }
    }
}

package enum SubprocessError: Error, CustomStringConvertible {
    case notFound(String, searchPath: String)
    case failed(command: String, result: ProcessResult)

    package var description: String {
        switch self {
        case .notFound(let name, let searchPath): return "no executable '\(name)' in PATH (\(searchPath))"
        case .failed(let command, let result):
            return "\(command) exited with \(result.exitCode): \(result.stderrText)"
        }
    }
}

/// SIGPIPE ignored in the test process, once. Children started with `Process` inherit the
/// ignored disposition (journey restores the default for the steps it starts itself).
private let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()
