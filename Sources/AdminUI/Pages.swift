import Foundation

/// The HTML of each page: a shell that loads `/assets/app.js` and `/assets/app.css` (no inline
/// script or style, as the CSP requires); the script fills `<main>` from the JSON API.
enum Pages {
    static let names: Set<String> = ["secrets", "recipients", "journeys", "runs", "changes"]

    static let titles: [(page: String, title: String)] = [
        ("secrets", "Secrets management"), ("recipients", "Recipients"), ("journeys", "Journeys"), ("runs", "Runs"), ("changes", "Changes"),
    ]

    static func shell(page: String, csrf: String, workspaceName: String) -> HTTPResponse {
        let title = titles.first { $0.page == page }?.title ?? "journey"
        var nav = ""
        for item in titles {
            let current = item.page == page ? " aria-current=\"page\" class=\"current\"" : ""
            nav += "<a href=\"/\(item.page)\"\(current) id=\"nav-\(item.page)\">\(item.title)</a>"
        }
        let html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="csrf-token" content="\(csrf)">
            <title>\(escape(title)) · journey</title>
            <link rel="stylesheet" href="/assets/app.css">
            <script src="/assets/app.js" defer></script>
            </head>
            <body data-page="\(page)">
            <aside class="sidebar">
            <div class="brand"><span class="logo">j</span><div><strong>journey</strong><small>Admin</small></div></div>
            <nav>\(nav)</nav>
            <div class="workspace">Workspace<br><strong>\(escape(workspaceName.isEmpty ? "(unnamed)" : workspaceName))</strong></div>
            </aside>
            <main id="main" aria-live="polite"><p class="muted">Loading…</p></main>
            <div id="toast" role="status"></div>
            </body>
            </html>

            """
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: .bytes(Array(html.utf8)))
    }

    static func refused(status: Int, message: String) -> HTTPResponse {
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Refused · journey</title></head>
            <body><h1>journey ui: \(status)</h1><p>\(escape(message))</p></body></html>

            """
        return HTTPResponse(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: .bytes(Array(html.utf8)))
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// The script and the style sheet, compiled into the binary: the page needs no network.
enum Assets {
    static func response(_ name: String) throws -> HTTPResponse {
        switch name {
        case "app.js":
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/javascript; charset=utf-8")], body: .bytes(Array(AppScript.text.utf8)))
        case "app.css":
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/css; charset=utf-8")], body: .bytes(Array(AppStyle.text.utf8)))
        default:
            throw AdminUIError.notFound("no asset \(AccessControl.printable(name))")
        }
    }
}
