import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

/// The security model of `journey ui` (docs/UI.md), over real HTTP on 127.0.0.1.
@Suite(.serialized) struct APISecurityTests {
    @Test func theServerRefusesWhatTheModelRefusesAndMarksEveryResponse() throws {
        let server = try UIServer()
        var responses: [UIServer.Response] = []
        func record(_ response: UIServer.Response) -> UIServer.Response {
            responses.append(response)
            return response
        }

        // No token: 401, for the API and the pages alike; a wrong token too.
        #expect(try record(server.request("GET", "/api/secrets")).status == 401)
        #expect(try record(server.request("GET", "/secrets")).status == 401)
        #expect(try record(server.request("GET", "/api/secrets", headers: ["Authorization": "Bearer " + String(repeating: "0", count: 32)])).status == 401)
        #expect(try record(server.request("GET", "/api/secrets", headers: ["Cookie": "journey-ui-\(server.port)=nope"])).status == 401)

        // DNS rebinding: right token, wrong Host.
        #expect(try record(server.request("GET", "/api/secrets", headers: server.bearer, host: "evil.example:\(server.port)")).status == 421)
        #expect(try record(server.request("GET", "/api/secrets", headers: server.bearer, host: "127.0.0.1:1")).status == 421)

        // The URL token becomes an HttpOnly, SameSite=Strict cookie, and the token leaves the URL.
        let login = try record(server.request("GET", "/?token=\(server.token)"))
        #expect(login.status == 303)
        let cookie = try #require(login.headers["set-cookie"])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        #expect(login.headers["location"]?.contains("token") == false)
        // The redirect stays on this server: "//host/…" would leave it (an open redirect).
        let offSite = try record(server.request("GET", "//evil.example/x?token=\(server.token)"))
        #expect(offSite.status == 303 && offSite.headers["location"] == "/secrets")
        let cookieHeader = String(cookie.split(separator: ";")[0])
        #expect(try record(server.request("GET", "/api/secrets", headers: ["Cookie": cookieHeader])).status == 200)
        let page = try record(server.request("GET", "/secrets", headers: ["Cookie": cookieHeader]))
        #expect(page.status == 200 && page.body.contains("/assets/app.js") && !page.body.contains("<script>"))

        // State changes: a foreign Origin, no CSRF token, a wrong one, or a form post are refused.
        let body = #"{"name":"from-attacker","description":"","value":"attacker-value"}"#
        let csrf = try server.csrf()
        var json = ["Cookie": cookieHeader, "Content-Type": "application/json"]
        #expect(try record(server.request("POST", "/api/secrets", headers: json, body: body)).status == 403)
        json["X-CSRF-Token"] = String(repeating: "f", count: 32)
        #expect(try record(server.request("POST", "/api/secrets", headers: json, body: body)).status == 403)
        json["X-CSRF-Token"] = csrf
        json["Origin"] = "http://evil.example"
        #expect(try record(server.request("POST", "/api/secrets", headers: json, body: body)).status == 403)
        json["Origin"] = "null"
        #expect(try record(server.request("POST", "/api/secrets", headers: json, body: body)).status == 403)
        json["Origin"] = nil
        json["Sec-Fetch-Site"] = "cross-site"
        #expect(try record(server.request("POST", "/api/secrets", headers: json, body: body)).status == 403)
        json["Sec-Fetch-Site"] = nil
        json["Content-Type"] = "application/x-www-form-urlencoded"
        #expect(try record(server.request("POST", "/api/secrets", headers: json, body: body)).status == 415)
        #expect(try record(server.request("DELETE", "/api/secrets/slack-token", headers: ["Cookie": cookieHeader])).status == 403)
        #expect(!server.fixture.workspace.hasSecret(try SecretName("from-attacker")))
        #expect(server.fixture.workspace.hasSecret(try SecretName("slack-token")))

        // The same request from the page's origin with the token is accepted.
        json["Content-Type"] = "application/json"
        json["Origin"] = "http://127.0.0.1:\(server.port)"
        #expect(try record(server.request("POST", "/api/secrets", headers: json, body: body)).status == 201)

        for response in responses {
            #expect(response.headers["cache-control"] == "no-store")
            #expect(response.headers["content-security-policy"]?.contains("script-src 'self'") == true)
            #expect(response.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true)
            #expect(response.headers["content-security-policy"]?.contains("unsafe-inline") == false)
            #expect(response.headers["x-frame-options"] == "DENY")
        }
        let log = server.stopAndReadLog()
        #expect(!log.contains("attacker-value") && !log.contains(server.token))
    }

    @Test func aValueGoesInOnceAndNeverComesBack() throws {
        let server = try UIServer()
        let value = "v4lue-" + UUID().uuidString
        let headers = try server.changing()
        let added = try server.request("POST", "/api/secrets", headers: headers, body: #"{"name":"db-password","description":"DB","value":"\#(value)"}"#)
        #expect(added.status == 201)
        #expect(added.body.contains("\"version\":1"))
        let rotated = try server.request("PUT", "/api/secrets/db-password/value", headers: headers, body: #"{"value":"\#(value)-2"}"#)
        #expect(rotated.status == 200 && rotated.body.contains("\"version\":2"))
        // A duplicate, a bad name, an empty value: clear errors, no value in them.
        #expect(try server.request("POST", "/api/secrets", headers: headers, body: #"{"name":"db-password","value":"\#(value)"}"#).status == 409)
        let bad = try server.request("POST", "/api/secrets", headers: headers, body: #"{"name":"Bad Name","value":"\#(value)"}"#)
        #expect(bad.status == 400 && bad.body.contains("lowercase"))
        #expect(try server.request("PUT", "/api/secrets/db-password/value", headers: headers, body: #"{"value":""}"#).status == 400)
        // Description only: value and version stay.
        let described = try server.request("PATCH", "/api/secrets/db-password", headers: headers, body: #"{"description":"Reporting DB"}"#)
        #expect(described.status == 200 && described.body.contains("Reporting DB") && described.body.contains("\"version\":2"))
        // Removing a used secret is refused, naming the journey.
        let refused = try server.request("DELETE", "/api/secrets/payments-api-key", headers: headers)
        #expect(refused.status == 409 && refused.body.contains("checkout"))
        #expect(
            try server.request("DELETE", "/api/secrets/db-password", headers: ["Authorization": "Bearer \(server.token)", "X-CSRF-Token": try server.csrf()])
                .status == 204)

        var bodies = [added.body, rotated.body, bad.body, described.body, refused.body]
        for path in ["/api/secrets", "/api/journeys", "/api/journeys/checkout", "/api/recipients", "/api/changes", "/api/schema", "/secrets"] {
            let response = try server.request("GET", path, headers: server.bearer)
            #expect(response.status == 200, "\(path)")
            bodies.append(response.body)
        }
        for body in bodies { #expect(!body.contains(value)) }
        #expect(!server.stopAndReadLog().contains(value))
    }

    @Test func theValueSealedThroughTheAPIOpensWithTheCLI() throws {
        let server = try UIServer()
        let value = "opened-" + UUID().uuidString
        let added = try server.request(
            "POST", "/api/secrets", headers: try server.changing(), body: #"{"name":"fresh-key","description":"","value":"\#(value)"}"#)
        #expect(added.status == 201)
        let opened = try JourneyBinary.run(
            ["exec", "--workspace", server.fixture.root, "--secret", "fresh-key", "--", "sh", "-c", "test \"$FRESH_KEY\" = '\(value)' && echo same"],
            in: server.fixture.root, configHome: server.scratch.path("config"), environment: ["JOURNEY_KEY_FILE": server.keyFile])
        #expect(opened.exitCode == 0 && opened.stdoutText.contains("same"))

        // Recipients: add a public key, then remove it; removal lists the secrets to rotate.
        let other = PrivateKey.generate()
        let headers = try server.changing()
        let addedKey = try server.request("POST", "/api/recipients", headers: headers, body: #"{"name":"bob","key":"\#(other.publicKey.text)"}"#)
        #expect(addedKey.status == 201 && addedKey.body.contains(other.publicKey.id.hex))
        #expect(try server.request("POST", "/api/recipients", headers: headers, body: #"{"name":"eve","key":"not-a-key"}"#).status == 400)
        let removed = try server.request("DELETE", "/api/recipients/alice", headers: headers)
        #expect(removed.status == 200 && removed.body.contains("payments-api-key") && removed.body.contains("fresh-key"))
        let list = try server.request("GET", "/api/recipients", headers: server.bearer)
        #expect(list.body.contains("\"bob\"") && !list.body.contains("\"alice\""))
    }

    @Test func theJourneysListShowsCheckProblemsAndTheEditorSavesInPlace() throws {
        let server = try UIServer()
        try "name: broken\nsteps:\n  - name: s\n    run: echo\n    env: { T: { secret: not-sealed } }\n".write(
            toFile: server.fixture.root + "/journeys/broken.yaml", atomically: true, encoding: .utf8)
        try "name: bad\nsteps: 3\n".write(toFile: server.fixture.root + "/journeys/bad.yaml", atomically: true, encoding: .utf8)
        let list = try server.request("GET", "/api/journeys", headers: server.bearer)
        #expect(list.body.contains("secret 'not-sealed' has no sealed file") && list.body.contains("expected 'steps' to be a non-empty list"))
        let path = server.fixture.root + "/journeys/checkout.yaml"
        let before = try String(contentsOfFile: path, encoding: .utf8)
        let saved = try server.request(
            "PUT", "/api/journeys/checkout", headers: try server.changing(),
            body: #"{"edits":[{"path":"values.base_url","source":"secret","text":"slack-token"}]}"#)
        #expect(saved.status == 200)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == before.replacingOccurrences(of: "{ env: DEMO_BASE_URL }", with: "{ secret: slack-token }"))
        // A save that names a revision the file no longer has is refused: nothing is overwritten.
        let stale = try server.request(
            "PUT", "/api/journeys/checkout", headers: try server.changing(),
            body: #"{"revision":"0","edits":[{"path":"values.amount","source":"literal","text":"5"}]}"#)
        #expect(stale.status == 409 && stale.body.contains("changed since the page opened it"))
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("amount: \"1000\""))
        // A literal credential is refused with the field named, and nothing is written.
        let token = "ghp_" + String(repeating: "Kq4", count: 12)
        let refused = try server.request(
            "PUT", "/api/journeys/notify", headers: try server.changing(),
            body: #"{"edits":[{"path":"steps.0.env.SLACK_TOKEN","source":"literal","text":"\#(token)"}]}"#)
        #expect(refused.status == 422 && refused.body.contains("steps.0.env.SLACK_TOKEN") && !refused.body.contains(token))
        #expect(try !String(contentsOfFile: server.fixture.root + "/journeys/notify.yaml", encoding: .utf8).contains(token))
    }

    @Test func aCommitWithALeakIsRefusedAndACleanOneGoesIn() throws {
        let server = try UIServer()
        let headers = try server.changing()
        // Built in two parts so this file holds no token-shaped literal of its own.
        let leak = "sk_" + "live_51Mq8TzQ4vR2nX7bK9pL3wYd6"
        try ("KEY=" + leak + "\n").write(toFile: server.fixture.root + "/notes.env", atomically: true, encoding: .utf8)
        let changes = try server.request("GET", "/api/changes", headers: server.bearer)
        #expect(changes.body.contains("notes.env"))
        let refused = try server.request("POST", "/api/changes/commit", headers: headers, body: #"{"message":"add notes"}"#)
        #expect(refused.status == 422 && refused.body.contains("notes.env") && !refused.body.contains(leak))
        try FileManager.default.removeItem(atPath: server.fixture.root + "/notes.env")
        try "# notes\n".write(toFile: server.fixture.root + "/notes.md", atomically: true, encoding: .utf8)
        let committed = try server.request("POST", "/api/changes/commit", headers: headers, body: #"{"message":"add notes"}"#)
        #expect(committed.status == 200, "\(committed.body)")
        let log = try Subprocess.run("git", ["log", "--oneline", "-1"], currentDirectory: server.fixture.root)
        #expect(log.stdoutText.contains("add notes"))
    }
}
