import Foundation
import Yams

/// One place a journey names a secret.
package struct SecretUse: Sendable, Equatable {
    package var secret: String
    package var journey: String
    package var location: SourceLocation
}

/// Finds the secret names journeys refer to, without interpreting the journeys: every
/// `{ secret: NAME }` mapping and every `${{ secrets.NAME }}` in a string. Used to show which
/// journeys use a secret and to refuse removing one in use.
package enum SecretUses {
    /// Journeys larger than `maximumFileSize` bytes are left out unread (the leak check passes
    /// its `--max-file-size`, so no journey it skips is parsed here either).
    package static func scan(_ workspace: Workspace, maximumFileSize: Int = .max) -> [SecretUse] {
        let folder = workspace.journeysFolder
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var uses: [SecretUse] = []
        for file in files {
            var status = stat()
            guard stat(folder + "/" + file, &status) == 0, Int(status.st_size) <= maximumFileSize,
                let yaml = try? YAMLFile.load(folder + "/" + file)
            else { continue }
            let journey = yaml.root.mapping?["name"]?.scalar?.string ?? String(file.prefix { $0 != "." })
            let relativePath = workspace.relative(folder + "/" + file)
            collect(yaml.root) { name, node in
                uses.append(
                    SecretUse(secret: name, journey: journey, location: SourceLocation(file: relativePath, line: node.mark?.line, column: node.mark?.column)))
            }
        }
        return uses
    }

    private static func collect(_ node: Node, _ found: (String, Node) -> Void) {
        switch node {
        case .mapping(let mapping):
            if mapping.count == 1, let key = mapping.keys.first?.scalar?.string, key == "secret", let value = mapping.values.first?.scalar {
                found(value.string, node)
                return
            }
            for (_, value) in mapping { collect(value, found) }
        case .sequence(let sequence):
            for item in sequence { collect(item, found) }
        case .scalar(let scalar):
            for name in interpolatedSecrets(in: scalar.string) { found(name, node) }
        case .alias:
            break
        }
    }

    /// Names in `${{ secrets.NAME }}` expressions.
    package static func interpolatedSecrets(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "${{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let expression = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if expression.hasPrefix("secrets.") { names.append(String(expression.dropFirst("secrets.".count))) }
            rest = rest[close.upperBound...]
        }
        return names
    }
}
