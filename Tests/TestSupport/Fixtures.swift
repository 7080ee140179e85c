import Foundation
import Sealing
import Workspace

/// A workspace made for a test: the workspace and the private keys of its recipients.
package struct WorkspaceFixture {
    package let workspace: Workspace
    /// The recipients' private keys, in the order they were added.
    package let keys: [NamedKey]

    package var root: String { workspace.root }
    /// The first recipient's key, for tests that need just one.
    package var key: PrivateKey { keys[0].key }
}

/// A private key with the recipient name it was added under.
package struct NamedKey: Sendable {
    package let name: String
    package let key: PrivateKey

    package init(name: String, key: PrivateKey) {
        self.name = name
        self.key = key
    }
}

/// Builders for workspaces, keys and key files.
package enum Fixtures {
    /// `Workspace.create` in `folder`, then one fresh key pair per name in `recipients`, each
    /// added as a recipient.
    package static func workspace(in folder: String, name: String = "test", recipients: [String] = ["alice"]) throws -> WorkspaceFixture {
        let workspace = try Workspace.create(at: folder, name: name)
        var keys: [NamedKey] = []
        for recipient in recipients {
            let key = PrivateKey.generate()
            try workspace.addRecipient(name: recipient, key: key.publicKey)
            keys.append(NamedKey(name: recipient, key: key))
        }
        return WorkspaceFixture(workspace: workspace, keys: keys)
    }

    /// Writes `key`'s text to `path` with `mode` (0600 unless a test wants a looser one), the
    /// way `journey keys generate` does. Creates parent folders.
    @discardableResult
    package static func writeKeyFile(_ key: PrivateKey, to path: String, mode: mode_t = 0o600) throws -> String {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let bytes = key.text.withUnsafeBytes { Array($0) } + [10]
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: Int(mode)]) else {
            throw ScratchError.cannotCreate(path, "cannot write the key file")
        }
        // createFile applies the umask to the mode; set it exactly.
        guard chmod(path, mode) == 0 else { throw ScratchError.cannotCreate(path, String(cString: strerror(errno))) }
        return path
    }

    /// A secret value from text, for tests.
    package static func secret(_ text: String) -> SecretBytes { SecretBytes(copying: Array(text.utf8)) }

    /// A secret value from bytes, for tests.
    package static func secret(_ bytes: [UInt8]) -> SecretBytes { SecretBytes(copying: bytes) }

    /// A validated secret name; fails the test loudly when `text` is not one.
    package static func name(_ text: String) throws -> SecretName { try SecretName(text) }
}

extension SecretBytes {
    /// The bytes, copied out for a test to compare. Never use this outside tests.
    package var testBytes: [UInt8] { withUnsafeBytes { Array($0) } }
}

/// A distinctive value for leak tests: unlikely to occur by chance, easy to search for.
package struct Canary: Sendable {
    package let text: String

    /// `journey-canary-` and 24 random hex digits.
    package init() {
        text = "journey-canary-" + (0..<12).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    package var bytes: [UInt8] { Array(text.utf8) }
    package var secret: SecretBytes { SecretBytes(copying: bytes) }

    /// Whether `haystack` holds the canary.
    package func appears(in haystack: String) -> Bool { haystack.contains(text) }

    /// Whether `haystack` holds the canary's bytes.
    package func appears(in haystack: [UInt8]) -> Bool {
        let needle = bytes
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in haystack[start..<(start + needle.count)].elementsEqual(needle) }
    }

    /// The files below `folder` (relative paths) whose bytes hold the canary.
    package func files(under folder: ScratchFolder) -> [String] {
        folder.files().filter { relative in
            guard let data = FileManager.default.contents(atPath: folder.path(relative)) else { return false }
            return appears(in: Array(data))
        }
    }
}

/// Paths of the package checkout, for tests that run scripts or read docs kept in it.
package enum PackagePaths {
    /// The package root: the folder holding `Package.swift` (found from this source file).
    package static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Fixtures.swift, TestSupport, Tests
        return url.path
    }()
}
