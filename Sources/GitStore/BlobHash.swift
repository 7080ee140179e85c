internal import Clibgit2

/// Git's content hash of some text, as `git hash-object --stdin` prints it (`git_odb_hash` of a
/// blob). Stable across machines and libgit2 versions, so it can name things on disk.
package enum BlobHash {
    package static func hex(of text: String) -> String {
        LibGit2.ensureReady()
        var oid = git_oid()
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { git_odb_hash(&oid, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }
        return ObjectHex.string(&oid)
    }
}
