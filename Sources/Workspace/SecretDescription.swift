import Foundation

extension Workspace {
    /// Changes a secret's description only. The description is clear metadata, outside the
    /// sealed value's associated data, so the value, version and wraps stay as they are.
    @discardableResult
    package func describeSecret(_ name: SecretName, description: String) throws(WorkspaceError) -> SealedFile {
        try SealedFile.checkDescription(description, path: relative(sealedPath(name)))
        let held = try lock(name.rawValue)
        defer { withExtendedLifetime(held) {} }
        var file = try readSealed(name)
        file.description = description
        try writeAtomically(Array(file.encoded().utf8), to: sealedPath(name))
        return file
    }
}
