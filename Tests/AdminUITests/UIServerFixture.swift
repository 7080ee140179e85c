import Foundation
import Sealing
import TestSupport
import Workspace

/// A real `journey ui` process on 127.0.0.1 over a scratch workspace in a git repository, and
/// a raw HTTP/1.1 client that can send any Host, Origin or token (URLSession would not).
final class UIServer {
    let scratch: ScratchFolder
    let fixture: WorkspaceFixture
    let process: Process
    let port: UInt16
    let token: String
    let keyFile: String
    private let stderrPipe = Pipe()

    /// With `environments`, the secrets move into `staging` and an empty `production` is added.
    init(environments: Bool = false) throws {
        scratch = try ScratchFolder(label: "ui")
        fixture = try Fixtures.workspace(in: try scratch.folder("repo"), recipients: ["alice"])
        keyFile = try Fixtures.writeKeyFile(fixture.key, to: scratch.path("keys/alice.key"))
        for name in ["checkout.yaml", "notify.yaml"] {
            try FileManager.default.copyItem(
                atPath: PackagePaths.root + "/example-workspace/journeys/" + name, toPath: fixture.root + "/journeys/" + name)
        }
        try fixture.workspace.addSecret(SecretName("payments-api-key"), value: Fixtures.secret("pay-value-1"), description: "Payments sandbox key")
        try fixture.workspace.addSecret(SecretName("slack-token"), value: Fixtures.secret("slack-value-1"), description: "Slack")
        if environments {
            try fixture.workspace.addEnvironment(EnvironmentName("staging"), movingFlatStore: true, openingWith: fixture.key)
            try Workspace(root: fixture.root).addEnvironment(EnvironmentName("production"))
        }
        _ = try Subprocess.run("git", ["init", "-q"], currentDirectory: fixture.root)
        _ = try Subprocess.run("git", ["add", "-A"], currentDirectory: fixture.root)
        _ = try Subprocess.run("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "init"], currentDirectory: fixture.root)

        process = Process()
        process.executableURL = URL(fileURLWithPath: JourneyBinary.path)
        process.arguments = ["ui", "--workspace", fixture.root]
        process.environment = JourneyBinary.environment(
            configHome: scratch.path("config"),
            [
                "JOURNEY_KEY_FILE": keyFile, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@example.com",
            ])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = stderrPipe
        try process.run()
        // The URL is the second line; read until it is whole.
        var text = ""
        while !text.contains("token=") || !text.hasSuffix("\n") {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.contains("?token=") }),
            let url = URLComponents(string: String(line)), let port = url.port, let token = url.queryItems?.first?.value
        else { throw ScratchError.cannotCreate("journey ui", "no URL printed: \(text)") }
        self.port = UInt16(port)
        self.token = token
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    /// What the server printed on stderr so far (its request log); stops the server.
    func stopAndReadLog() -> String {
        process.terminate()
        process.waitUntilExit()
        return String(decoding: stderrPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// Sends one request on a fresh connection and reads the whole answer.
    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil, host: String? = nil) throws -> Response {
        let descriptor = try loopbackSocket(port: port)
        defer { close(descriptor) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let bodyBytes = Array((body ?? "").utf8)
        if body != nil { head += "Content-Length: \(bodyBytes.count)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + bodyBytes
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += chunk[0..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let lines = parts[0].components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var responseHeaders: [String: String] = [:]
        for line in lines.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                responseHeaders[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return Response(status: status, headers: responseHeaders, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    var bearer: [String: String] { ["Authorization": "Bearer \(token)"] }

    func csrf() throws -> String {
        let session = try request("GET", "/api/session", headers: bearer)
        let object = try JSONSerialization.jsonObject(with: Data(session.body.utf8)) as! [String: Any]
        return object["csrf"] as! String
    }

    /// Headers for a state change from a script: bearer token, CSRF token, JSON.
    func changing() throws -> [String: String] {
        bearer.merging(["X-CSRF-Token": try csrf(), "Content-Type": "application/json"]) { a, _ in a }
    }
}

/// A TCP socket connected to 127.0.0.1:`port`; the caller closes it.
func loopbackSocket(port: UInt16) throws -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        let reason = String(cString: strerror(errno))
        close(descriptor)
        throw ScratchError.cannotCreate("connect", reason)
    }
    return descriptor
}
