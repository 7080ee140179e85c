import Foundation

/// Git's smart HTTP protocol on 127.0.0.1: `git http-backend` behind Python's CGI server, serving
/// every repository under `root`. Stopped when the value goes away.
package final class GitHTTPServer {
    package let port: Int
    private let process: Process

    /// Serves the repositories in `root` on a free port of 127.0.0.1.
    package init(root: String) throws {
        let script = root + "/.git-http-server.py"
        try Data(Self.script.utf8).write(to: URL(fileURLWithPath: script))
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Subprocess.resolve("python3"))
        process.arguments = [script, root]
        process.environment = Git.environment()
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints the port it bound, then nothing more.
        var line = Data()
        while !line.contains(10) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw GitHTTPServerError(description: "the git HTTP server did not start (python3 \(script))")
        }
        self.port = port
    }

    deinit { stop() }

    /// The URL of the repository at `root/relative`.
    package func url(_ relative: String) -> String { "http://127.0.0.1:\(port)/cgi-bin/git/\(relative)" }

    /// Stops the server (its process, by id) and waits for it. SIGKILL, because a child of the
    /// test runner inherits its blocked signal mask, SIGTERM included.
    package func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Python's CGI server runs scripts as `nobody` when started as root; git would then refuse
    /// repositories it does not own, so scripts run as the test's own user.
    static let script = #"""
        import http.server, os, subprocess, sys
        http.server.nobody_uid = lambda: os.getuid()
        root = sys.argv[1]
        os.environ["GIT_PROJECT_ROOT"] = root
        os.environ["GIT_HTTP_EXPORT_ALL"] = "1"
        backend = os.path.join(subprocess.run(["git", "--exec-path"], capture_output=True, text=True).stdout.strip(), "git-http-backend")
        os.makedirs(os.path.join(root, "cgi-bin"), exist_ok=True)
        link = os.path.join(root, "cgi-bin", "git")
        if not os.path.lexists(link):
            os.symlink(backend, link)
        os.chdir(root)

        class Handler(http.server.CGIHTTPRequestHandler):
            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()

        """#
}

package struct GitHTTPServerError: Error, CustomStringConvertible {
    package var description: String
}
