internal import Clibgit2

/// The blobs a leak check reads: what is staged, a tree at a revision, and every blob of a
/// commit range once.
extension Repository {
    /// The blobs in the index at stage 0: exactly what the next commit will hold
    /// (`git_repository_index`, `git_index_get_byindex`). Symlinks and submodules are left out;
    /// conflicted entries (stages 1–3) cannot be committed and are left out too.
    package func stagedBlobs() throws(GitError) -> [BlobEntry] {
        var index: OpaquePointer?
        try check("read the git index", git_repository_index(&index, handle))
        defer { git_index_free(index) }
        try check("read the git index", git_index_read(index, 0))
        var entries: [BlobEntry] = []
        let count = git_index_entrycount(index)
        entries.reserveCapacity(count)
        for position in 0..<count {
            guard let entry = git_index_get_byindex(index, position)?.pointee else { continue }
            let stage = (Int32(entry.flags) & GIT_INDEX_ENTRY_STAGEMASK) >> GIT_INDEX_ENTRY_STAGESHIFT
            guard stage == 0, Self.isRegularFile(mode: entry.mode), let path = entry.path else { continue }
            entries.append(BlobEntry(path: String(cString: path), id: ObjectID(entry.id)))
        }
        return entries
    }

    /// The staged blobs the next commit adds or changes: index entries whose path and blob id
    /// are not already in HEAD's tree (all of them before the first commit). What HEAD already
    /// holds was checked when it was committed, and is `walkHistory`'s business.
    package func stagedChanges() throws(GitError) -> [BlobEntry] {
        let staged = try stagedBlobs()
        guard !isHeadUnborn else { return staged }
        let committed = Set(try treeBlobs(at: "HEAD").map { CommittedBlob(path: $0.path, id: $0.id) })
        return staged.filter { !committed.contains(CommittedBlob(path: $0.path, id: $0.id)) }
    }

    private struct CommittedBlob: Hashable {
        let path: String
        let id: ObjectID
    }

    /// Every file blob of the tree at `revision` (`git_revparse_single` on `REV^{tree}`,
    /// `git_tree_walk`). A repository with no commits yet throws a not-found error.
    package func treeBlobs(at revision: String) throws(GitError) -> [BlobEntry] {
        var object: OpaquePointer?
        try check("find the tree of '\(revision)'", git_revparse_single(&object, handle, revision + "^{tree}"))
        defer { git_object_free(object) }
        let walk = TreeWalk(deduplicate: false)
        try walk.run(tree: object)
        return walk.found
    }

    /// Visits every blob reachable from the commits of `range` once, oldest commit first, so
    /// each blob is reported with the commit that introduced it (`git_revwalk_*`,
    /// `git_tree_walk`, skipping trees already seen). `range` is `A..B` (blobs already in A's
    /// tree are not visited), a single revision (everything reachable from it), or `nil` for
    /// HEAD. Returns the number of commits walked.
    @discardableResult
    package func walkHistory(
        range: String?,
        progress: (_ commitsWalked: Int) -> Void = { _ in },
        visit: (BlobEntry, _ commit: ObjectID) throws -> Void
    ) throws -> Int {
        var walker: OpaquePointer?
        try check("start a history walk", git_revwalk_new(&walker, handle))
        defer { git_revwalk_free(walker) }
        try check("sort the history walk", git_revwalk_sorting(walker, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue))
        if let range, range.contains("..") {
            try check("walk the commits of '\(range)'", git_revwalk_push_range(walker, range))
        } else if let range {
            var object: OpaquePointer?
            try check("find the commit '\(range)'", git_revparse_single(&object, handle, range + "^{commit}"))
            defer { git_object_free(object) }
            try check("walk the commits of '\(range)'", git_revwalk_push(walker, git_object_id(object)))
        } else {
            if isHeadUnborn { return 0 }
            try check("walk the commits of HEAD", git_revwalk_push_head(walker))
        }
        let walk = TreeWalk(deduplicate: true)
        // In `A..B`, what A's tree already holds is not new in the range: mark it seen.
        if let range, let dots = range.range(of: ".."), !range[..<dots.lowerBound].isEmpty {
            let base = String(range[..<dots.lowerBound])
            var object: OpaquePointer?
            try check("find the tree of '\(base)'", git_revparse_single(&object, handle, base + "^{tree}"))
            defer { git_object_free(object) }
            try walk.run(tree: object)
            walk.found.removeAll()
        }
        var commits = 0
        var oid = git_oid()
        while true {
            let status = git_revwalk_next(&oid, walker)
            if status == GIT_ITEROVER.rawValue { break }
            try check("walk the history", status)
            try visitNewBlobs(ofCommit: &oid, walk: walk, visit: visit)
            commits += 1
            progress(commits)
        }
        return commits
    }

    static func isRegularFile(mode: UInt32) -> Bool {
        mode == UInt32(GIT_FILEMODE_BLOB.rawValue) || mode == UInt32(GIT_FILEMODE_BLOB_EXECUTABLE.rawValue)
    }
}

extension Repository {
    /// Hands `visit` each blob of the commit's tree that `walk` has not seen in an earlier tree
    /// (`git_commit_lookup`, `git_commit_tree`): the step both history walks take per commit.
    func visitNewBlobs(ofCommit oid: inout git_oid, walk: TreeWalk, visit: (BlobEntry, _ commit: ObjectID) throws -> Void) throws {
        let commitID = ObjectID(oid)
        var commit: OpaquePointer?
        try check("read commit \(commitID)", git_commit_lookup(&commit, handle, &oid))
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try check("read the tree of commit \(commitID)", git_commit_tree(&tree, commit))
        defer { git_tree_free(tree) }
        walk.found.removeAll(keepingCapacity: true)
        try walk.run(tree: tree)
        for blob in walk.found { try visit(blob, commitID) }
    }
}

/// The state of one `git_tree_walk`, passed to the C callback as its payload.
final class TreeWalk {
    let deduplicate: Bool
    var seenTrees = Set<ObjectID>()
    var seenBlobs = Set<ObjectID>()
    var found: [BlobEntry] = []

    init(deduplicate: Bool) { self.deduplicate = deduplicate }

    func run(tree: OpaquePointer?) throws(GitError) {
        let payload = Unmanaged.passUnretained(self).toOpaque()
        try withExtendedLifetime(self) { () throws(GitError) in
            _ = try check("walk a tree", git_tree_walk(tree, GIT_TREEWALK_PRE, treeWalkVisit, payload))
        }
    }

    /// Returns 1 to skip a subtree already walked (pre-order), 0 to go on.
    func visit(root: UnsafePointer<CChar>?, entry: OpaquePointer?) -> Int32 {
        let type = git_tree_entry_type(entry)
        let id = ObjectID(git_tree_entry_id(entry).pointee)
        if type == GIT_OBJECT_TREE {
            return deduplicate && !seenTrees.insert(id).inserted ? 1 : 0
        }
        guard type == GIT_OBJECT_BLOB, Repository.isRegularFile(mode: git_tree_entry_filemode(entry).rawValue) else { return 0 }
        if deduplicate && !seenBlobs.insert(id).inserted { return 0 }
        let folder = root.map { String(cString: $0) } ?? ""
        found.append(BlobEntry(path: folder + String(cString: git_tree_entry_name(entry)), id: id))
        return 0
    }
}

private let treeWalkVisit: git_treewalk_cb = { root, entry, payload in
    Unmanaged<TreeWalk>.fromOpaque(payload!).takeUnretainedValue().visit(root: root, entry: entry)
}
