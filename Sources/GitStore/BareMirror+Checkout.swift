internal import Clibgit2
import FileIO
import Foundation

extension BareMirror {
    /// Writes the tree of `commit` into `folder` (created if missing; it should be empty, and an
    /// entry that already exists there stops the checkout): every blob as a
    /// file (0644, or 0755 when executable), every symlink as a symlink, every submodule as an
    /// empty folder — the bytes as committed, with no `.gitattributes` conversion, like
    /// `git archive`. The mirror's HEAD and index are never touched.
    ///
    /// The tree is measured against `limits` before anything is written (sizes from the object
    /// headers, `git_odb_read_header`), so a tree that would expand past them writes nothing.
    /// Walks the tree with `git_tree_entry_byindex` and reads blobs with `git_blob_lookup` on this
    /// thread; `FileSystemWorkers` threads create the files (most of a checkout's time is the
    /// kernel's, per file), each with `openat` relative to its folder's descriptor
    /// (`O_EXCL | O_NOFOLLOW`),
    /// so an entry can neither follow a symlink nor replace something already written. Entry
    /// names git itself would refuse (`.`, `..`, `.git`, names holding `/`) stop the checkout.
    /// Once written, every symbolic link is resolved component by component from the folder,
    /// following links as the kernel would: one that leads outside the folder (absolute, through
    /// `..`, or through other links) stops the checkout, so nothing read from the checkout
    /// afterwards can reach a file of the host.
    ///
    /// Throws `GitError.checkoutRefused` when the tree is refused, another `GitError` when the
    /// mirror does not read or the folder cannot be written.
    package func writeTree(ofCommit commit: ObjectID, into folder: String, limits: CheckoutLimits = .defaults) throws(GitError) {
        var oid = commit.oid
        var commitObject: OpaquePointer?
        try check("find commit \(commit) in \(path)", git_commit_lookup(&commitObject, repository.handle, &oid))
        defer { git_commit_free(commitObject) }
        var tree: OpaquePointer?
        try check("read the tree of \(commit)", git_commit_tree(&tree, commitObject))
        defer { git_tree_free(tree) }
        var odb: OpaquePointer?
        try check("open the object database of \(path)", git_repository_odb(&odb, repository.handle))
        defer { git_odb_free(odb) }
        var measure = TreeMeasure(limits: limits)
        try self.measure(tree!, odb: odb, at: "", into: &measure)

        guard mkdir(folder, 0o755) == 0 || errno == EEXIST else { throw Self.systemError("create \(folder)") }
        let descriptor = Foundation.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.systemError("open \(folder)") }
        let root = SharedDirectory(descriptor: descriptor)
        // Worker threads write the files while this thread walks the tree and reads the blobs
        // (libgit2's objects stay on this thread). On an error the pool's deinit drops the jobs
        // not started and joins the threads before anything else happens.
        let workers = FileSystemWorkers()
        var links: [String] = []
        try write(tree!, into: root, at: folder, relative: "", links: &links, workers: workers)
        do { try workers.finish() } catch { throw .system(error) }
        for link in links where !CheckoutLinks.staysInside(link, root: root.descriptor) {
            throw .checkoutRefused(.linkOutside(path: link))
        }
    }

    /// Running totals of a tree measured against the limits.
    private struct TreeMeasure {
        let limits: CheckoutLimits
        var entries = 0
        var bytes = 0
    }

    /// Counts entries and adds blob sizes, stopping at the first limit passed. A subtree listed
    /// many times is counted each time, as it would be written.
    private func measure(_ tree: OpaquePointer, odb: OpaquePointer?, at prefix: String, into measure: inout TreeMeasure) throws(GitError) {
        for index in 0..<git_tree_entrycount(tree) {
            let entry = git_tree_entry_byindex(tree, index)
            let entryPath = prefix + String(cString: git_tree_entry_name(entry))
            measure.entries += 1
            guard measure.entries <= measure.limits.maxEntries else { throw .checkoutRefused(.tooManyEntries(limit: measure.limits.maxEntries)) }
            switch git_tree_entry_filemode(entry) {
            case GIT_FILEMODE_TREE:
                var subtree: OpaquePointer?
                try check("read tree \(entryPath)", git_tree_lookup(&subtree, repository.handle, git_tree_entry_id(entry)))
                defer { git_tree_free(subtree) }
                try self.measure(subtree!, odb: odb, at: entryPath + "/", into: &measure)
            case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE, GIT_FILEMODE_LINK:
                var length = 0
                var type = GIT_OBJECT_ANY
                try check("read the header of \(entryPath)", git_odb_read_header(&length, &type, odb, git_tree_entry_id(entry)))
                guard length <= measure.limits.maxFileBytes else {
                    throw .checkoutRefused(.fileTooLarge(path: entryPath, bytes: length, limit: measure.limits.maxFileBytes))
                }
                measure.bytes += length
                guard measure.bytes <= measure.limits.maxTotalBytes else { throw .checkoutRefused(.tooLarge(limit: measure.limits.maxTotalBytes)) }
            default:
                continue
            }
        }
    }

    private func write(
        _ tree: OpaquePointer, into folder: SharedDirectory, at path: String, relative: String, links: inout [String], workers: FileSystemWorkers
    ) throws(GitError) {
        for index in 0..<git_tree_entrycount(tree) {
            let entry = git_tree_entry_byindex(tree, index)
            let name = String(cString: git_tree_entry_name(entry))
            let entryPath = path + "/" + name
            let entryRelative = relative + name
            guard Self.isSafeName(name) else {
                throw .unsafeTreeEntry(path: entryPath, name: name)
            }
            switch git_tree_entry_filemode(entry) {
            case GIT_FILEMODE_TREE:
                var subtree: OpaquePointer?
                try check("read tree \(entryPath)", git_tree_lookup(&subtree, repository.handle, git_tree_entry_id(entry)))
                defer { git_tree_free(subtree) }
                guard mkdirat(folder.descriptor, name, 0o755) == 0 else { throw Self.systemError("create \(entryPath)") }
                let descriptor = openat(folder.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard descriptor >= 0 else { throw Self.systemError("open \(entryPath)") }
                let subfolder = SharedDirectory(descriptor: descriptor)
                try write(subtree!, into: subfolder, at: entryPath, relative: entryRelative + "/", links: &links, workers: workers)
            case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE:
                let mode: mode_t = git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE ? 0o755 : 0o644
                try withBlob(entry, at: entryPath) { bytes throws(GitError) in
                    // Big files are written from libgit2's buffer here; the rest is copied and
                    // handed to a worker, so what waits in the queue stays small.
                    if bytes.count >= Self.inlineWriteBytes {
                        if let failure = Self.writeFile(bytes, named: name, in: folder, mode: mode, display: entryPath) { throw .system(failure) }
                        return
                    }
                    let copy = [UInt8](bytes)
                    do throws(SystemCallFailure) {
                        try workers.submit { copy.withUnsafeBytes { Self.writeFile($0, named: name, in: folder, mode: mode, display: entryPath) } }
                    } catch {
                        throw .system(error)
                    }
                }
            case GIT_FILEMODE_LINK:
                try withBlob(entry, at: entryPath) { bytes throws(GitError) in
                    let target = String(decoding: bytes, as: UTF8.self)
                    guard symlinkat(target, folder.descriptor, name) == 0 else { throw Self.systemError("create symlink \(entryPath)") }
                }
                links.append(entryRelative)
            case GIT_FILEMODE_COMMIT:
                // A submodule: git leaves an empty folder where it is not initialised.
                guard mkdirat(folder.descriptor, name, 0o755) == 0 else { throw Self.systemError("create \(entryPath)") }
            default:
                throw .unknownTreeEntryMode(path: entryPath)
            }
        }
    }

    /// Creates `name` in `folder` (`O_EXCL | O_NOFOLLOW`: never over an entry, never through a
    /// link) holding `bytes`; run by a worker thread.
    private static func writeFile(
        _ bytes: UnsafeRawBufferPointer, named name: String, in folder: SharedDirectory, mode: mode_t, display: String
    ) -> SystemCallFailure? {
        let descriptor = openat(folder.descriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { return SystemCallFailure.lastCall("create \(display)") }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = Foundation.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return SystemCallFailure.lastCall("write \(display)") }
            written += count
        }
        return nil
    }

    /// Files from this size up are written by the walking thread (see `write`).
    private static let inlineWriteBytes = 1 << 20

    /// Runs `body` over a blob's bytes (`git_blob_lookup`, `git_blob_rawcontent`).
    private func withBlob<Result>(
        _ entry: OpaquePointer?, at entryPath: String, _ body: (UnsafeRawBufferPointer) throws(GitError) -> Result
    ) throws(GitError) -> Result {
        var blob: OpaquePointer?
        try check("read \(entryPath)", git_blob_lookup(&blob, repository.handle, git_tree_entry_id(entry)))
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        return try body(UnsafeRawBufferPointer(start: size > 0 ? git_blob_rawcontent(blob) : nil, count: size))
    }

    /// Names git refuses in a tree: empty, `.`, `..`, `.git` in any case, or holding `/` or NUL.
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.lowercased() != ".git" && !name.contains("/")
    }

    private static func systemError(_ operation: String) -> GitError { .system(operation) }
}

/// Where a symbolic link in a checkout leads, resolved without trusting any link.
enum CheckoutLinks {
    /// Whether the link at `relative` (a path inside the folder `root`) resolves inside it.
    /// Resolves one component at a time with `fstatat(AT_SYMLINK_NOFOLLOW)` and `readlinkat`
    /// from the folder's descriptor, keeping the physical path: a `..` after a link goes up
    /// from where the link led, as the kernel does, not from where its text suggests. Absolute
    /// targets, a `..` above the folder and more than 40 links are refused. A component that
    /// does not exist ends the lookups; the rest is judged by its text.
    static func staysInside(_ relative: String, root: Int32) -> Bool {
        var current: [Substring] = []
        var pending = Array(relative.split(separator: "/").reversed())
        var hops = 0
        var missing = false
        while let component = pending.popLast() {
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                guard !current.isEmpty else { return false }
                current.removeLast()
                continue
            }
            let path = (current + [component]).joined(separator: "/")
            var status = stat()
            if missing || fstatat(root, path, &status, AT_SYMLINK_NOFOLLOW) != 0 {
                missing = true
                current.append(component)
                continue
            }
            guard status.st_mode & S_IFMT == S_IFLNK else {
                current.append(component)
                continue
            }
            hops += 1
            guard hops <= 40, let target = readLink(path, root: root), !target.hasPrefix("/") else { return false }
            pending += target.split(separator: "/", omittingEmptySubsequences: true).reversed()
        }
        return true
    }

    private static func readLink(_ path: String, root: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(root, path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
