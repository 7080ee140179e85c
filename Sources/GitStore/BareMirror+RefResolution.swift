internal import Clibgit2

/// A ref resolved in a mirror: the ref it named (if it named one) and the exact commit.
package struct ResolvedRef: Sendable, Equatable {
    /// The full ref name (`refs/heads/main`, `refs/tags/v1`); `nil` when given a commit id.
    package var refName: String?
    /// The commit.
    package var commit: ObjectID

    package init(refName: String?, commit: ObjectID) {
        self.refName = refName
        self.commit = commit
    }
}

extension BareMirror {
    /// The full ref names `ref` could mean, in the order they are tried: a full name as given,
    /// else the tag and the branch of that name.
    package static func candidateRefNames(for ref: String) -> [String] {
        ref.hasPrefix("refs/") ? [ref] : ["refs/tags/" + ref, "refs/heads/" + ref]
    }

    /// Whether `ref` has the shape of a (possibly abbreviated) commit id: 4 to 40 hex digits.
    package static func looksLikeCommitID(_ ref: String) -> Bool {
        (4...40).contains(ref.utf8.count) && ref.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }

    /// Resolves a branch, a tag, a full ref name, or a full or abbreviated commit id to one
    /// commit; `nil` when the mirror has nothing by that name. A name that is both a branch
    /// and a tag, or an id prefix shared by several objects, is refused as ambiguous.
    package func resolve(_ ref: String) throws(GitError) -> ResolvedRef? {
        let existing = Self.candidateRefNames(for: ref).filter { localTarget(ofRef: $0) != nil }
        if existing.count > 1 {
            throw .ambiguousRef(ref)
        }
        if let name = existing.first {
            return ResolvedRef(refName: name, commit: try peeledCommit(revision: name, describedAs: ref))
        }
        guard Self.looksLikeCommitID(ref) else { return nil }
        return try commit(withIDPrefix: ref).map { ResolvedRef(refName: nil, commit: $0) }
    }

    /// The commit `revision` leads to, peeling tags (`git_revparse_single`, `git_object_peel`).
    private func peeledCommit(revision: String, describedAs ref: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try check("resolve '\(ref)'", git_revparse_single(&object, repository.handle, revision))
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check("resolve '\(ref)' to a commit", git_object_peel(&commit, object, GIT_OBJECT_COMMIT))
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit)!.pointee)
    }

    /// The commit whose id starts with `prefix` (`git_object_lookup_prefix`); `nil` if none.
    private func commit(withIDPrefix prefix: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        try check("read commit id '\(prefix)'", git_oid_fromstrn(&oid, prefix.lowercased(), prefix.utf8.count))
        var object: OpaquePointer?
        let status = git_object_lookup_prefix(&object, repository.handle, &oid, prefix.utf8.count, GIT_OBJECT_ANY)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        if status == GIT_EAMBIGUOUS.rawValue {
            throw .ambiguousIDPrefix(prefix)
        }
        try check("resolve '\(prefix)'", status)
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0 else {
            throw .notACommit(prefix: prefix, type: Self.typeName(object))
        }
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit)!.pointee)
    }

    private static func typeName(_ object: OpaquePointer?) -> String {
        git_object_type2string(git_object_type(object)).map { String(cString: $0) } ?? "non-commit object"
    }
}
