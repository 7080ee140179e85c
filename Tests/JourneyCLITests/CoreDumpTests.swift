import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

@Suite("Threat: a core of journey exec holds copies of the value")
struct CoreDumpTests {
    /// `journey exec` relays the child's output through buffers; once the value has been
    /// printed and masked, a core of journey (taken with gdb's gcore while the child sleeps)
    /// holds no copy of it, raw or in base64. Values themselves live in memory excluded from
    /// cores (`MADV_DONTDUMP`), and exec is non-dumpable, so the kernel writes no core at all.
    @Test func aCoreOfExecHoldsNoCopyOfTheValue() throws {
        let fixture = try CLIFixture()
        let canary = Canary()
        let value = canary.text + "-" + canary.text.uppercased()
        try fixture.expectSuccess(["secret", "add", "api"], stdin: value)
        let gcore = try Subprocess.resolve("gcore")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: JourneyBinary.path)
        process.arguments = [
            "exec", "--secret", "api", "--", "sh", "-c", #"for i in 1 2 3; do echo "v=$API"; echo "$API" | base64; done; echo relayed-all; exec sleep 30"#,
        ]
        process.environment = JourneyBinary.environment(configHome: fixture.configHome)
        process.currentDirectoryURL = URL(fileURLWithPath: fixture.root)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var seen = Data()
        // The core is taken once journey has relayed every line (base64 wraps the longer value
        // over two lines): a core taken mid-relay would catch a chunk in flight, not a leak.
        while !String(decoding: seen, as: UTF8.self).contains("relayed-all\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        let printed = String(decoding: seen, as: UTF8.self)
        #expect(printed.hasPrefix("v=***\n"), "\(printed)")

        let corePrefix = fixture.scratch.path("core")
        let dump = try Subprocess.run(gcore, ["-o", corePrefix, String(process.processIdentifier)])
        let corePath = "\(corePrefix).\(process.processIdentifier)"
        try #require(FileManager.default.fileExists(atPath: corePath), "gcore wrote no core: \(dump.allOutput)")
        let core = try Data(contentsOf: URL(fileURLWithPath: corePath))
        try? FileManager.default.removeItem(atPath: corePath)
        #expect(core.count > 1_000_000)
        let base64 = Data((value + "\n").utf8).base64EncodedString()
        for (label, form) in [("value", value), ("its base64", String(base64.prefix(40))), ("its first half", String(value.prefix(20)))] {
            #expect(core.range(of: Data(form.utf8)) == nil, "the core holds \(label)")
        }
    }
}
