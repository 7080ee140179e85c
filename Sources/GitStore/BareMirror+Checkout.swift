internal import Clibgit2
import Foundation

extension BareMirror {
    /// Writes the tree of `commit` into `folder` (created if missing; it should be empty, and an
    /// entry that already exists there stops the checkout): every blob as a
    /// file (0644, or 0755 when executable), every symlink as a symlink, every submodule as an
    /// empty folder — the bytes as committed, with no `.gitattributes` conversion, like
    /// `git archive`. The mirror's HEAD and index are never touched.
    ///
    /// Walks the tree with `git_tree_entry_byindex` and reads blobs with `git_blob_lookup`; files
    /// are created with `openat` relative to their folder's descriptor (`O_EXCL | O_NOFOLLOW`),
    /// so an entry can neither follow a symlink nor replace something already written. Entry
    /// names git itself would refuse (`.`, `..`, `.git`, names holding `/`) stop the checkout.
    package func writeTree(ofCommit commit: ObjectID, into folder: String) throws(GitError) {
        var oid = commit.oid
        var commitObject: OpaquePointer?
        try check("find commit \(commit) in \(path)", git_commit_lookup(&commitObject, repository.handle, &oid))
        defer { git_commit_free(commitObject) }
        var tree: OpaquePointer?
        try check("read the tree of \(commit)", git_commit_tree(&tree, commitObject))
        defer { git_tree_free(tree) }
        guard mkdir(folder, 0o755) == 0 || errno == EEXIST else { throw Self.systemError("create \(folder)") }
        let descriptor = Foundation.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.systemError("open \(folder)") }
        defer { close(descriptor) }
        try write(tree!, into: descriptor, at: folder)
    }

    private func write(_ tree: OpaquePointer, into folder: Int32, at path: String) throws(GitError) {
        for index in 0..<git_tree_entrycount(tree) {
            let entry = git_tree_entry_byindex(tree, index)
            let name = String(cString: git_tree_entry_name(entry))
            let entryPath = path + "/" + name
            guard Self.isSafeName(name) else {
                throw .unsafeTreeEntry(path: entryPath, name: name)
            }
            switch git_tree_entry_filemode(entry) {
            case GIT_FILEMODE_TREE:
                var subtree: OpaquePointer?
                try check("read tree \(entryPath)", git_tree_lookup(&subtree, repository.handle, git_tree_entry_id(entry)))
                defer { git_tree_free(subtree) }
                guard mkdirat(folder, name, 0o755) == 0 else { throw Self.systemError("create \(entryPath)") }
                let descriptor = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard descriptor >= 0 else { throw Self.systemError("open \(entryPath)") }
                defer { close(descriptor) }
                try write(subtree!, into: descriptor, at: entryPath)
            case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE:
                let mode: mode_t = git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE ? 0o755 : 0o644
                try withBlob(entry, at: entryPath) { bytes throws(GitError) in
                    let descriptor = openat(folder, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
                    guard descriptor >= 0 else { throw Self.systemError("create \(entryPath)") }
                    defer { close(descriptor) }
                    var written = 0
                    while written < bytes.count {
                        let count = Foundation.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                        if count < 0 && errno == EINTR { continue }
                        guard count > 0 else { throw Self.systemError("write \(entryPath)") }
                        written += count
                    }
                }
            case GIT_FILEMODE_LINK:
                try withBlob(entry, at: entryPath) { bytes throws(GitError) in
                    let target = String(decoding: bytes, as: UTF8.self)
                    guard symlinkat(target, folder, name) == 0 else { throw Self.systemError("create symlink \(entryPath)") }
                }
            case GIT_FILEMODE_COMMIT:
                // A submodule: git leaves an empty folder where it is not initialised.
                guard mkdirat(folder, name, 0o755) == 0 else { throw Self.systemError("create \(entryPath)") }
            default:
                throw .unknownTreeEntryMode(path: entryPath)
            }
        }
    }

    /// Runs `body` over a blob's bytes (`git_blob_lookup`, `git_blob_rawcontent`).
    private func withBlob(
        _ entry: OpaquePointer?, at entryPath: String, _ body: (UnsafeRawBufferPointer) throws(GitError) -> Void
    ) throws(GitError) {
        var blob: OpaquePointer?
        try check("read \(entryPath)", git_blob_lookup(&blob, repository.handle, git_tree_entry_id(entry)))
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        try body(UnsafeRawBufferPointer(start: size > 0 ? git_blob_rawcontent(blob) : nil, count: size))
    }

    /// Names git refuses in a tree: empty, `.`, `..`, `.git` in any case, or holding `/` or NUL.
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.lowercased() != ".git" && !name.contains("/")
    }

    private static func systemError(_ operation: String) -> GitError { .system(operation) }
}
