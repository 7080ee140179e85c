import Foundation

/// A unique, empty temporary folder that is removed with everything in it when the value goes
/// away. Its path is resolved (no symlinks), so it compares equal to paths tools print back.
///
/// ARC may end a value's life right after its last use, so keep the folder alive for the whole
/// test: use `withScratchFolder { … }`, or `withExtendedLifetime(folder) { … }`.
package final class ScratchFolder: Sendable {
    package let path: String

    /// Creates `$TMPDIR/journey-test-XXXXXX` (`mkdtemp`); `label` makes leftovers recognisable.
    package init(label: String = "test") throws {
        let base = (ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        var template = Array("\(base)/journey-\(label)-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw ScratchError.cannotCreate(base, String(cString: strerror(errno)))
        }
        if let resolved = realpath(created, nil) {
            path = String(cString: resolved)
            free(resolved)
        } else {
            path = String(cString: created)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    package var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// `path/relative`, without touching the disk.
    package func path(_ relative: String) -> String { path + "/" + relative }

    /// Creates `path/relative` (and its parents) and returns its path.
    @discardableResult
    package func folder(_ relative: String) throws -> String {
        let folder = path(relative)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Writes `text` to `path/relative`, creating parent folders, and returns its path.
    @discardableResult
    package func write(_ text: String, to relative: String, mode: mode_t = 0o644) throws -> String {
        try write(Array(text.utf8), to: relative, mode: mode)
    }

    /// Writes `bytes` to `path/relative` with `mode`, creating parent folders, and returns its path.
    @discardableResult
    package func write(_ bytes: [UInt8], to relative: String, mode: mode_t = 0o644) throws -> String {
        let file = path(relative)
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        guard chmod(file, mode) == 0 else { throw ScratchError.cannotCreate(file, String(cString: strerror(errno))) }
        return file
    }

    /// Every regular file below the folder, as paths relative to it, sorted.
    package func files() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path(relative), isDirectory: &isFolder), !isFolder.boolValue {
                found.append(relative)
            }
        }
        return found.sorted()
    }
}

/// Runs `body` with a fresh scratch folder, removed when `body` returns or throws.
package func withScratchFolder<Result>(label: String = "test", _ body: (ScratchFolder) throws -> Result) throws -> Result {
    let folder = try ScratchFolder(label: label)
    return try withExtendedLifetime(folder) { try body(folder) }
}

/// Runs async `body` with a fresh scratch folder, removed when `body` returns or throws.
package func withScratchFolder<Result>(label: String = "test", _ body: (ScratchFolder) async throws -> Result) async throws -> Result {
    let folder = try ScratchFolder(label: label)
    defer { withExtendedLifetime(folder) {} }
    return try await body(folder)
}

package enum ScratchError: Error, CustomStringConvertible {
    case cannotCreate(String, String)

    package var description: String {
        switch self {
        case .cannotCreate(let path, let reason): return "cannot create scratch \(path): \(reason)"
        }
    }
}
