import Foundation
import TestSupport
import Testing

/// The binary `make dist` ships runs where neither the Swift toolchain nor the C libraries it
/// links statically can be found (scripts/self-contained-check.sh: a mount namespace hides
/// them), and does init → keys → seal → open → run there.
///
/// `make test` links a copy of the debug build with the release recipe's flags and names it in
/// JOURNEY_SELF_CONTAINED_BINARY; a plain `swift test` has no such binary and skips this test.
@Suite("Self-contained binary")
struct SelfContainedTests {
    static let binary = ProcessInfo.processInfo.environment["JOURNEY_SELF_CONTAINED_BINARY"]

    @Test(.enabled(if: binary != nil, "set by make test: the statically linked journey"))
    func runsWithTheToolchainAndTheLibrariesHidden() throws {
        let binary = try #require(Self.binary)
        let check = try Subprocess.run("bash", [PackagePaths.root + "/scripts/self-contained-check.sh", binary])
        #expect(check.exitCode == 0, "\(check.allOutput)")
        #expect(check.stdoutText.contains("self-contained: ok"))
    }
}
