internal import Clibgit2
import Foundation

extension BareMirror {
    /// Writes the tree of `commit` into `folder`, which must not exist yet or be empty
    /// (`git_checkout_tree` with `GIT_CHECKOUT_FORCE`, an empty baseline and `target_directory`).
    /// The mirror's HEAD and index are left alone, so checkouts never disturb the mirror.
    public func checkOut(commit: String, into folder: String) throws(GitError) {
        var oid = git_oid()
        try check("read commit id \(commit)", git_oid_fromstr(&oid, commit))
        var object: OpaquePointer?
        try check("find commit \(commit) in \(path)", git_object_lookup(&object, repository.handle, &oid, GIT_OBJECT_COMMIT))
        defer { git_object_free(object) }

        // An in-memory empty index as the baseline: every file counts as new, and libgit2
        // neither reads nor writes the mirror's own index.
        var emptyIndex: OpaquePointer?
        try check("prepare checkout", git_index_new(&emptyIndex))
        defer { git_index_free(emptyIndex) }

        var options = git_checkout_options()
        try check("prepare checkout options", git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)))
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DONT_UPDATE_INDEX.rawValue
        options.baseline_index = emptyIndex
        let target = strdup(folder)
        defer { free(target) }
        options.target_directory = UnsafePointer(target)
        try check("check out \(commit) into \(folder)", git_checkout_tree(repository.handle, object, &options))
    }
}
