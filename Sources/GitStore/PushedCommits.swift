internal import Clibgit2

extension Repository {
    /// Visits every blob the commits reachable from `tips`, and from none of `hiddenCommits`
    /// or the refs matching `hiddenRefGlobs`, bring in: the commits a push adds. Blobs already
    /// in the tree of a parent outside that set are not visited (they arrived earlier and were
    /// checked then), and each blob is visited once, with the commit that introduced it
    /// (`git_revwalk_push`, `git_revwalk_hide`, `git_revwalk_hide_glob`, `git_tree_walk`).
    /// Ids in `hiddenCommits` the repository lacks are skipped (a remote tip never fetched).
    /// Returns the number of commits walked.
    @discardableResult
    package func walkNewCommits(
        tips: [String], hiddenCommits: [String], hiddenRefGlobs: [String],
        visit: (BlobEntry, _ commit: ObjectID) throws -> Void
    ) throws -> Int {
        var walker: OpaquePointer?
        try check("start a history walk", git_revwalk_new(&walker, handle))
        defer { git_revwalk_free(walker) }
        try check("sort the history walk", git_revwalk_sorting(walker, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue))
        for tip in tips {
            var oid = try commitID(tip)
            try check("walk the commits of \(tip)", git_revwalk_push(walker, &oid))
        }
        for hidden in hiddenCommits {
            guard var oid = try? commitID(hidden) else { continue }
            try check("hide \(hidden)", git_revwalk_hide(walker, &oid))
        }
        for glob in hiddenRefGlobs {
            try check("hide the refs \(glob)", git_revwalk_hide_glob(walker, glob))
        }
        var commits: [git_oid] = []
        var oid = git_oid()
        while true {
            let status = git_revwalk_next(&oid, walker)
            if status == GIT_ITEROVER.rawValue { break }
            try check("walk the history", status)
            commits.append(oid)
        }
        let new = Set(commits.map(ObjectID.init))
        let walk = TreeWalk(deduplicate: true)
        // What the parents outside the new commits hold was there before the push.
        for var commitOID in commits {
            var commit: OpaquePointer?
            try check("read commit \(ObjectID(commitOID))", git_commit_lookup(&commit, handle, &commitOID))
            defer { git_commit_free(commit) }
            for position in 0..<git_commit_parentcount(commit) {
                guard let parentID = git_commit_parent_id(commit, position)?.pointee, !new.contains(ObjectID(parentID)) else { continue }
                var parent: OpaquePointer?
                guard git_commit_lookup(&parent, handle, [parentID]) == 0 else { continue }
                defer { git_commit_free(parent) }
                var tree: OpaquePointer?
                try check("read the tree of commit \(ObjectID(parentID))", git_commit_tree(&tree, parent))
                defer { git_tree_free(tree) }
                try walk.run(tree: tree)
            }
        }
        walk.found.removeAll()
        for var commitOID in commits {
            try visitNewBlobs(ofCommit: &commitOID, walk: walk, visit: visit)
        }
        return commits.count
    }

    /// The commit `revision` names (`git_revparse_single`, peeled to a commit).
    private func commitID(_ revision: String) throws(GitError) -> git_oid {
        var object: OpaquePointer?
        try check("find the commit '\(revision)'", git_revparse_single(&object, handle, revision + "^{commit}"))
        defer { git_object_free(object) }
        return git_object_id(object).pointee
    }
}
