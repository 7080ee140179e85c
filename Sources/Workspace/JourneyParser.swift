import Foundation
import Yams

/// Reads a journey file into a `Journey`, collecting every problem with its file, line and
/// column (Yams' node marks) instead of stopping at the first. No message quotes a literal
/// from the file: a misplaced credential must not reach a log through an error.
package struct JourneyParser {
    /// `path` is used in messages (relative to the workspace); `text` is the file's content.
    package static func parse(path: String, text: String, defaultName: String) throws(JourneyError) -> Journey {
        let file: YAMLFile
        do { file = try YAMLFile(path: path, text: text) } catch {
            throw .invalid([Self.problem(from: error, path: path)])
        }
        var parser = JourneyParser(file: file, text: text)
        let journey = parser.journey(defaultName: defaultName)
        guard parser.problems.isEmpty, let journey else {
            throw .invalid(parser.problems.sorted { ($0.location.line ?? 0, $0.location.column ?? 0) < ($1.location.line ?? 0, $1.location.column ?? 0) })
        }
        return journey
    }

    /// Reads and parses `path`; messages name it as `displayPath`.
    package static func load(_ path: String, displayPath: String) throws(JourneyError) -> Journey {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read it as UTF-8 text" : "no such file"
            throw .invalid([JourneyProblem(SourceLocation(file: displayPath), reason)])
        }
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try parse(path: displayPath, text: text, defaultName: stem)
    }

    static func problem(from error: WorkspaceError, path: String) -> JourneyProblem {
        if case .malformed(let location, let expected) = error { return JourneyProblem(location, expected) }
        return JourneyProblem(SourceLocation(file: path), error.description)
    }

    private let file: YAMLFile
    /// Positions in the file's text, shared with every other journey reader.
    private let yaml: JourneyYAML
    private(set) var problems: [JourneyProblem] = []

    private init(file: YAMLFile, text: String) {
        self.file = file
        yaml = JourneyYAML(root: file.root, text: text)
    }

    // MARK: The journey

    static let journeyKeys: Set<String> = ["name", "description", "environments", "values", "steps"]
    static let stepKeys: Set<String> = ["name", "run", "http", "env", "timeout"]
    static let httpKeys: Set<String> = ["method", "url", "headers", "body", "expect", "timeout"]
    static let expectKeys: Set<String> = ["status", "body-contains"]

    private mutating func journey(defaultName: String) -> Journey? {
        guard let root = file.root.mapping else {
            report(file.root, "expected a journey: a mapping with name, description, values and steps")
            return nil
        }
        checkKeys(root, allowed: Self.journeyKeys, in: "a journey")
        let name = text(root["name"], key: "name", singleLine: true) ?? defaultName
        if let node = root["name"], name.isEmpty { report(node, "expected 'name' to be a non-empty name") }
        let description = text(root["description"], key: "description", singleLine: false) ?? ""
        let environments = environmentList(root["environments"])

        // Value names first, so interpolations anywhere can be checked against them.
        var valueNodes: [(name: String, key: Node, value: Node)] = []
        if let node = root["values"], !isNull(node) {
            if let mapping = node.mapping {
                for (key, value) in mapping {
                    guard let valueName = key.scalar?.string, Self.isValueName(valueName) else {
                        report(key, "expected a value name: letters, digits, '_' and '-', starting with a letter or '_'")
                        continue
                    }
                    valueNodes.append((valueName, key, value))
                }
            } else {
                report(node, "expected 'values' to be a mapping of names to values (a string, { secret: NAME } or { env: VAR })")
            }
        }
        let valueNames = Set(valueNodes.map(\.name))
        var values: [NamedValue] = []
        for entry in valueNodes {
            if let value = value(entry.value, what: "value '\(entry.name)'", valueNames: valueNames) {
                values.append(NamedValue(name: entry.name, value: value, location: file.location(of: entry.key)))
            }
        }
        let carried = secretsCarried(by: values)

        var steps: [JourneyStep] = []
        if let node = root["steps"] {
            if let list = node.sequence, !list.isEmpty {
                for (index, item) in list.enumerated() {
                    if let step = step(item, number: index + 1, valueNames: valueNames, carried: carried) { steps.append(step) }
                }
            } else {
                report(node, "expected 'steps' to be a non-empty list of steps, each with 'run' or 'http'")
            }
        } else {
            report(file.root, "missing 'steps': a journey needs a list of steps, each with 'run' or 'http'")
        }
        return Journey(name: name, description: description, file: file.path, values: values, steps: steps, environments: environments)
    }

    /// `environments: [staging, production]`: the environments the journey runs in (nil: all).
    private mutating func environmentList(_ node: Node?) -> [EnvironmentName]? {
        guard let node, !isNull(node) else { return nil }
        let expected = "expected 'environments' to be a list of environment names the journey runs in, e.g. '[staging, production]'"
        guard let list = node.sequence, !list.isEmpty else {
            report(node, expected)
            return nil
        }
        var names: [EnvironmentName] = []
        for item in list {
            guard let text = item.scalar?.string, let name = try? EnvironmentName(text) else {
                report(item, expected)
                continue
            }
            names.append(name)
        }
        return names
    }

    // MARK: Steps

    private mutating func step(_ node: Node, number: Int, valueNames: Set<String>, carried: [String: [SecretName]]) -> JourneyStep? {
        guard let mapping = node.mapping else {
            report(node, "expected step \(number) to be a mapping with 'name' and one of 'run' or 'http'")
            return nil
        }
        checkKeys(mapping, allowed: Self.stepKeys, in: "a step")
        let name = text(mapping["name"], key: "name", singleLine: true) ?? "step \(number)"
        // Key and value together: looking the value up again by the key's text would miss a
        // tagged key (`!foo run:`).
        let kinds = mapping.filter { ["run", "http"].contains($0.key.scalar?.string ?? "") }
        let kindKeys = kinds.map(\.key)
        guard let kindKey = kindKeys.first, let kindNode = kinds.first?.value else {
            report(node, "step \(number) has no kind: expected 'run: COMMAND' or 'http: { method, url, … }'")
            return nil
        }
        if kindKeys.count > 1 {
            report(kindKeys[1], "a step has exactly one kind, 'run' or 'http'; step '\(name)' has both (split it into two steps)")
            return nil
        }
        var timeout: Duration?
        if let timeoutNode = mapping["timeout"] { timeout = duration(timeoutNode) }

        if kindKey.scalar?.string == "run" {
            let commandNode = kindNode
            guard let scalar = commandNode.scalar, !isNull(commandNode) else {
                report(commandNode, "expected 'run' to be a command line for /bin/sh -c")
                return nil
            }
            let command = template(scalar.string, at: commandNode, valueNames: valueNames)
            if let command { refuseSecrets(in: command, step: name, carried: carried) }
            var environment: [EnvironmentEntry] = []
            if let envNode = mapping["env"], !isNull(envNode) {
                if let envMapping = envNode.mapping {
                    for (key, valueNode) in envMapping {
                        guard let variable = key.scalar?.string, Self.isVariableName(variable) else {
                            report(key, "expected an environment variable name: A-Z, a-z, 0-9 and '_', not starting with a digit")
                            continue
                        }
                        guard let value = value(valueNode, what: "env '\(variable)'", valueNames: valueNames) else { continue }
                        if ProtectedVariables.isProtected(variable), let secret = secrets(in: value, carried: carried).first {
                            report(
                                key,
                                "env '\(variable)' would carry secret '\(secret)', but programs depend on \(variable) (PATH, HOME, LD_*, …); pass the secret under another variable name"
                            )
                        }
                        environment.append(EnvironmentEntry(name: variable, value: value, location: file.location(of: key)))
                    }
                } else {
                    report(envNode, "expected 'env' to be a mapping of variable names to values")
                }
            }
            guard let command else { return nil }
            return JourneyStep(
                name: name, kind: .run(RunStep(command: command, environment: environment)),
                timeout: timeout ?? JourneyStep.defaultRunTimeout, location: file.location(of: node))
        }

        if let envKey = mapping.first(where: { $0.key.scalar?.string == "env" })?.key {
            report(envKey, "'env' applies to run steps; an http step sends values through 'headers', 'url' or 'body'")
        }
        guard let http = http(kindNode, valueNames: valueNames) else { return nil }
        if let inner = http.timeout {
            if timeout != nil {
                report(kindNode, "give the timeout once: either the step's 'timeout' or 'http.timeout'")
            }
            timeout = inner
        }
        return JourneyStep(name: name, kind: .http(http.step), timeout: timeout ?? JourneyStep.defaultHTTPTimeout, location: file.location(of: node))
    }

    private mutating func http(_ node: Node, valueNames: Set<String>) -> (step: HTTPStep, timeout: Duration?)? {
        guard let mapping = node.mapping else {
            report(node, "expected 'http' to be a mapping with method, url, headers, body and expect")
            return nil
        }
        checkKeys(mapping, allowed: Self.httpKeys, in: "an http step")
        var method = "GET"
        if let methodNode = mapping["method"] {
            if let given = text(methodNode, key: "method", singleLine: true) {
                if HTTPStep.methods.contains(given.uppercased()) {
                    method = given.uppercased()
                } else {
                    report(methodNode, "unknown HTTP method; expected one of \(HTTPStep.methods.sorted().joined(separator: ", "))")
                }
            }
        }
        guard let urlNode = mapping["url"] else {
            report(node, "missing 'url' in the http step")
            return nil
        }
        let url = value(urlNode, what: "'url'", valueNames: valueNames)
        var headers: [HTTPStep.Header] = []
        if let headersNode = mapping["headers"], !isNull(headersNode) {
            if let headerMapping = headersNode.mapping {
                for (key, valueNode) in headerMapping {
                    guard let headerName = key.scalar?.string, Self.isHeaderName(headerName) else {
                        report(key, "expected a header name: letters, digits and '-'")
                        continue
                    }
                    if let value = value(valueNode, what: "header '\(headerName)'", valueNames: valueNames) {
                        headers.append(HTTPStep.Header(name: headerName, value: value, location: file.location(of: key)))
                    }
                }
            } else {
                report(headersNode, "expected 'headers' to be a mapping of header names to values")
            }
        }
        var body: JourneyValue?
        if let bodyNode = mapping["body"] { body = value(bodyNode, what: "'body'", valueNames: valueNames) }
        var expectation = HTTPStep.Expectation()
        if let expectNode = mapping["expect"] { expectation = expect(expectNode) }
        var timeout: Duration?
        if let timeoutNode = mapping["timeout"] { timeout = duration(timeoutNode) }
        guard let url else { return nil }
        return (HTTPStep(method: method, url: url, headers: headers, body: body, expect: expectation), timeout)
    }

    private mutating func expect(_ node: Node) -> HTTPStep.Expectation {
        guard let mapping = node.mapping else {
            report(node, "expected 'expect' to be a mapping with 'status' and/or 'body-contains'")
            return HTTPStep.Expectation()
        }
        checkKeys(mapping, allowed: Self.expectKeys, in: "'expect'")
        var expectation = HTTPStep.Expectation()
        if let statusNode = mapping["status"] {
            let items = statusNode.sequence.map(Array.init) ?? [statusNode]
            var statuses: [Int] = []
            for item in items {
                if let code = item.scalar.flatMap({ Int($0.string) }), (100...599).contains(code) {
                    statuses.append(code)
                } else {
                    report(item, "expected an HTTP status code (100–599), or a list of them")
                }
            }
            if !statuses.isEmpty { expectation.statuses = statuses }
        }
        if let containsNode = mapping["body-contains"] {
            let items = containsNode.sequence.map(Array.init) ?? [containsNode]
            for item in items {
                if let scalar = item.scalar, !isNull(item) {
                    expectation.bodyContains.append(scalar.string)
                } else {
                    report(item, "expected 'body-contains' to be a string, or a list of strings")
                }
            }
        }
        return expectation
    }

    // MARK: Values and templates

    /// A literal (interpolated), `{ secret: NAME }` or `{ env: VAR }`.
    private mutating func value(_ node: Node, what: String, valueNames: Set<String>) -> JourneyValue? {
        let expected = "expected \(what) to be a string, { secret: NAME } or { env: VAR }"
        switch node {
        case .scalar(let scalar):
            if isNull(node) {
                report(node, "\(expected); it is empty")
                return nil
            }
            return template(scalar.string, at: node, valueNames: valueNames).map(JourneyValue.literal)
        case .mapping(let mapping):
            guard mapping.count == 1, let (key, inner) = mapping.first.map({ ($0.key, $0.value) }) else {
                report(node, "\(expected); a reference holds exactly one of 'secret' or 'env'")
                return nil
            }
            switch key.scalar?.string {
            case "secret":
                guard let text = inner.scalar?.string, !isNull(inner) else {
                    report(inner, "expected a secret name after 'secret:'")
                    return nil
                }
                do {
                    return .secret(try SecretName(text), file.location(of: inner))
                } catch {
                    report(inner, error.description)
                    return nil
                }
            case "env":
                guard let variable = inner.scalar?.string, Self.isVariableName(variable) else {
                    report(inner, "expected an environment variable name after 'env:' (A-Z, a-z, 0-9 and '_')")
                    return nil
                }
                // `{ env: JOURNEY_KEY }` would hand the private key of whoever runs the journey
                // to a step or a request, unmasked: a journey never reads the key variables.
                guard !variable.hasPrefix(KeySource.variablePrefix) else {
                    report(inner, "\(variable) carries the private key of whoever runs the journey; a journey may not read it")
                    return nil
                }
                return .environment(variable, file.location(of: inner))
            default:
                report(key, "unknown key '\(WorkspaceError.printable(key.scalar?.string ?? "?"))' in \(what); expected { secret: NAME } or { env: VAR }")
                return nil
            }
        case .sequence, .alias:
            report(node, "\(expected), not a list")
            return nil
        }
    }

    /// Splits `text` into literal parts and `${{ values.X }}` / `${{ secrets.NAME }}` parts.
    private mutating func template(_ text: String, at node: Node, valueNames: Set<String>) -> Template? {
        var parts: [Template.Part] = []
        var occurrence = 0
        var failed = false
        for piece in Interpolation.pieces(of: text) {
            let expression: String
            switch piece {
            case .text(let literal):
                parts.append(.text(String(literal)))
                continue
            case .unclosed:
                let location = interpolationLocation(in: node, occurrence: occurrence)
                problems.append(JourneyProblem(location, "'${{' without a closing '}}'; write ${{ values.NAME }} or ${{ secrets.NAME }}"))
                return nil
            case .expression(let text):
                expression = text
            }
            let location = interpolationLocation(in: node, occurrence: occurrence)
            occurrence += 1
            if expression.hasPrefix("values.") {
                let name = String(expression.dropFirst("values.".count))
                guard valueNames.contains(name) else {
                    let known = valueNames.isEmpty ? "this journey has no 'values'" : "known values: \(valueNames.sorted().joined(separator: ", "))"
                    problems.append(JourneyProblem(location, "unknown value '\(WorkspaceError.printable(name))' in ${{ }}; \(known)"))
                    failed = true
                    continue
                }
                parts.append(.value(name, location))
            } else if expression.hasPrefix("secrets.") {
                do {
                    parts.append(.secret(try SecretName(String(expression.dropFirst("secrets.".count))), location))
                } catch {
                    problems.append(JourneyProblem(location, error.description))
                    failed = true
                }
            } else {
                problems.append(
                    JourneyProblem(location, "unknown name '\(SecretName.shown(expression))' in ${{ }}; expected values.NAME or secrets.NAME"))
                failed = true
            }
        }
        if parts.isEmpty { parts.append(.text("")) }
        return failed ? nil : Template(parts: parts, location: file.location(of: node))
    }

    /// Where the `occurrence`-th `${{` of a scalar is in the file: searched in the source from
    /// the node's position, so quoting and block styles need no special cases. Falls back to
    /// the node's own position.
    private func interpolationLocation(in node: Node, occurrence: Int) -> SourceLocation {
        guard node.mark != nil,
            let offset = yaml.offset(of: Array("${{".utf8), occurrence: occurrence, from: yaml.position(of: node).offset)
        else { return file.location(of: node) }
        let position = yaml.position(atOffset: offset)
        return SourceLocation(file: file.path, line: position.line, column: position.column)
    }

    /// The secrets each value brings along through interpolation, and a problem for each cycle.
    private mutating func secretsCarried(by values: [NamedValue]) -> [String: [SecretName]] {
        let byName = Dictionary(values.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var carried: [String: [SecretName]] = [:]
        var reported = Set<String>()

        func visit(_ name: String, path: [String]) -> [SecretName] {
            if let known = carried[name] { return known }
            if let start = path.firstIndex(of: name) {
                let cycle = path[start...] + [name]
                if reported.insert(cycle.dropLast().sorted().joined(separator: ",")).inserted, let first = byName[cycle.first!] {
                    problems.append(JourneyProblem(first.location, "values form a cycle: \(cycle.joined(separator: " → ")); a value cannot include itself"))
                }
                return []
            }
            guard let value = byName[name] else { return [] }
            var secrets: [SecretName] = []
            switch value.value {
            case .secret(let secret, _): secrets = [secret]
            case .environment: break
            case .literal(let template):
                secrets = template.secretReferences.map(\.name)
                for reference in template.valueReferences { secrets += visit(reference.name, path: path + [name]) }
            }
            carried[name] = secrets
            return secrets
        }

        for value in values { _ = visit(value.name, path: []) }
        return carried
    }

    private func secrets(in value: JourneyValue, carried: [String: [SecretName]]) -> [SecretName] {
        switch value {
        case .secret(let name, _): return [name]
        case .environment: return []
        case .literal(let template):
            return template.secretReferences.map(\.name) + template.valueReferences.flatMap { carried[$0.name] ?? [] }
        }
    }

    /// A command line is visible to every process on the machine (`ps`, `/proc/*/cmdline`).
    private mutating func refuseSecrets(in command: Template, step: String, carried: [String: [SecretName]]) {
        for part in command.parts {
            switch part {
            case .secret(let name, let location):
                problems.append(JourneyProblem(location, Self.commandLineMessage(secret: name, step: step, through: nil)))
            case .value(let valueName, let location):
                if let secret = carried[valueName]?.first {
                    problems.append(JourneyProblem(location, Self.commandLineMessage(secret: secret, step: step, through: valueName)))
                }
            case .text:
                break
            }
        }
    }

    static func commandLineMessage(secret: SecretName, step: String, through value: String?) -> String {
        let variable = secret.environmentVariable()
        let via = value.map { " (through value '\($0)')" } ?? ""
        return
            "secret '\(secret)' is interpolated into the command line of step '\(step)'\(via); a command line is visible to every process on the machine. Pass it through the step's env instead: env: { \(variable): { secret: \(secret) } }, and use \"$\(variable)\" in the command"
    }

    // MARK: Small readers

    private mutating func text(_ node: Node?, key: String, singleLine: Bool) -> String? {
        guard let node else { return nil }
        if isNull(node) { return nil }
        guard let scalar = node.scalar else {
            report(node, "expected '\(key)' to be a string")
            return nil
        }
        if singleLine && scalar.string.contains(where: \.isNewline) {
            report(node, "expected '\(key)' to be one line")
            return nil
        }
        return scalar.string
    }

    /// `30`, `1.5`, `30s`, `500ms`, `2m`, `1h`: more than zero, at most a day.
    private mutating func duration(_ node: Node) -> Duration? {
        let expected = "expected 'timeout' as seconds ('30', '1.5') or with a unit ('500ms', '30s', '2m', '1h'), more than 0 and at most 24h"
        guard let text = node.scalar?.string.trimmingCharacters(in: .whitespaces) else {
            report(node, expected)
            return nil
        }
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("", 1)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let number = Double(text.dropLast(unit.suffix.count)), number.isFinite else { continue }
            let seconds = number * unit.seconds
            guard seconds > 0, seconds <= 86_400 else { break }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        report(node, expected)
        return nil
    }

    private mutating func checkKeys(_ mapping: Node.Mapping, allowed: Set<String>, in what: String) {
        for (key, _) in mapping {
            guard let name = key.scalar?.string, allowed.contains(name) else {
                report(
                    key,
                    "unknown key '\(WorkspaceError.printable(key.scalar?.string ?? "?"))' in \(what); expected one of: \(allowed.sorted().joined(separator: ", "))"
                )
                continue
            }
        }
    }

    private func isNull(_ node: Node) -> Bool { node.scalar?.isNull ?? false }

    private mutating func report(_ node: Node, _ message: String) {
        problems.append(JourneyProblem(file.location(of: node), message))
    }

    static func isValueName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }
    }

    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    static func isHeaderName(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }
}
