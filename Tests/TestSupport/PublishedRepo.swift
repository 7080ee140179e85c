import Foundation

/// A bare repository that plays the remote runners clone from, and a working clone of it on
/// branch `main` where tests commit and push, both made by the real `git`.
package struct PublishedRepo: Sendable {
    /// The bare repository.
    package let remote: String
    /// The working clone.
    package let work: String

    /// Creates `remote.git` and its clone `work` inside `folder`.
    package init(in folder: String) throws {
        remote = folder + "/remote.git"
        work = folder + "/work"
        try FileManager.default.createDirectory(atPath: remote, withIntermediateDirectories: true)
        try Git.run(["init", "--quiet", "--bare", "--initial-branch=main"], in: remote)
        try Git.run(["clone", "--quiet", remote, work], in: folder)
        try Git.run(["checkout", "--quiet", "-B", "main"], in: work)
    }

    /// Runs `git ARGUMENTS` in the working clone; returns stdout without the final newline.
    @discardableResult
    package func git(_ arguments: String...) throws -> String {
        try Git.run(arguments, in: work).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes `text` to `relative` in the working clone, creating folders.
    package func write(_ text: String, to relative: String) throws {
        let path = work + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Commits everything in the working clone, pushes `main`, and returns the new commit id.
    @discardableResult
    package func commitAndPush(_ message: String) throws -> String {
        let commit = try Git.commitAll(in: work, message: message)
        try git("push", "--quiet", "origin", "main")
        return commit
    }

    /// Tags the working clone's HEAD (annotated when `message` is given) and pushes the tag.
    package func tagAndPush(_ tag: String, message: String? = nil) throws {
        if let message { try git("tag", "-a", "-m", message, tag) } else { try git("tag", tag) }
        try git("push", "--quiet", "origin", "refs/tags/\(tag)")
    }
}
