import Foundation
import GitStore

/// Feeds the scanner from the places a leak can sit: the git index, a tree at a revision,
/// every blob of a commit range, or files in folders. One engine, four sources.
package struct ScanSources {
    private let lazyScanner: LazyScanner

    /// The scanner is made on first use: its rule automaton and the known values (which may
    /// open sealed files) cost nothing when there is nothing to scan, e.g. an empty change.
    package init(scanner: @autoclosure @escaping () -> LeakScanner) { lazyScanner = LazyScanner(make: scanner) }

    package var scanner: LeakScanner { lazyScanner.value }

    private final class LazyScanner {
        private let make: () -> LeakScanner
        lazy var value: LeakScanner = make()
        init(make: @escaping () -> LeakScanner) { self.make = make }
    }

    /// What is staged: the blobs the next commit adds or changes, read from the index, not the
    /// working folder.
    package func staged(_ repository: Repository, into report: inout ScanReport) throws {
        for entry in try repository.stagedChanges() {
            try scanBlob(entry, in: repository, commit: nil, into: &report)
        }
    }

    /// Every file of the tree at `revision`. A repository with no commits has nothing to scan.
    package func tree(_ repository: Repository, revision: String, into report: inout ScanReport) throws {
        if revision == "HEAD", repository.isHeadUnborn { return }
        for entry in try repository.treeBlobs(at: revision) {
            try scanBlob(entry, in: repository, commit: nil, into: &report)
        }
    }

    /// Every blob of `range` once, reported with the commit that introduced it. Returns the
    /// number of commits walked.
    @discardableResult
    package func history(_ repository: Repository, range: String?, progress: (Int) -> Void = { _ in }, into report: inout ScanReport) throws -> Int {
        try repository.walkHistory(range: range, progress: progress) { entry, commit in
            try scanBlob(entry, in: repository, commit: commit.description, into: &report)
        }
    }

    /// The blobs the commits of a push bring in: reachable from `tips`, not from
    /// `hiddenCommits` or the refs matching `hiddenRefGlobs`. Returns the number of commits.
    @discardableResult
    package func pushed(
        _ repository: Repository, tips: [String], hiddenCommits: [String], hiddenRefGlobs: [String], into report: inout ScanReport
    ) throws -> Int {
        try repository.walkNewCommits(tips: tips, hiddenCommits: hiddenCommits, hiddenRefGlobs: hiddenRefGlobs) { entry, commit in
            try scanBlob(entry, in: repository, commit: commit.description, into: &report)
        }
    }

    /// Files under `paths` in the working folder. `.git` folders are skipped, and so is what
    /// `repository`'s ignore rules exclude below a path; a path named explicitly is read even
    /// when git ignores it. Paths in findings are relative to `base`.
    package func folders(_ paths: [String], base: String, repository: Repository?, into report: inout ScanReport) {
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                report.skipped.append(SkippedFile(path: relative(path, to: base), reason: "no such file or folder"))
                continue
            }
            if !isFolder.boolValue {
                scanFile(path, base: base, into: &report)
                continue
            }
            let namedIgnored = repository.map { path.hasPrefix(base + "/") && $0.isIgnored(relative(path, to: base) + "/") } ?? false
            walk(path, base: base, repository: namedIgnored ? nil : repository, into: &report)
        }
    }

    private func walk(_ folder: String, base: String, repository: Repository?, into report: inout ScanReport) {
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        for name in entries where name != ".git" {
            let path = folder + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            let kind = status.st_mode & S_IFMT
            let relativePath = relative(path, to: base)
            if kind == S_IFDIR {
                if let repository, repository.isIgnored(relativePath + "/") { continue }
                walk(path, base: base, repository: repository, into: &report)
            } else if kind == S_IFREG {
                if let repository, repository.isIgnored(relativePath) { continue }
                scanFile(path, base: base, into: &report)
            }
        }
    }

    private func scanFile(_ path: String, base: String, into report: inout ScanReport) {
        let relativePath = relative(path, to: base)
        var status = stat()
        guard stat(path, &status) == 0 else {
            report.skipped.append(SkippedFile(path: relativePath, reason: "cannot read it"))
            return
        }
        if Int(status.st_size) > scanner.options.maxFileSize {
            merge(scanner.skip(path: relativePath, reason: tooLarge), into: &report)
            return
        }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            report.skipped.append(SkippedFile(path: relativePath, reason: "cannot read it"))
            return
        }
        report.bytesScanned += data.count
        data.withUnsafeBytes { merge(scanner.scan(path: relativePath, contents: $0), into: &report) }
    }

    private func scanBlob(_ entry: BlobEntry, in repository: Repository, commit: String?, into report: inout ScanReport) throws {
        let size = try repository.blobSize(entry.id)
        if size > scanner.options.maxFileSize {
            merge(scanner.skip(path: entry.path, reason: tooLarge, commit: commit), into: &report)
            return
        }
        report.bytesScanned += size
        let result = try repository.withBlob(entry.id) { scanner.scan(path: entry.path, contents: $0, commit: commit) }
        merge(result, into: &report)
    }

    private var tooLarge: String {
        "larger than \(scanner.options.maxFileSize / (1024 * 1024)) MB (raise --max-file-size to read it)"
    }

    private func merge(_ result: FileResult, into report: inout ScanReport) {
        report.filesScanned += 1
        report.findings += result.findings
        report.allowed += result.allowed
        if let skipped = result.skipped { report.skipped.append(skipped) }
    }

    private func relative(_ path: String, to base: String) -> String {
        if path == base { return (path as NSString).lastPathComponent }
        return path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path
    }
}
