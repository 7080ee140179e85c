import Foundation
import GitStore
import Sealing
import TestSupport

/// A published repository whose workspace was made with the real `journey` binary (init, keys
/// generate, secret add), and helpers to run `journey runner` against it as a subprocess.
final class RunnerCLIFixture {
    let scratch: ScratchFolder
    let published: PublishedRepo
    let configHome: String
    let canary = Canary()
    /// The commit of the first push.
    private(set) var first = ""
    /// Every process result, so a test can search all output for the canary.
    private(set) var results: [ProcessResult] = []

    var cache: String { scratch.path("cache") }
    var keyFile: String { configHome + "/journey/keys/runner.key" }

    /// The journey every test runs: prints the value (masked to ***), its SHA-256 (so a test can
    /// tell which value arrived without the value being shown), whether JOURNEY_KEY reached
    /// the step, how many files of its checkout hold the value (read through ENVIRON, so the
    /// value is in no argument list), and its working folder.
    static let showJourney = #"""
        name: show
        description: prove which value arrived, without showing it
        steps:
          - name: use token
            run: |
              printf 'value: %s\n' "$API_TOKEN"
              printf 'sha256: %s\n' "$(printf %s "$API_TOKEN" | sha256sum | cut -d' ' -f1)"
              printf 'key: %s\n' "${JOURNEY_KEY:-unset}"
              printf 'files-with-value: %s\n' "$(find . -type f | xargs awk 'index($0, ENVIRON["API_TOKEN"]) { print FILENAME }' | sort -u | wc -l)"
              printf 'folder: %s\n' "$PWD"
            env:
              API_TOKEN: { secret: api-token }

        """#

    /// A journey whose step takes a few seconds, for killing a runner mid-run.
    static let slowJourney = """
        name: slow
        steps:
          - name: wait
            run: sleep 3

        """

    init(workspacePath: String = ".") throws {
        scratch = try ScratchFolder(label: "runner-cli")
        published = try PublishedRepo(in: scratch.path)
        configHome = try scratch.folder("config")
        let root = workspacePath == "." ? published.work : try scratch.folder("work/" + workspacePath)
        try journey(["init", "--name", "runner-fixture"], in: root)
        try journey(["keys", "generate", "runner"], in: root)
        try journey(["secret", "add", "api-token", "--description", "fixture"], in: root, stdin: canary.text)
        let prefix = workspacePath == "." ? "" : workspacePath + "/"
        try published.write(Self.showJourney, to: prefix + "journeys/show.yaml")
        try published.write(Self.slowJourney, to: prefix + "journeys/slow.yaml")
        first = try published.commitAndPush("a workspace with one secret")
    }

    /// Runs `journey ARGUMENTS` in `folder` (the working clone by default); fails on a non-zero exit.
    @discardableResult
    func journey(_ arguments: [String], in folder: String? = nil, stdin: String? = nil) throws -> ProcessResult {
        let result = try JourneyBinary.run(arguments, in: folder ?? published.work, configHome: configHome, stdin: stdin.map { Array($0.utf8) })
        results.append(result)
        guard result.exitCode == 0 else {
            throw SubprocessError.failed(command: "journey " + arguments.joined(separator: " "), result: result)
        }
        return result
    }

    /// Runs `journey runner` with this fixture's repo, cache and key unless `arguments` say otherwise.
    @discardableResult
    func runner(
        ref: String = "main", journey: String = "show", repo: String? = nil, key: String?? = .none,
        extra: [String] = [], environment: [String: String] = [:]
    ) throws -> ProcessResult {
        var arguments = ["runner", "--repo", repo ?? published.remote, "--ref", ref, "--journey", journey, "--cache", cache]
        switch key {
        case .none: arguments += ["--key-file", keyFile]
        case .some(.some(let path)): arguments += ["--key-file", path]
        case .some(.none): break
        }
        let result = try JourneyBinary.run(arguments + extra, in: scratch.path, configHome: configHome, environment: environment)
        results.append(result)
        return result
    }

    /// Rotates `api-token` with `journey secret update` in the working clone, commits, pushes.
    @discardableResult
    func rotate(to value: String) throws -> String {
        try journey(["secret", "update", "api-token"], stdin: value)
        return try published.commitAndPush("rotate api-token")
    }

    /// The SHA-256 of `text` as lowercase hex, as `sha256sum` prints it.
    static func sha256(_ text: String) throws -> String {
        let result = try Subprocess.run("sha256sum", [], stdin: Array(text.utf8))
        return String(result.stdoutText.prefix(64))
    }

    /// The value of a `label: value` line the show journey printed.
    static func printed(_ label: String, in result: ProcessResult) -> String? {
        for line in result.stdoutText.split(separator: "\n") where line.hasPrefix(label + ": ") {
            return String(line.dropFirst(label.count + 2))
        }
        return nil
    }

    /// The runner report at `path`, as JSON.
    static func report(at path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    // MARK: The cache's state

    func entries(_ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cache + "/" + sub)) ?? []).sorted()
    }

    /// What a failed run must not leave: a work folder, a clone in progress, or a mirror that
    /// does not open.
    func halfWrittenState() -> [String] {
        var problems = entries("work").map { "work/" + $0 }
        problems += entries("incoming").map { "incoming/" + $0 }
        for mirror in entries("mirrors") where !mirror.hasSuffix(".lock") {
            if (try? BareMirror.open(at: cache + "/mirrors/" + mirror)) == nil { problems.append("mirrors/" + mirror + " does not open") }
        }
        return problems
    }

    /// The rollback ledger's bytes (empty when there is none yet).
    func ledger() -> Data { FileManager.default.contents(atPath: cache + "/rollback-ledger.json") ?? Data() }

    /// Every file under the cache whose bytes hold the canary.
    func cacheFilesHoldingCanary() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: cache) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: cache + "/" + relative), canary.appears(in: Array(data)) {
                found.append(relative)
            }
        }
        return found
    }
}
