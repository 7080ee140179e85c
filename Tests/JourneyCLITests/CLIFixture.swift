import Foundation
import Sealing
import TestSupport
import Workspace

/// A scratch workspace driven through the real `journey` binary, with its own key folder.
final class CLIFixture {
    let scratch: ScratchFolder
    let root: String
    let configHome: String
    /// Every process result, so a test can search all output for a value.
    private(set) var results: [ProcessResult] = []

    init(recipient: String? = "alice") throws {
        scratch = try ScratchFolder(label: "cli")
        root = try scratch.folder("workspace")
        configHome = try scratch.folder("config")
        try expectSuccess(["init"])
        if let recipient { try expectSuccess(["keys", "generate", recipient]) }
    }

    var keyFolder: String { configHome + "/journey/keys" }
    func keyPath(_ name: String) -> String { keyFolder + "/\(name).key" }

    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], in directory: String? = nil) throws -> ProcessResult {
        let result = try JourneyBinary.run(
            arguments, in: directory ?? root, configHome: configHome, stdin: stdin.map { Array($0.utf8) }, environment: environment)
        results.append(result)
        return result
    }

    @discardableResult
    func expectSuccess(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
        let result = try run(arguments, stdin: stdin, environment: environment)
        guard result.exitCode == 0 else {
            throw FixtureError.failed(arguments.joined(separator: " "), result.exitCode, result.allOutput)
        }
        return result
    }

    /// All output so far, both streams of every run.
    var allOutput: String { results.map(\.allOutput).joined(separator: "\n") }

    func workspace() throws -> Workspace { try Workspace(root: root) }

    enum FixtureError: Error, CustomStringConvertible {
        case failed(String, Int32, String)
        var description: String {
            if case .failed(let command, let code, let output) = self { return "journey \(command) exited \(code): \(output)" }
            return ""
        }
    }
}
