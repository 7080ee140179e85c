import Foundation
import TestSupport
import Testing

/// The team's rules reach `scan` and the push hook through one loader: `--config FILE`
/// (relative to the current folder; it must exist), else `.gitleaks.toml` at the top of the
/// repository; a config that cannot be used is an error in both, never a scan without it.
@Suite("Team rules file for scan and the push hook")
struct ScanConfigTests {
    static let rule = "[[rules]]\nid = 'acme-token'\nregex = '''acme_[a-z0-9]{24}'''\nkeywords = ['acme_']\n"

    @Test func scanAndThePushHookReadTheSameConfigAndRefuseTheSameBrokenOne() throws {
        let fixture = try CLIFixture()
        try Git.initRepository(at: fixture.root)
        _ = try fixture.scratch.write("token: acme_\(String(repeating: "k7", count: 12))\n", to: "workspace/app.txt")
        let head = try Git.commitAll(in: fixture.root).trimmingCharacters(in: .whitespacesAndNewlines)
        let push = "refs/heads/main \(head) refs/heads/main \(String(repeating: "0", count: 40))\n"

        // No team file: the custom token is nobody's rule.
        #expect(try fixture.run(["scan", "--all"]).exitCode == 0)
        // --config, relative to the current folder.
        _ = try fixture.scratch.write(Self.rule, to: "workspace/ci/rules.toml")
        let configured = try fixture.run(["scan", "--all", "--config", "ci/rules.toml"])
        #expect(configured.exitCode == 1 && configured.stdoutText.contains("acme-token"), "\(configured.allOutput)")
        let missing = try fixture.run(["scan", "--all", "--config", "ci/nope.toml"])
        #expect(missing.exitCode == 2 && missing.stderrText.contains("the config ci/nope.toml does not exist"), "\(missing.allOutput)")

        // The repository's .gitleaks.toml: both read it...
        _ = try fixture.scratch.write(Self.rule, to: "workspace/.gitleaks.toml")
        #expect(try fixture.run(["scan", "--all"]).stdoutText.contains("acme-token"))
        let hook = try JourneyBinary.run(
            ["hook", "check-push", "--pre-push", "origin"], in: fixture.root, configHome: fixture.configHome, stdin: Array(push.utf8))
        #expect(hook.exitCode == 1 && hook.allOutput.contains("acme-token"), "\(hook.allOutput)")
        // ...and both refuse it broken, with its line, instead of scanning without it.
        _ = try fixture.scratch.write("[[rules]]\nid = 'a'\nregx = 'x'\n", to: "workspace/.gitleaks.toml")
        let broken = try fixture.run(["scan", "--all"])
        let brokenHook = try JourneyBinary.run(
            ["hook", "check-push", "--pre-push", "origin"], in: fixture.root, configHome: fixture.configHome, stdin: Array(push.utf8))
        for result in [broken, brokenHook] {
            #expect(result.exitCode == 2, "\(result.allOutput)")
            #expect(result.stderrText.contains(".gitleaks.toml:3") && result.stderrText.contains("unknown key 'regx'"), "\(result.allOutput)")
        }
        #expect(try fixture.run(["scan", "--all", "--no-config"]).exitCode == 0)
    }
}
