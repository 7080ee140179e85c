import Foundation
import Workspace

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs an `http` step with Foundation's URL loading: one request, then the `expect` checks.
/// The URL, the response body and every error are masked before they are shown or reported,
/// since a server may echo a credential back.
struct HTTPStepExecutor {
    let runner: JourneyRunner

    /// How much of a response body is shown (after masking).
    static let shownBodyBytes = 2048

    func run(_ step: HTTPStep, timeout: Duration) -> StepOutcome {
        let urlText = runner.resolved.render(step.url).revealText()
        guard let url = URL(string: urlText), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            return StepOutcome(passed: false, error: "'url' is not an http(s) URL with a host: \(runner.mask(urlText))")
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalAndRemoteCacheData, timeoutInterval: Double(timeout.wholeMilliseconds) / 1000)
        request.httpMethod = step.method
        request.httpShouldHandleCookies = false
        for header in step.headers {
            request.setValue(runner.resolved.render(header.value).revealText(), forHTTPHeaderField: header.name)
        }
        if let body = step.body {
            request.httpBody = Data(runner.resolved.render(body).revealText().utf8)
        }
        runner.say("      \(step.method) \(urlText)")

        let exchange = HTTPExchange.perform(request, timeout: timeout)
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
            let text = String(decoding: body, as: UTF8.self)
            for expected in step.expect.bodyContains where !text.contains(expected) {
                return StepOutcome(passed: false, detail: detail, error: "expected the response body to contain \"\(expected)\"; it does not")
            }
            return StepOutcome(passed: true, detail: detail)
        }
    }

    /// The body masked as a whole first, then cut, so a cut never splits a value and shows part of it.
    private func shownBody(_ body: [UInt8]) -> [UInt8] {
        let masked = runner.resolved.masker.mask(body)
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

/// One request/response, made synchronous for the step runner.
enum HTTPExchange {
    case response(status: Int, body: [UInt8])
    case failed(String)
    case timedOut

    static func perform(_ request: URLRequest, timeout: Duration) -> HTTPExchange {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = request.timeoutInterval
        configuration.timeoutIntervalForResource = request.timeoutInterval
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration, delegate: SameOriginRedirects(), delegateQueue: nil)
        defer { session.invalidateAndCancel() }

        let box = ResultBox()
        let task = session.dataTask(with: request) { data, response, error in
            if let response = response as? HTTPURLResponse {
                box.set(.response(status: response.statusCode, body: Array(data ?? Data())))
            } else if let error = error as? URLError, error.code == .timedOut {
                box.set(.timedOut)
            } else {
                box.set(.failed(error.map { ($0 as NSError).localizedDescription } ?? "no HTTP response"))
            }
        }
        task.resume()
        // URLSession enforces the timeout; the wait's own limit only guards against a session
        // that never calls back.
        let limit = DispatchTime.now() + .milliseconds(timeout.wholeMilliseconds + 5000)
        guard box.wait(until: limit) else {
            task.cancel()
            return .timedOut
        }
        return box.result ?? .failed("no HTTP response")
    }

    /// Follows a redirect only to the same scheme, host and port: the request's headers may
    /// carry a credential, and URLSession would send them to wherever `Location` points. A
    /// redirect elsewhere is not followed; the 3xx itself becomes the step's response.
    private final class SameOriginRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            let from = task.originalRequest?.url
            let to = request.url
            let sameOrigin =
                from?.scheme?.lowercased() == to?.scheme?.lowercased() && from?.host?.lowercased() == to?.host?.lowercased()
                && (from?.port ?? Self.defaultPort(from)) == (to?.port ?? Self.defaultPort(to))
            completionHandler(sameOrigin ? request : nil)
        }

        private static func defaultPort(_ url: URL?) -> Int? {
            switch url?.scheme?.lowercased() {
            case "http": return 80
            case "https": return 443
            default: return nil
            }
        }
    }

    private final class ResultBox: @unchecked Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var stored: HTTPExchange?

        func set(_ value: HTTPExchange) {
            lock.lock()
            stored = value
            lock.unlock()
            semaphore.signal()
        }

        func wait(until deadline: DispatchTime) -> Bool {
            semaphore.wait(timeout: deadline) == .success
        }

        var result: HTTPExchange? {
            lock.lock()
            defer { lock.unlock() }
            return stored
        }
    }
}
