import Workspace

/// Runs an `http` step with `HTTPClient`: one request (and same-origin redirects), then the
/// `expect` checks.
/// The URL, the response body and every error are masked before they are shown or reported,
/// since a server may echo a credential back.
struct HTTPStepExecutor {
    let runner: JourneyRunner

    /// How much of a response body is shown (after masking).
    static let shownBodyBytes = 2048

    func run(_ step: HTTPStep, timeout: Duration) -> StepOutcome {
        // The URL may hold a value: parsed from wiped bytes, and shown with every value as ***.
        let urlText = runner.resolved.shownText(step.url)
        guard let url = HTTPURL(runner.resolved.render(step.url).revealBytes()) else {
            return StepOutcome(passed: false, error: "'url' is not an http(s) URL with a host: \(runner.mask(urlText))")
        }
        let request = HTTPRequest(
            method: step.method, url: url,
            headers: step.headers.map { ($0.name, runner.resolved.render($0.value).revealBytes()) },
            body: step.body.map { runner.resolved.render($0).revealBytes() })
        runner.say("      \(step.method) \(urlText)")

        let exchange = HTTPClient.perform(request, timeout: timeout)
        switch exchange {
        case .failed(let reason):
            return StepOutcome(passed: false, error: "\(step.method) \(urlText) failed: \(reason)")
        case .timedOut:
            return StepOutcome(passed: false, error: "\(step.method) \(urlText) got no response within its timeout of \(timeout.shortDescription)")
        case .response(let status, let body):
            let shown = shownBody(body)
            runner.say("      status \(status), \(body.count) byte\(body.count == 1 ? "" : "s")\(shown.isEmpty ? "" : ":")")
            if !shown.isEmpty { runner.emit(.standardOutput, indent(shown)) }
            let detail = "status \(status)"
            guard step.expect.accepts(status: status) else {
                let wanted = step.expect.statuses.map { $0.map(String.init).joined(separator: " or ") } ?? "2xx"
                return StepOutcome(
                    passed: false, detail: detail,
                    error: "expected status \(wanted), got \(status)\(shown.isEmpty ? "" : "; body: " + String(decoding: shown, as: UTF8.self))")
            }
            // Searched in place: the body may echo a value, so it is never copied into a String.
            for expected in step.expect.bodyContains where !body.contains(Array(expected.utf8)) {
                return StepOutcome(passed: false, detail: detail, error: "expected the response body to contain \"\(expected)\"; it does not")
            }
            return StepOutcome(passed: true, detail: detail)
        }
    }

    /// The body masked as a whole first, then cut, so a cut never splits a value and shows part of it.
    private func shownBody(_ body: WipedBytes) -> [UInt8] {
        var stream = runner.resolved.masker.stream()
        let masked = body.withUnsafeBytes { stream.feed($0) } + stream.finish()
        guard masked.count > Self.shownBodyBytes else { return masked }
        return Array(masked.prefix(Self.shownBodyBytes)) + Array("… (\(masked.count - Self.shownBodyBytes) more bytes)".utf8)
    }

    private func indent(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = Array("      ".utf8)
        for byte in bytes {
            out.append(byte)
            if byte == UInt8(ascii: "\n") { out += Array("      ".utf8) }
        }
        if out.last != UInt8(ascii: "\n") { out.append(UInt8(ascii: "\n")) }
        return out
    }
}
