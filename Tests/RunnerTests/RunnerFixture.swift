import Foundation
import Sealing
import TestSupport
import Workspace

/// A published repository holding a journey workspace with one sealed secret (a canary), a
/// runner key that opens it, and a cache folder: what every runner test starts from.
final class RunnerFixture {
    let scratch: ScratchFolder
    let published: PublishedRepo
    let workspace: Workspace
    let key: PrivateKey
    let canary = Canary()
    /// The commit of the first push.
    let first: String

    var folder: String { scratch.path }
    var cache: String { scratch.path + "/cache" }

    /// `workspacePath` is the workspace's folder inside the repository ("." for its root).
    init(workspacePath: String = ".") throws {
        scratch = try ScratchFolder(label: "runner")
        published = try PublishedRepo(in: scratch.path)
        let root = workspacePath == "." ? published.work : published.work + "/" + workspacePath
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let made = try Fixtures.workspace(in: root, name: "fixture", recipients: ["runner"])
        workspace = made.workspace
        key = made.key
        try workspace.addSecret(try Fixtures.name("api-token"), value: canary.secret, description: "fixture")
        try published.write("name: hello\nsteps: []\n", to: (workspacePath == "." ? "" : workspacePath + "/") + "journeys/hello.yaml")
        first = try published.commitAndPush("workspace with one secret")
    }

    /// Rotates `api-token` to `value` (version + 1), commits and pushes; returns the commit.
    @discardableResult
    func rotate(to value: String) throws -> String {
        try workspace.updateSecret(try Fixtures.name("api-token"), value: Fixtures.secret(value))
        return try published.commitAndPush("rotate api-token")
    }

    /// The entries of a cache sub-folder (mirrors, incoming, work).
    func cacheEntries(_ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cache + "/" + sub)) ?? []).sorted()
    }
}

/// An error a test throws on purpose.
struct PlannedFailure: Error {}
