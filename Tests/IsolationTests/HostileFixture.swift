import Foundation
import TestSupport

/// A published repository whose workspace (made with the real `journey` binary) holds the
/// hostile journey, and the runner's key in two places: the key folder and a file elsewhere
/// (the `--key-file` a runner is started with).
final class HostileFixture {
    let scratch: ScratchFolder
    let published: PublishedRepo
    let configHome: String
    let canary = Canary()

    /// The key file passed with `--key-file`, outside the key folder.
    var keyFile: String { scratch.path("secrets-mount/runner.key") }
    var keyFolderFile: String { configHome + "/journey/keys/runner.key" }
    var work: String { published.work }

    /// Digests a step must never print: the key file's bytes and the key's text.
    let forbidden: Set<String>

    init() throws {
        scratch = try ScratchFolder(label: "isolation")
        published = try PublishedRepo(in: scratch.path)
        configHome = try scratch.folder("config")
        _ = try JourneyBinary.run(["init", "--name", "isolation"], in: published.work, configHome: configHome).checked()
        _ = try JourneyBinary.run(["keys", "generate", "runner"], in: published.work, configHome: configHome).checked()
        _ = try JourneyBinary.run(
            ["secret", "add", "api-token", "--description", "fixture"], in: published.work, configHome: configHome, stdin: Array(canary.text.utf8)
        ).checked()
        let keyBytes = try Data(contentsOf: URL(fileURLWithPath: configHome + "/journey/keys/runner.key"))
        try scratch.folder("secrets-mount")
        try scratch.write(Array(keyBytes), to: "secrets-mount/runner.key", mode: 0o600)
        let keyText = String(decoding: keyBytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        forbidden = [try Self.sha256(Array(keyBytes)), try Self.sha256(Array(keyText.utf8))]
        try published.write(HostileJourney.script, to: "hostile.py")
        // The attacker guessed where the key is: the journey names both paths.
        try published.write(HostileJourney.yaml(knownPaths: [keyFile, keyFolderFile]), to: "journeys/hostile.yaml")
        // A step that goes for the runner's cache: the rollback ledger and the mirrors.
        let cache = scratch.path("cache")
        try published.write(
            """
            name: cache
            steps:
              - name: reach the cache
                run: |
                  ls -a '\(cache)' >/dev/null 2>&1 && echo "cache listed" || echo "cache hidden"
                  ls -a '\(cache)/mirrors' >/dev/null 2>&1 && echo "mirrors listed" || echo "mirrors hidden"
                  (echo tampered > '\(cache)/rollback-ledger.json') 2>/dev/null && echo "ledger written" || echo "ledger refused"
                  echo work > checkout-write.txt && echo "checkout writable"

            """, to: "journeys/cache.yaml")
        _ = try published.commitAndPush("a hostile journey")
    }

    /// The key's text, as JOURNEY_KEY holds it.
    var keyText: String {
        get throws { try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Runs `body` with the key's text while its file copies are gone: a runner given JOURNEY_KEY
    /// has no key file, and journey cannot hide a file it was not told about.
    func withKeyOnlyInEnvironment(_ body: (String) throws -> ProcessResult) throws -> ProcessResult {
        let text = try keyText
        let aside = scratch.path("aside")
        try FileManager.default.createDirectory(atPath: aside, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: keyFile, toPath: aside + "/mount.key")
        try FileManager.default.moveItem(atPath: keyFolderFile, toPath: aside + "/folder.key")
        defer {
            try? FileManager.default.moveItem(atPath: aside + "/mount.key", toPath: keyFile)
            try? FileManager.default.moveItem(atPath: aside + "/folder.key", toPath: keyFolderFile)
        }
        return try body(text)
    }

    /// Runs `journey ARGUMENTS` from a shell that stays its parent (`sh -c '…; exit $?'`), with
    /// `environment` added to the shell's own: an ancestor whose environment a step may try.
    func journeyUnderShell(_ arguments: [String], in folder: String? = nil, environment extra: [String: String] = [:]) throws -> ProcessResult {
        var environment = JourneyBinary.environment(configHome: configHome, extra)
        environment["JOURNEY_BIN"] = JourneyBinary.path
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try Subprocess.run("/bin/sh", ["-c", "\"$JOURNEY_BIN\" \(quoted); exit $?"], environment: environment, currentDirectory: folder ?? work)
    }

    static func sha256(_ bytes: [UInt8]) throws -> String {
        String(try Subprocess.run("sha256sum", [], stdin: bytes).stdoutText.prefix(64))
    }
}

/// What the hostile steps printed.
struct HostileOutput {
    let digests: Set<String>
    let notes: [String]

    init(_ result: ProcessResult) {
        var digests = Set<String>()
        var notes: [String] = []
        for line in result.stdoutText.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.first == "digest", let last = fields.last { digests.insert(String(last)) }
            if fields.first == "note" { notes.append(String(line)) }
        }
        self.digests = digests
        self.notes = notes
    }

    /// A note a route printed, e.g. `block devices 0`.
    func noted(_ text: String) -> Bool { notes.contains { $0.hasSuffix(text) } }
}

extension ProcessResult {
    func checked() throws -> ProcessResult {
        guard exitCode == 0 else { throw SubprocessError.failed(command: "journey", result: self) }
        return self
    }
}
