import Foundation

/// Runs the built `journey` executable as a real subprocess, the way users and scripts do.
package enum JourneyBinary {
    /// The `journey` built beside the test bundle (`swift build` puts them in one folder).
    package static let path: String = {
        var candidates: [String] = []
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("journey").path)
        }
        candidates.append(PackagePaths.root + "/.build/debug/journey")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()

    /// A test's environment: this process's, with the key folder moved into `configHome` and
    /// the key variables cleared, plus `extra`.
    package static func environment(configHome: String, _ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_CONFIG_HOME"] = configHome
        environment["JOURNEY_KEY"] = nil
        environment["JOURNEY_KEY_FILE"] = nil
        environment["NO_COLOR"] = "1"
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Runs `journey ARGUMENTS` in `directory`.
    package static func run(
        _ arguments: [String], in directory: String, configHome: String,
        stdin: [UInt8]? = nil, environment extra: [String: String] = [:]
    ) throws -> ProcessResult {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw SubprocessError.notFound("journey (build it first: swift build)", searchPath: path)
        }
        return try Subprocess.run(path, arguments, environment: environment(configHome: configHome, extra), currentDirectory: directory, stdin: stdin)
    }
}

extension ProcessResult {
    /// Everything the process printed, both streams.
    package var allOutput: String { stdoutText + stderrText }
}
