import Foundation
import Sealing
import TestSupport
import Workspace

/// A published repository holding a journey workspace with one sealed secret, a runner key
/// that opens it, and a cache folder: what every runner test starts from.
final class RunnerFixture {
    static let canary = "canary-7f3e9b1d-runner-value"

    let folder: String
    let published: RunnerFixtures.PublishedRepo
    let workspace: Workspace
    let key: PrivateKey
    let cache: String
    /// The commit of the first push.
    let first: String

    /// `workspacePath` is the workspace's folder inside the repository ("." for its root).
    init(workspacePath: String = ".") throws {
        folder = try RunnerFixtures.scratchFolder("runner")
        published = try RunnerFixtures.publishedRepo(in: folder)
        cache = folder + "/cache"
        let root = workspacePath == "." ? published.work : published.work + "/" + workspacePath
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        workspace = try Workspace.create(at: root, name: "fixture")
        key = PrivateKey.generate()
        try workspace.addRecipient(name: "runner", key: key.publicKey)
        try workspace.addSecret(try SecretName("api-token"), value: SecretBytes(copying: Array(Self.canary.utf8)), description: "fixture")
        try RunnerFixtures.write("name: hello\nsteps: []\n", to: "journeys/hello.yaml", in: root)
        first = try published.commitAndPush("workspace with one secret")
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// Rotates `api-token` to `value` (version + 1), commits and pushes; returns the commit.
    @discardableResult
    func rotate(to value: String) throws -> String {
        try workspace.updateSecret(try SecretName("api-token"), value: SecretBytes(copying: Array(value.utf8)))
        return try published.commitAndPush("rotate api-token")
    }

    /// Every regular file under `path`, recursively, as (path, bytes).
    static func files(under path: String) -> [(String, Data)] {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return [] }
        var found: [(String, Data)] = []
        for case let entry as String in walker {
            let full = path + "/" + entry
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue,
                let data = FileManager.default.contents(atPath: full)
            {
                found.append((full, data))
            }
        }
        return found
    }

    /// The entries of a cache sub-folder (mirrors, incoming, work).
    func cacheEntries(_ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cache + "/" + sub)) ?? []).sorted()
    }
}
