import AdminUI
import ArgumentParser
import Foundation

struct UICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Serve the Admin page (secrets, recipients, journeys, runs, changes) on 127.0.0.1.",
        discussion: """
            Prints one URL with a fresh 128-bit token; open it in a browser on
            this machine. The token becomes an HttpOnly cookie; scripts send
            'Authorization: Bearer TOKEN' and, on every change, the X-CSRF-Token
            from GET /api/session. Only 127.0.0.1 is served. A value typed into
            the page is sealed at once and never sent back.

            Runs started from the page are 'journey run' by this binary, with
            this process's environment (JOURNEY_KEY_FILE for sealed runs;
            JOURNEY_KEY's text is taken out of the process at start and not
            handed on).
            Stop with Ctrl-C. The pages, the API and the security model:
            docs/UI.md.

            Examples:
              journey ui
              journey ui --port 8765 --workspace ./ops
            """)

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Option(help: "Port on 127.0.0.1 (default: a free one).")
    var port: UInt16 = 0

    func run() throws {
        let workspace = try workspaceOptions.open()
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        // A server stops on SIGTERM and Ctrl-C even when started by a parent that blocks
        // signals (children inherit the mask); a closed connection is not a signal.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigprocmask(SIG_SETMASK, &unblocked, nil)
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
        signal(SIGPIPE, SIG_IGN)
        try AdminApp.serve(
            workspace: workspace, port: port, executable: executable,
            ready: { url in
                // Written straight to the descriptor: a script reading the URL must not wait on
                // stdio's buffer.
                FileHandle.standardOutput.write(Data("journey ui: serving \(workspace.root)\n\(url)\n".utf8))
            },
            log: { line in Output.note(line) })
    }
}
