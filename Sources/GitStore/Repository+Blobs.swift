internal import Clibgit2

/// One file's content as git stores it: a path and the id of its blob.
package struct BlobEntry: Sendable, Equatable {
    /// Relative to the repository's working folder, with `/` separators.
    package let path: String
    package let id: ObjectID
}

extension Repository {
    /// The size of a blob in bytes, read from the object header without loading the content
    /// (`git_odb_read_header`), so a huge file can be skipped cheaply.
    package func blobSize(_ id: ObjectID) throws(GitError) -> Int {
        var odb: OpaquePointer?
        try check("open the object database", git_repository_odb(&odb, handle))
        defer { git_odb_free(odb) }
        var length = 0
        var type = GIT_OBJECT_ANY
        var oid = id.oid
        try check("read the header of blob \(id)", git_odb_read_header(&length, &type, odb, &oid))
        return length
    }

    /// Lends the bytes of a blob to `body` (`git_blob_lookup`, `git_blob_rawcontent`); the
    /// bytes are valid only inside `body`.
    package func withBlob<Result>(_ id: ObjectID, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        var blob: OpaquePointer?
        var oid = id.oid
        try check("read blob \(id)", git_blob_lookup(&blob, handle, &oid))
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let start = git_blob_rawcontent(blob) else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeRawBufferPointer(start: start, count: size))
    }

    /// Whether HEAD points at a branch with no commit yet (`git_repository_head_unborn`).
    package var isHeadUnborn: Bool { git_repository_head_unborn(handle) == 1 }

    /// Whether git ignores `path` (relative to the working folder) under the repository's
    /// ignore rules (`git_ignore_path_is_ignored`).
    package func isIgnored(_ path: String) -> Bool {
        var ignored: Int32 = 0
        return git_ignore_path_is_ignored(&ignored, handle, path) == 0 && ignored == 1
    }
}
