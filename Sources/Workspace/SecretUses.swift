import FoundationEssentials
import Glibc
import Yams

/// One place a journey names a secret.
package struct SecretUse: Sendable, Equatable {
    package var secret: String
    package var journey: String
    package var location: SourceLocation
}

/// Finds the secret names journeys refer to, without interpreting the journeys: every
/// `{ secret: NAME }` mapping and every `${{ secrets.NAME }}` in a string, read through the
/// one journey walk (`JourneyYAML`). Used to show which
/// journeys use a secret and to refuse removing one in use. With an environment chosen, only
/// the journeys that run in it count.
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
            // A journey that lists the environments it runs in does not use secrets of the others.
            if let environment = workspace.environment, let listed = yaml.root.mapping?["environments"]?.sequence,
                !listed.contains(where: { $0.scalar?.string == environment.rawValue })
            {
                continue
            }
            let relativePath = workspace.relative(folder + "/" + file)
            func use(_ name: String, at position: SourcePosition) {
                uses.append(
                    SecretUse(secret: name, journey: journey, location: SourceLocation(file: relativePath, line: position.line, column: position.column)))
            }
            for item in JourneyYAML(root: yaml.root, text: yaml.text).items {
                switch item {
                case .reference(let reference):
                    if reference.kind == .secret, let name = reference.name { use(name, at: reference.position) }
                case .scalar(let scalar):
                    for name in Interpolation.secretNames(in: scalar.text) { use(name, at: scalar.position) }
                case .entry:
                    break
                }
            }
        }
        return uses
    }
}
