import Foundation
import Sealing
import TestSupport
import Testing

@Suite("Threat: a core of journey run holds the key's text")
struct KeyTextInMemoryTests {
    /// `JOURNEY_KEY` is taken out of the environment before anything copies the environment
    /// into Strings (`ProcessInfo.processInfo.environment`), so a core of `journey run` taken
    /// while a step runs holds no copy of the key's text: neither when the key opened the
    /// values (`--sealed`) nor when it was never needed (`--local`, where the variable used to
    /// stay in the environment block for the whole run). Another `JOURNEY_KEY…` variable a
    /// script left holding key text is wiped too.
    @Test(arguments: ["--sealed", "--local"])
    func aCoreOfARunHoldsNoCopyOfTheKeyText(mode: String) throws {
        let fixture = try JourneyFixture(label: "core-key")
        let canary = Canary()
        try fixture.seal("api", canary.text)
        try fixture.journey(
            "wait",
            """
            steps:
              - name: wait
                run: echo started; exec sleep 30
                env: { API: { secret: api } }
            """)
        let keyText = fixture.fixture.key.text.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        let core = try RunningJourney.core(
            of: ["run", "wait", mode], in: fixture, environment: ["JOURNEY_KEY": keyText, "JOURNEY_KEY_OLD": keyText, "API": canary.text],
            once: "started\n")
        let keyBody = String(keyText.dropFirst(PrivateKey.textPrefix.count))
        for (label, form) in [("the key's text", keyText), ("its base64 body", keyBody), ("its first half", String(keyBody.prefix(22)))] {
            #expect(core.range(of: Data(form.utf8)) == nil, "the core holds \(label)")
        }
    }
}

/// Runs the `journey` binary until a condition holds, then takes a core of it with gdb's
/// `gcore` (as root, which may read a non-dumpable process) and returns the core's bytes.
enum RunningJourney {
    static func core(of arguments: [String], in fixture: JourneyFixture, environment: [String: String], once printed: String) throws -> Data {
        var seen = Data()
        return try core(of: arguments, in: fixture, environment: environment) { output in
            while !String(decoding: seen, as: UTF8.self).contains(printed) {
                let chunk = output.availableData
                if chunk.isEmpty { return }
                seen += chunk
            }
        }
    }

    static func core(of arguments: [String], in fixture: JourneyFixture, environment: [String: String], once condition: @escaping () -> Bool) throws -> Data {
        try core(of: arguments, in: fixture, environment: environment) { _ in
            for _ in 0..<400 where !condition() { usleep(25_000) }
        }
    }

    private static func core(
        of arguments: [String], in fixture: JourneyFixture, environment: [String: String], waiting: (FileHandle) -> Void
    ) throws -> Data {
        let gcore = try Subprocess.resolve("gcore")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: JourneyBinary.path)
        process.arguments = arguments
        process.environment = JourneyBinary.environment(configHome: try fixture.scratch.folder("config"), environment)
        process.currentDirectoryURL = URL(fileURLWithPath: fixture.root)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        waiting(output.fileHandleForReading)
        try #require(process.isRunning, "journey ended before the core could be taken")
        let corePrefix = fixture.scratch.path("core")
        let dump = try Subprocess.run(gcore, ["-o", corePrefix, String(process.processIdentifier)])
        let corePath = "\(corePrefix).\(process.processIdentifier)"
        try #require(FileManager.default.fileExists(atPath: corePath), "gcore wrote no core: \(dump.allOutput)")
        defer { try? FileManager.default.removeItem(atPath: corePath) }
        let core = try Data(contentsOf: URL(fileURLWithPath: corePath))
        #expect(core.count > 1_000_000)
        return core
    }
}
