import Foundation
import Sealing
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Commands that read `recipients.yaml` and the sealed files, then write, read each file once
/// and work from what they read (counted by the kernel: inotify's open events on `secrets/`).
@Suite("Each file read once per command")
struct StoreReadTests {
    /// Counts the opens of each file in one folder while `body` runs.
    static func opens(in folder: String, during body: () throws -> Void) throws -> [String: Int] {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        // Closes are watched too, only so that two opens in a row stay two events: inotify
        // merges an event into an identical one still unread at the end of its queue.
        try #require(inotify_add_watch(descriptor, folder, UInt32(IN_OPEN | IN_CLOSE)) >= 0)
        try body()
        var counts: [String: Int] = [:]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            var offset = 0
            // struct inotify_event: wd, mask, cookie, len (4 bytes each), then len bytes of name.
            while offset + 16 <= count {
                func field(_ at: Int) -> UInt32 {
                    UInt32(buffer[offset + at]) | UInt32(buffer[offset + at + 1]) << 8 | UInt32(buffer[offset + at + 2]) << 16
                        | UInt32(buffer[offset + at + 3]) << 24
                }
                let length = Int(field(12))
                let nameBytes = buffer[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }
                if field(4) & UInt32(IN_OPEN) != 0, !nameBytes.isEmpty { counts[String(decoding: nameBytes, as: UTF8.self), default: 0] += 1 }
                offset += 16 + length
            }
        }
        return counts
    }

    static func fixture() throws -> CLIFixture {
        let fixture = try CLIFixture()
        for name in ["api-token", "db-password", "webhook"] { try fixture.expectSuccess(["secret", "add", name], stdin: "value-of-\(name)") }
        return fixture
    }

    static let files = ["recipients.yaml", "api-token.sealed", "db-password.sealed", "webhook.sealed"]

    @Test func rekeyReadsRecipientsAndEachSealedFileOnce() throws {
        let fixture = try Self.fixture()
        // bob's key was sealed for before he was removed by hand: the re-wrap drops him and
        // records it in recipients.yaml, the path that wrote it after reading it again.
        try fixture.expectSuccess(["keys", "add", "bob", PrivateKey.generate().publicKey.text])
        try fixture.expectSuccess(["secret", "rekey", "--all"])
        let recipients = fixture.root + "/secrets/recipients.yaml"
        let text = try String(contentsOfFile: recipients, encoding: .utf8)
        try text.replacingOccurrences(of: #"(?s)  - name: "bob".*?added: "[^"]*"\n"#, with: "", options: .regularExpression)
            .write(toFile: recipients, atomically: true, encoding: .utf8)
        #expect(!(try String(contentsOfFile: recipients, encoding: .utf8)).contains("bob"))
        var output = ""
        let counts = try Self.opens(in: fixture.root + "/secrets") { output = try fixture.expectSuccess(["secret", "rekey", "--all"]).stdoutText }
        #expect(output.contains("dropped: bob"), "\(output)")
        for file in Self.files { #expect(counts[file] == 1, "\(file): \(counts)") }
        #expect(try String(contentsOfFile: recipients, encoding: .utf8).contains("could-open"))
    }

    @Test func rekeyOfANameGivenTwiceReWrapsItOnce() throws {
        let fixture = try Self.fixture()
        let output = try fixture.expectSuccess(["secret", "rekey", "webhook", "api-token", "webhook"]).stdoutText
        #expect(output.components(separatedBy: "Re-wrapped 'webhook'").count == 2, "\(output)")
        #expect(output.contains("Re-wrapped 'api-token'"))
    }

    /// A secret may be named `recipients`: its lock must not be the recipients file's, which
    /// rekey holds while it takes every secret's (a second flock on one file waits forever).
    /// Run under `timeout`, so the old deadlock fails the test instead of hanging the suite.
    @Test func rekeyOfASecretNamedRecipientsDoesNotWaitOnItself() throws {
        let fixture = try Self.fixture()
        try fixture.expectSuccess(["secret", "add", "recipients"], stdin: "a value")
        let result = try Subprocess.run(
            "/usr/bin/timeout", ["20", JourneyBinary.path, "secret", "rekey", "--all"],
            environment: JourneyBinary.environment(configHome: fixture.configHome, [:]), currentDirectory: fixture.root)
        #expect(result.exitCode == 0, "\(result.allOutput)")
        #expect(result.stdoutText.contains("Re-wrapped 'recipients'"), "\(result.allOutput)")
    }

    @Test func keysRemoveReadsRecipientsAndEachSealedFileOnce() throws {
        let fixture = try Self.fixture()
        try fixture.expectSuccess(["keys", "add", "bob", PrivateKey.generate().publicKey.text])
        try fixture.expectSuccess(["secret", "rekey", "--all"])
        var output = ""
        let counts = try Self.opens(in: fixture.root + "/secrets") { output = try fixture.expectSuccess(["keys", "remove", "bob"]).stdoutText }
        #expect(output.contains("api-token") && output.contains("webhook"), "\(output)")
        for file in Self.files { #expect(counts[file] == 1, "\(file): \(counts)") }
    }

    /// While `secret update` waits for its value it holds no lock (a rekey or another update
    /// goes through), and a rotation made meanwhile is not overwritten: the waiting update
    /// writes nothing and says to run it again.
    @Test func anUpdateWaitingForItsValueHoldsNoLockAndLosesNoRotation() throws {
        let fixture = try Self.fixture()
        let waiting = Process()
        waiting.executableURL = URL(fileURLWithPath: JourneyBinary.path)
        waiting.arguments = ["secret", "update", "api-token"]
        waiting.environment = JourneyBinary.environment(configHome: fixture.configHome, [:])
        waiting.currentDirectoryURL = URL(fileURLWithPath: fixture.root)
        let input = Pipe()
        let errors = Pipe()
        waiting.standardInput = input
        waiting.standardOutput = FileHandle.nullDevice
        waiting.standardError = errors
        try waiting.run()
        defer { if waiting.isRunning { kill(waiting.processIdentifier, SIGKILL) } }
        usleep(300_000)  // it has read the file and waits on stdin

        let other = try Subprocess.run(
            "/usr/bin/timeout", ["20", JourneyBinary.path, "secret", "update", "api-token"],
            environment: JourneyBinary.environment(configHome: fixture.configHome, [:]), currentDirectory: fixture.root,
            stdin: Array("rotated by the other".utf8))
        #expect(other.exitCode == 0 && other.stdoutText.contains("version 1 → 2"), "\(other.allOutput)")

        input.fileHandleForWriting.write(Data("typed slowly".utf8))
        try input.fileHandleForWriting.close()
        waiting.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(waiting.terminationStatus == 2 && message.contains("another command changed"), "\(message)")
        let sealed = try String(contentsOfFile: fixture.root + "/secrets/api-token.sealed", encoding: .utf8)
        #expect(sealed.contains("version: 2"), "the other rotation stands")
    }

    @Test func secretUpdateReadsTheSealedFileAndRecipientsOnce() throws {
        let fixture = try Self.fixture()
        var output = ""
        let counts = try Self.opens(in: fixture.root + "/secrets") {
            output = try fixture.expectSuccess(["secret", "update", "api-token"], stdin: "rotated").stdoutText
        }
        #expect(output.contains("version 1 → 2"), "\(output)")
        #expect(counts["api-token.sealed"] == 1, "\(counts)")
        #expect(counts["recipients.yaml"] == 1, "\(counts)")
        // An empty value still names the version it left alone, and changes nothing.
        let empty = try fixture.run(["secret", "update", "api-token"], stdin: "")
        #expect(empty.exitCode == 2 && empty.stderrText.contains("version 2 is unchanged"), "\(empty.allOutput)")
        let missing = try fixture.run(["secret", "update", "api-tokn"], stdin: "x")
        #expect(missing.exitCode == 2 && missing.stderrText.contains("did you mean 'api-token'"), "\(missing.allOutput)")
    }
}
