import Foundation
import TestSupport
import Testing

@Suite("Threat: a hostile repository's text reaches the runner's output")
struct RunnerPrintedTextTests {
    /// A credential pasted where a secret name goes, and escape sequences in a description and a
    /// step name, pushed to a bare repository: the runner prints neither the credential nor a raw
    /// control character.
    @Test func theRunnerRedactsPastedCredentialsAndEscapesControlCharacters() throws {
        let fixture = try RunnerCLIFixture()
        let pasted = "sk_live_4eC39HqLyjWD" + fixture.canary.text.uppercased()
        try fixture.published.write(
            "description: \"pay \\e]0;owned\\a\"\nsteps:\n  - name: \"charge \\e[2J\"\n    run: 'true'\n    env: { KEY: { secret: \(pasted) } }\n",
            to: "journeys/pasted.yaml")
        try fixture.published.write(
            "description: \"d \\e[31m\"\nsteps:\n  - name: \"step \\e]0;x\\a\\u009b1m\"\n    run: echo hi\n", to: "journeys/escapes.yaml")
        _ = try fixture.published.commitAndPush("hostile text")
        let pastedRun = try fixture.runner(journey: "pasted")
        #expect(pastedRun.exitCode == 2, "\(pastedRun.allOutput)")
        #expect(pastedRun.allOutput.contains("journeys/pasted.yaml:5:"), "\(pastedRun.allOutput)")
        let escapesRun = try fixture.runner(journey: "escapes")
        #expect(escapesRun.exitCode == 0, "\(escapesRun.allOutput)")
        for result in [pastedRun, escapesRun] {
            #expect(!result.allOutput.contains(pasted) && !result.allOutput.contains(fixture.canary.text.uppercased()))
            #expect(!(result.stdout + result.stderr).contains { $0 == 0x1b || $0 == 0x07 }, "\(result.allOutput)")
        }
    }
}
