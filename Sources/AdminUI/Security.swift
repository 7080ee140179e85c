import Foundation
import Sealing

/// Headers on every response, whatever its status: nothing cached, nothing framed, scripts and
/// styles only from this server, no inline script.
enum SecurityHeaders {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    static let all: [(String, String)] = [
        ("Cache-Control", "no-store"),
        ("Pragma", "no-cache"),
        ("Content-Security-Policy", contentSecurityPolicy),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    ]
}

/// The per-launch credentials and the checks every request passes before a handler sees it
/// (docs/UI.md, "Security model").
struct AccessControl: Sendable {
    /// 128 random bits, hex: printed once in the URL; the browser keeps it as an HttpOnly cookie.
    let token: String
    /// 128 random bits, hex: given to the page in a meta tag; every state change sends it back.
    let csrfToken: String
    let port: UInt16

    init(port: UInt16, token: String = Hex.randomID(), csrfToken: String = Hex.randomID()) {
        self.port = port
        self.token = token
        self.csrfToken = csrfToken
    }

    /// One cookie per port: cookies do not separate ports, two servers must not share one.
    var cookieName: String { "journey-ui-\(port)" }

    var allowedHosts: Set<String> { ["127.0.0.1:\(port)", "localhost:\(port)"] }
    var allowedOrigins: Set<String> { Set(allowedHosts.map { "http://" + $0 }) }

    enum Verdict {
        case allowed(viaBearer: Bool)
        /// Refused with this status and message.
        case refused(Int, String)
        /// The token came in the URL: set the cookie and send the browser to the clean path.
        case setCookie
    }

    func check(_ request: HTTPRequest) -> Verdict {
        // DNS rebinding: a page of another site whose name now points at 127.0.0.1 sends its
        // own name as Host.
        guard let host = request.header("host"), allowedHosts.contains(host.lowercased()) else {
            return .refused(421, "refused: the Host header must be 127.0.0.1:\(port) or localhost:\(port)")
        }
        if let site = request.header("sec-fetch-site"), !["same-origin", "none"].contains(site) {
            return .refused(403, "refused: a request from another site")
        }
        let changesState = !["GET", "HEAD"].contains(request.method)
        if let origin = request.header("origin"), !allowedOrigins.contains(origin.lowercased()) {
            return .refused(403, "refused: a request from origin \(Self.printable(origin)) (only the page served here may call the API)")
        }
        var bearer = false
        if let authorization = request.header("authorization") {
            guard authorization.hasPrefix("Bearer "), Self.constantTimeEqual(String(authorization.dropFirst(7)), token) else {
                return .refused(401, "refused: wrong bearer token; use the token printed by 'journey ui'")
            }
            bearer = true
        } else if let cookie = request.cookie(cookieName), Self.constantTimeEqual(cookie, token) {
            bearer = false
        } else if request.method == "GET", let given = request.query["token"], Self.constantTimeEqual(given, token) {
            return .setCookie
        } else {
            return .refused(401, "refused: no token; open the URL printed by 'journey ui', or send Authorization: Bearer TOKEN")
        }
        if changesState {
            // A page that is not ours cannot read the CSRF token (the page's meta tag, or
            // GET /api/session for scripts), so it cannot make a change ride on the cookie.
            guard let sent = request.header("x-csrf-token"), Self.constantTimeEqual(sent, csrfToken) else {
                return .refused(403, "refused: a state change without the CSRF token (X-CSRF-Token)")
            }
            if !request.body.isEmpty {
                guard let type = request.header("content-type"), type.lowercased().hasPrefix("application/json") else {
                    return .refused(415, "refused: send the body as application/json")
                }
            }
        }
        return .allowed(viaBearer: bearer)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<x.count { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// Header text for a message: printable ASCII, cut short.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(80).map { $0.isASCII && $0.value >= 32 && $0.value < 127 ? Character($0) : "?" })
    }
}
