internal import Clibgit2

/// A live connection to a mirror's `origin`, for asking what the remote's refs point at before
/// deciding whether a fetch is needed. Owns its `git_remote` and frees it on deinit.
package final class OriginConnection {
    private let remote: OpaquePointer
    private let mirror: BareMirror

    /// Connects to the mirror's `origin` for fetching (`git_remote_lookup`, `git_remote_connect`).
    package init(to mirror: BareMirror) throws(GitError) {
        self.mirror = mirror
        remote = try mirror.lookupOrigin()
        let context = RemoteCallbackContext(progress: nil)
        var callbacks = git_remote_callbacks()
        git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
        context.install(in: &callbacks)
        let url = git_remote_url(remote).map { String(cString: $0) } ?? "origin"
        let status = withExtendedLifetime(context) { git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nil, nil) }
        // Every stored property is set, so a throw here runs deinit, which frees the remote.
        try check("connect to \(url)", status)
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
        let context = RemoteCallbackContext(progress: progress)
        var options = git_fetch_options()
        try check("prepare fetch options", git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)))
        options.prune = GIT_FETCH_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        context.install(in: &options.callbacks)
        let status = withExtendedLifetime(context) { git_remote_fetch(remote, nil, &options, "journey runner: fetch") }
        try check("fetch into \(mirror.path)", status)
        return Int(git_remote_stats(remote)?.pointee.received_objects ?? 0)
    }
}

extension BareMirror {
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
