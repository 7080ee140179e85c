internal import Clibgit2
import FoundationEssentials

/// A bare mirror of a remote repository: every remote ref (`+refs/*:refs/*`) copied as is, no
/// working folder. Runners keep one per repository URL and check commits out of it.
///
/// Owns its `Repository`; like it, a mirror is used from one thread at a time.
package final class BareMirror {
    /// The refspec that makes a fetch mirror the remote: every ref, forced, under its own name.
    package static let mirrorRefspec = "+refs/*:refs/*"
    static let remoteName = "origin"

    package let repository: Repository

    init(repository: Repository) { self.repository = repository }

    /// The folder holding the mirror.
    package var path: String { repository.gitDirectory }

    /// Clones `url` into a new bare mirror at `path` (`git_clone` with `bare = 1` and a
    /// `remote_cb` that creates `origin` with the mirror refspec). A local path is cloned by
    /// hard-linking the object files where the file system allows, as `git clone` does.
    /// `progress` hears how the transfer goes, for remotes that send a pack; `watchdog` bounds
    /// the time without an answer from the remote.
    package static func clone(
        from url: String, into path: String, progress: ((TransferProgress) -> Void)? = nil, watchdog: NetworkWatchdog? = nil
    ) throws(GitError) -> BareMirror {
        LibGit2.ensureReady()
        var options = git_clone_options()
        try check("prepare clone options", git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION)))
        options.bare = 1
        options.local = GIT_CLONE_LOCAL_AUTO
        options.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE.rawValue
        options.fetch_opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        let context = RemoteCallbackContext(progress: progress, watchdog: watchdog)
        context.install(in: &options.fetch_opts.callbacks)
        options.remote_cb = { remote, repository, name, url, _ in
            git_remote_create_with_fetchspec(remote, repository, name, url, BareMirror.mirrorRefspec)
        }
        var pointer: OpaquePointer?
        let clone = { () throws(GitError) in
            let status = withExtendedLifetime(context) { git_clone(&pointer, url, path, &options) }
            try check("clone \(url)", status)
        }
        if let watchdog { try watchdog.guarding(clone) } else { try clone() }
        git_repository_free(pointer)
        return BareMirror(repository: try Repository.open(at: path))
    }

    /// Opens an existing mirror and checks it is one: bare, with an `origin` remote.
    package static func open(at path: String) throws(GitError) -> BareMirror {
        let repository = try Repository.open(at: path)
        guard repository.workingDirectory == nil else {
            throw .notBare(path: path)
        }
        let mirror = BareMirror(repository: repository)
        guard try mirror.originURL() != nil else {
            throw .noOrigin(path: path)
        }
        return mirror
    }

    /// The URL the mirror fetches from (`remote.origin.url`).
    package func originURL() throws(GitError) -> String? {
        try repository.configString("remote.\(Self.remoteName).url")
    }

    /// Looks up `origin` (`git_remote_lookup`); the caller frees it with `git_remote_free`.
    func lookupOrigin() throws(GitError) -> OpaquePointer {
        var remote: OpaquePointer?
        try check("find remote 'origin' in \(path)", git_remote_lookup(&remote, repository.handle, Self.remoteName))
        return remote!
    }
}
