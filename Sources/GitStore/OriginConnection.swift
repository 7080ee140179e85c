internal import Clibgit2

/// A live connection to a mirror's `origin`, for asking what the remote's refs point at before
/// deciding whether a fetch is needed. Owns its `git_remote` and frees it on deinit.
package final class OriginConnection {
    private let remote: OpaquePointer
    private let mirror: BareMirror
    private let watchdog: NetworkWatchdog?

    /// Connects to the mirror's `origin` for fetching (`git_remote_lookup`, `git_remote_connect`).
    /// `watchdog` bounds the time without an answer, here and in `fetch`.
    package init(to mirror: BareMirror, watchdog: NetworkWatchdog? = nil) throws(GitError) {
        self.mirror = mirror
        self.watchdog = watchdog
        remote = try mirror.lookupOrigin()
        let context = RemoteCallbackContext(progress: nil, watchdog: watchdog)
        var callbacks = git_remote_callbacks()
        git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
        context.install(in: &callbacks)
        let url = git_remote_url(remote).map { String(cString: $0) } ?? "origin"
        // Every stored property is set, so a throw here runs deinit, which frees the remote.
        let connect = { [remote] () throws(GitError) in
            let status = withExtendedLifetime(context) { git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nil, nil) }
            try check("connect to \(url)", status)
        }
        if let watchdog { try watchdog.guarding(connect) } else { try connect() }
    }

    deinit {
        git_remote_disconnect(remote)
        git_remote_free(remote)
    }

    /// The refs the remote advertises, by full name, with the object id each points at, as hex
    /// (`git_remote_ls`). Peeled tag entries (`…^{}`) are left out: the mirror stores tags unpeeled.
    package func advertisedRefs() throws(GitError) -> [String: String] {
        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        try check("list the refs of \(mirror.path)'s origin", git_remote_ls(&heads, &count, remote))
        var refs: [String: String] = [:]
        for index in 0..<count {
            guard let head = heads?[index]?.pointee, let rawName = head.name else { continue }
            let name = String(cString: rawName)
            guard !name.hasSuffix("^{}") else { continue }
            var oid = head.oid
            refs[name] = ObjectHex.string(&oid)
        }
        return refs
    }

    /// Fetches into the mirror over this connection (`git_remote_fetch` with the mirror
    /// refspec, every tag, and pruning so refs deleted on the remote go from the mirror too).
    /// Returns how many objects arrived; `progress` hears how the transfer goes.
    @discardableResult
    package func fetch(progress: ((TransferProgress) -> Void)? = nil) throws(GitError) -> Int {
        let context = RemoteCallbackContext(progress: progress, watchdog: watchdog)
        var options = git_fetch_options()
        try check("prepare fetch options", git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)))
        options.prune = GIT_FETCH_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        context.install(in: &options.callbacks)
        let fetch = { [remote] () throws(GitError) in
            let status = withExtendedLifetime(context) { git_remote_fetch(remote, nil, &options, "journey runner: fetch") }
            try check("fetch into \(self.mirror.path)", status)
        }
        if let watchdog { try watchdog.guarding(fetch) } else { try fetch() }
        return Int(git_remote_stats(remote)?.pointee.received_objects ?? 0)
    }
}

extension BareMirror {
    /// Every ref of the mirror, by full name (`git_reference_list`).
    package func refNames() throws(GitError) -> [String] {
        var array = git_strarray()
        try check("list the refs of \(path)", git_reference_list(&array, repository.handle))
        defer { git_strarray_dispose(&array) }
        return (0..<array.count).compactMap { array.strings[$0].map { String(cString: $0) } }
    }

    /// Whether `commit` is `tip` or one of its ancestors (`git_graph_descendant_of`).
    package func reaches(_ commit: ObjectID, from tip: ObjectID) -> Bool {
        if commit == tip { return true }
        var commitID = commit.oid
        var tipID = tip.oid
        return git_graph_descendant_of(repository.handle, &tipID, &commitID) == 1
    }

    /// What the mirror's ref `name` points at, as hex; `nil` when the mirror has no such ref
    /// (`git_reference_name_to_id`, which follows symbolic refs).
    package func localTarget(ofRef name: String) -> String? {
        var oid = git_oid()
        guard git_reference_name_to_id(&oid, repository.handle, name) == 0 else { return nil }
        return ObjectHex.string(&oid)
    }
}

/// Object ids as the 40 hex digits git prints (`git_oid_tostr_s`, a per-thread buffer).
enum ObjectHex {
    static func string(_ oid: inout git_oid) -> String {
        String(cString: git_oid_tostr_s(&oid))
    }
}
