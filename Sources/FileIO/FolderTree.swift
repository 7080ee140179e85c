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
        guard let root = try openFolder(at: path, in: AT_FDCWD, display: path) else {
            guard unlink(path) == 0 || errno == ENOENT else { throw SystemCallFailure.lastCall("remove \(path)") }
            return
        }
        try removeContents(of: root, display: path, workers: workers)
        try workers.waitUntilIdle()
        guard rmdir(path) == 0 || errno == ENOENT else { throw SystemCallFailure.lastCall("remove \(path)") }
    }

    /// Unlinks the files of `folder` through `workers` and removes its subfolders depth first.
    /// Each subfolder is removed once `workers` is idle, which is when its files are gone.
    private static func removeContents(of folder: SharedDirectory, display: String, workers: FileSystemWorkers) throws(SystemCallFailure) {
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
        for name in subfolders {
            let subdisplay = display + "/" + name
            // Gone or replaced by a file since the listing: removed (or not) like any file.
            guard let subfolder = try openFolder(at: name, in: folder.descriptor, display: subdisplay) else {
                guard unlinkat(folder.descriptor, name, 0) == 0 || errno == ENOENT else { throw SystemCallFailure.lastCall("remove \(subdisplay)") }
                continue
            }
            try removeContents(of: subfolder, display: subdisplay, workers: workers)
            try workers.waitUntilIdle()
            guard unlinkat(folder.descriptor, name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
                throw SystemCallFailure.lastCall("remove \(subdisplay)")
            }
        }
    }

    /// The folder at `name` (relative to `parent`), opened without following a link and made
    /// readable, writable and searchable by its owner; nil when `name` is not a folder (missing,
    /// a file, a link).
    private static func openFolder(at name: String, in parent: Int32, display: String) throws(SystemCallFailure) -> SharedDirectory? {
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
        return folder
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
