import FoundationEssentials
import Sealing
import TestSupport
import Testing

@testable import Run

/// `HTTPURL` parses an `http` step's URL from wiped bytes instead of with Foundation's `URL`
/// (the URL may hold a value). It must take every URL apart as Foundation did — the same
/// host, port and request target, the same refusals, the same redirect resolution — so these
/// tests compare the two on the same inputs.
@Suite("HTTP step URLs parsed in wiped memory")
struct HTTPURLTests {
    /// What the client took from Foundation before: scheme, host, port, target; nil when refused.
    static func foundation(_ url: URL) -> String? {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: true),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = components.percentEncodedHost, !host.isEmpty,
            components.user == nil, components.password == nil
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard host.removingPercentEncoding == host else { return nil }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { return nil }
        let path = components.percentEncodedPath
        var target = path.isEmpty ? "/" : path
        if let query = components.percentEncodedQuery { target += "?" + query }
        return "\(scheme) \(host.lowercased()) \(port) \(target)"
    }

    static func foundation(_ text: String) -> String? { URL(string: text).flatMap(foundation) }

    static func parsed(_ url: HTTPURL?) -> String? {
        url.map { "\($0.scheme) \($0.host) \($0.port) \(String(decoding: $0.target.testBytes, as: UTF8.self))" }
    }

    static func parsed(_ text: String) -> String? { parsed(HTTPURL(SecretBytes(copying: Array(text.utf8)))) }

    static let urls = [
        "http://127.0.0.1:8080/v1/payments", "https://api.example.com/v1/x?key=abc&b=2#frag", "HTTP://Example.COM/Path",
        "http://h/a b?q=x y", "http://h/a%zz", "http://h/a%2Fb%2f", "http://h/ü?ä=1", "http://h:99999/", "http://h:0/", "http://user@h/",
        "http://user:pw@h/", "http://[::1]:8080/x", "http://[::1]/", "http://h", "http://h?x", "http://h#x", "http://h/a\\b",
        "http://h/{x}|^`\"<>", "http://h/p/../q/./r", "http:/h/x", "http://h:/x", "http://h:8a/x", "http://h%41/x", "http:h/x",
        " http://h/x", "http://h/x ", "http://h/x\n", "http://h/a#b#c", "http://h/a?b?c", "ftp://h/x", "http://", "http:///x",
        "http://h/~user/it's(1)*!$,;=:@", "http://h/?a=%", "http://h/?a=%4", "http://h/%", "https://h:443/", "http://h:00080/",
        "http://a.b-c_d~e/", "http://h/a[b]?c[d]",
    ]

    @Test(arguments: urls)
    func aURLIsTakenApartAsFoundationDid(_ text: String) {
        #expect(Self.parsed(text) == Self.foundation(text))
    }

    static let locations = [
        "/landing", "landing", "../up", "./here", "a/./b/../c", "?page=2", "", "#top", "/a/b/../../c", "../../../../x",
        "//other.example/x", "http://127.0.0.1:8080/abs?x=1", "https://h/x", "other/with space", "/p?q=a b", ".", "..", "/.", "/..",
        "x/..", "x/.", "g;x?y#s",
    ]
    static let bases = ["http://127.0.0.1:8080/hooks/KEY/notify?token=KEY", "http://h/", "http://h", "http://h/a/b/c", "http://h/a/b/"]

    @Test func aRedirectLocationResolvesAsFoundationResolvedIt() throws {
        for base in Self.bases {
            let url = try #require(HTTPURL(base))
            for location in Self.locations {
                let expected = URL(string: location, relativeTo: URL(string: base)).flatMap { Self.foundation($0.absoluteURL) }
                #expect(Self.parsed(url.resolving(location)) == expected, "\(location) against \(base)")
            }
        }
    }
}
