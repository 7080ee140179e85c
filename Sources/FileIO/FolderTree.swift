import Foundation

/// Removing a folder and everything in it, fast and without trusting what is inside.
package enum FolderTree {
    /// Removes `path` and everything under it; a missing path is fine, and a file or symbolic
    /// link at `path` is removed itself (a link is never followed).
    ///
    /// Files are unlinked by `workers`, side by side. Every folder is opened relative to its
    /// parent's descriptor with `O_NOFOLLOW`, so nothing outside `path` is touched even if a
    /// link replaces a folder midway. A folder its owner made unreadable or unwritable (a step
    /// can `chmod 000` its own output) is given back `rwx` for its owner first, so what a run
    /// leaves behind can always be removed by the user who ran it.
    package static func remove(_ path: String, workers: FileSystemWorkers = FileSystemWorkers()) throws(SystemCallFailure) {
        guard let (root, identity) = try openFolder(at: path, in: AT_FDCWD, display: path) else {
            guard unlink(path) == 0 || errno == ENOENT else { throw SystemCallFailure.lastCall("remove \(path)") }
            return
        }
        try removeContents(of: root, identity: identity, display: path, workers: workers)
        guard rmdir(path) == 0 || errno == ENOENT else { throw SystemCallFailure.lastCall("remove \(path)") }
    }

    /// At most this many folders of the path being removed are held open; deeper ones are
    /// reached again through `..` (checked against the device and inode seen on the way down).
    /// A step can nest folders deeper than any descriptor limit.
    package static let heldFolders = 64

    /// One folder on the way down: its descriptor (nil once let go, see `heldFolders`), who it
    /// is, its name in its parent, and the subfolders still to remove.
    private struct Level {
        var folder: SharedDirectory?
        let identity: FolderIdentity
        let name: String
        var subfolders: [String]
    }

    /// Empties `root` depth first, without recursion: the files of each folder are unlinked by
    /// `workers`, and a folder is removed once `workers` is idle (its files are gone) and its
    /// subfolders are removed.
    private static func removeContents(
        of root: SharedDirectory, identity rootIdentity: FolderIdentity, display: String, workers: FileSystemWorkers
    ) throws(SystemCallFailure) {
        var levels = [Level(folder: root, identity: rootIdentity, name: "", subfolders: [])]
        levels[0].subfolders = try submitFiles(of: root, display: display, workers: workers)
        while let current = levels.last {
            let folder = current.folder!
            let depthDisplay = levels.count > 8 ? display + "/…/" + current.name : ([display] + levels.dropFirst().map(\.name)).joined(separator: "/")
            if let name = levels[levels.count - 1].subfolders.popLast() {
                let subdisplay = depthDisplay + "/" + name
                // Gone or replaced by a file since the listing: removed (or not) like any file.
                guard let (subfolder, subIdentity) = try openFolder(at: name, in: folder.descriptor, display: subdisplay) else {
                    guard unlinkat(folder.descriptor, name, 0) == 0 || errno == ENOENT else { throw SystemCallFailure.lastCall("remove \(subdisplay)") }
                    continue
                }
                let subfolders = try submitFiles(of: subfolder, display: subdisplay, workers: workers)
                levels.append(Level(folder: subfolder, identity: subIdentity, name: name, subfolders: subfolders))
                if levels.count > heldFolders { levels[levels.count - heldFolders - 1].folder = nil }
                continue
            }
            // Every file and subfolder of `current` is handed over or gone.
            try workers.waitUntilIdle()
            guard levels.count > 1 else { return }
            if levels[levels.count - 2].folder == nil {
                let parent = openat(folder.descriptor, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard parent >= 0 else { throw SystemCallFailure.lastCall("open the folder above \(depthDisplay)") }
                let reopened = SharedDirectory(descriptor: parent)
                guard try identity(of: reopened, display: depthDisplay + "/..") == levels[levels.count - 2].identity else {
                    throw SystemCallFailure("remove \(depthDisplay): a folder above it was moved during the removal", code: ESTALE)
                }
                levels[levels.count - 2].folder = reopened
            }
            levels.removeLast()
            guard unlinkat(levels[levels.count - 1].folder!.descriptor, current.name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
                throw SystemCallFailure.lastCall("remove \(depthDisplay)")
            }
        }
    }

    /// Hands every entry of `folder` that is not a folder to `workers` to unlink; returns the
    /// names of its subfolders.
    private static func submitFiles(of folder: SharedDirectory, display: String, workers: FileSystemWorkers) throws(SystemCallFailure) -> [String] {
        var subfolders: [String] = []
        for (name, type) in try entries(of: folder, display: display) {
            if type == DT_DIR || (type == DT_UNKNOWN && isFolder(name, in: folder)) {
                subfolders.append(name)
                continue
            }
            try workers.submit {
                unlinkat(folder.descriptor, name, 0) == 0 || errno == ENOENT ? nil : SystemCallFailure.lastCall("remove \(display)/\(name)")
            }
        }
        return subfolders
    }

    /// A folder's device and inode: what tells it from another put in its place.
    private typealias FolderIdentity = (device: UInt64, inode: UInt64)

    private static func identity(of folder: SharedDirectory, display: String) throws(SystemCallFailure) -> FolderIdentity {
        var status = stat()
        guard fstat(folder.descriptor, &status) == 0 else { throw SystemCallFailure.lastCall("inspect \(display)") }
        return (UInt64(status.st_dev), UInt64(status.st_ino))
    }

    /// The folder at `name` (relative to `parent`), opened without following a link and made
    /// readable, writable and searchable by its owner, with its identity; nil when `name` is not
    /// a folder (missing, a file, a link).
    private static func openFolder(
        at name: String, in parent: Int32, display: String
    ) throws(SystemCallFailure) -> (folder: SharedDirectory, identity: FolderIdentity)? {
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        var descriptor = openat(parent, name, flags)
        if descriptor < 0 && errno == EACCES && fchmodat(parent, name, 0o700, AT_SYMLINK_NOFOLLOW) == 0 {
            descriptor = openat(parent, name, flags)
        }
        guard descriptor >= 0 else {
            if errno == ENOENT || errno == ENOTDIR || errno == ELOOP { return nil }
            throw SystemCallFailure.lastCall("open \(display)")
        }
        let folder = SharedDirectory(descriptor: descriptor)
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw SystemCallFailure.lastCall("inspect \(display)") }
        if status.st_mode & 0o700 != 0o700 && fchmod(descriptor, (status.st_mode & 0o7777) | 0o700) != 0 {
            throw SystemCallFailure.lastCall("make \(display) writable")
        }
        return (folder, (UInt64(status.st_dev), UInt64(status.st_ino)))
    }

    /// The names in `folder` with their `d_type`, `.` and `..` left out.
    private static func entries(of folder: SharedDirectory, display: String) throws(SystemCallFailure) -> [(String, UInt8)] {
        let listing = dup(folder.descriptor)
        guard listing >= 0, let stream = fdopendir(listing) else {
            let failure = SystemCallFailure.lastCall("list \(display)")
            if listing >= 0 { close(listing) }
            throw failure
        }
        defer { closedir(stream) }
        var entries: [(String, UInt8)] = []
        while true {
            // Cleared before each call: only readdir's own failure may leave it set.
            errno = 0
            guard let entry = readdir(stream) else { break }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { entries.append((name, entry.pointee.d_type)) }
        }
        guard errno == 0 else { throw SystemCallFailure.lastCall("list \(display)") }
        return entries
    }

    private static func isFolder(_ name: String, in folder: SharedDirectory) -> Bool {
        var status = stat()
        return fstatat(folder.descriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }
}
