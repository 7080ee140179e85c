import Foundation
import GitStore
import LeakScan
import TestSupport
import Testing

/// `journey scan` in each mode, through the built binary and in-process.
@Suite("Scan modes")
struct ScanModeTests {
    @Test func baselineIsKeyedByContentNotLine() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            try folder.write("# config\nDEPLOY_TOKEN=\(Synthetic.githubToken())\n", to: "deploy.env")
            #expect(try Journey.run(["scan", "--all"], in: folder).exitCode == 1)
            let written = try Journey.run(["scan", "--all", "--write-baseline"], in: folder)
            #expect(written.exitCode == 0, "\(written.allOutput)")
            #expect(FileManager.default.fileExists(atPath: folder.path(".journey-scan-baseline.json")))
            #expect(try Journey.run(["scan", "--all"], in: folder).exitCode == 0)
            // The same line moved down: still the same content, still accepted.
            let baselined = try String(contentsOfFile: folder.path("deploy.env"), encoding: .utf8)
            try folder.write("# moved\n" + baselined, to: "deploy.env")
            #expect(try Journey.run(["scan", "--all"], in: folder).exitCode == 0)
            // A new value on the baselined line is caught again.
            try folder.write("# moved\n# config\nDEPLOY_TOKEN=\(Synthetic.githubToken())\n", to: "deploy.env")
            let again = try Journey.run(["scan", "--all"], in: folder)
            #expect(again.exitCode == 1)
            #expect(again.stdoutText.contains("deploy.env:3:14: github-pat"))
            #expect(try Journey.run(["scan", "--all", "--no-baseline"], in: folder).exitCode == 1)
        }
    }

    @Test func historyScansEachBlobOnceWithItsCommit() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            try folder.write("a\n", to: "a.txt")
            try Git.commitAll(in: folder.path, message: "one")
            let token = Synthetic.stripeKey()
            try folder.write("KEY=\(token)\n", to: "leak.env")
            let introducing = try Git.commitAll(in: folder.path, message: "two")
            for round in 0..<5 {
                try folder.write("round \(round)\n", to: "a.txt")
                try Git.commitAll(in: folder.path, message: "round \(round)")
            }
            try FileManager.default.removeItem(atPath: folder.path("leak.env"))
            try Git.commitAll(in: folder.path, message: "removed")
            let result = try Journey.run(["scan", "--history", "--format", "json"], in: folder)
            #expect(result.exitCode == 1)
            let report = try JSONDecoder().decode(ScanReport.self, from: Data(result.stdout))
            #expect(report.findings.count == 1)
            #expect(report.findings.first?.commit == introducing)
            #expect(report.mode == "history, 8 commits")
            #expect(!result.allOutput.contains(token))
            // A range that excludes the introducing commit finds nothing.
            let later = try Journey.run(["scan", "--history", "\(introducing)..HEAD"], in: folder)
            #expect(later.exitCode == 0, "\(later.allOutput)")
        }
    }

    @Test func treeAtRevisionReadsCommittedContent() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            try folder.write("KEY=\(Synthetic.stripeKey())\n", to: "app.env")
            try Git.commitAll(in: folder.path)
            try folder.write("KEY=${KEY}\n", to: "app.env")
            #expect(try Journey.run(["scan", "--all"], in: folder).exitCode == 0)
            #expect(try Journey.run(["scan", "--all", "--rev", "HEAD"], in: folder).exitCode == 1)
        }
    }

    @Test func repositoryWithNoCommits() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            #expect(try Journey.run(["scan", "--staged"], in: folder).exitCode == 0)
            #expect(try Journey.run(["scan", "--history"], in: folder).exitCode == 0)
            #expect(try Journey.run(["scan", "--all", "--rev", "HEAD"], in: folder).exitCode == 0)
            try folder.write("KEY=\(Synthetic.stripeKey())\n", to: "app.env")
            try Git.run(["add", "app.env"], in: folder.path)
            #expect(try Journey.run(["scan", "--staged"], in: folder).exitCode == 1)
        }
    }

    @Test func brokenIndexIsAnErrorNotACrash() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            try folder.write("a\n", to: "a.txt")
            try Git.run(["add", "a.txt"], in: folder.path)
            try folder.write(Array("DIRC this is not an index".utf8) + [UInt8](repeating: 0xFF, count: 64), to: ".git/index")
            let result = try Journey.run(["scan", "--staged"], in: folder)
            #expect(result.exitCode == 2)
            #expect(result.stderrText.contains("cannot read what is staged"))
        }
    }

    @Test func badInputNeverCrashesTheScan() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            // Invalid UTF-8 around a token.
            let token = Synthetic.githubToken()
            try folder.write([0xC3, 0x28, 0xFF, 0xFE, 0x20] + Array("token = \(token)".utf8) + [0xED, 0xA0, 0x80, 10], to: "invalid-utf8.txt")
            // A 1 MB line holding keywords everywhere, and a 50 MB file.
            let longLine = String(repeating: "password=", count: 1024 * 1024 / 9) + "\n"
            try folder.write(longLine, to: "long-line.txt")
            let chunk = Array(String(repeating: "let token = value // api_key secret\n", count: 1000).utf8)
            var big: [UInt8] = []
            big.reserveCapacity(50 * 1024 * 1024 + chunk.count)
            while big.count < 50 * 1024 * 1024 { big += chunk }
            try folder.write(big, to: "big.txt")
            try folder.write([0x00, 0x01, 0x02] + Array(token.utf8), to: "binary.bin")
            try Git.run(["add", "--all"], in: folder.path)

            for arguments in [["scan", "--staged"], ["scan", "--all"], ["scan", "--all", "--max-file-size", "60"]] {
                let result = try Journey.run(arguments + ["--format", "json"], in: folder)
                #expect(result.exitCode == 1, "\(arguments): \(result.stderrText)")
                let report = try JSONDecoder().decode(ScanReport.self, from: Data(result.stdout))
                #expect(report.findings.contains { $0.path == "invalid-utf8.txt" && $0.rule == "github-pat" })
                #expect(report.skipped.contains { $0.path == "binary.bin" && $0.reason == "binary" })
                #expect(report.skipped.contains { $0.path == "big.txt" } == !arguments.contains("60"))
                #expect(!result.allOutput.contains(token))
            }
        }
    }

    @Test func invalidArgumentsExitTwo() throws {
        try withScratchFolder { folder in
            try Git.initRepository(at: folder.path)
            #expect(try Journey.run(["scan", "--staged", "--history"], in: folder).exitCode == 2)
            #expect(try Journey.run(["scan", "--format", "xml"], in: folder).exitCode == 2)
            try folder.write("{not json", to: ".journey-scan-baseline.json")
            let result = try Journey.run(["scan", "--all"], in: folder)
            #expect(result.exitCode == 2)
            #expect(result.stderrText.contains("not a journey scan baseline"))
        }
    }
}
