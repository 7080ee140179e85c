import FileIO
import Foundation

/// The journeys of a workspace: every `journeys/*.yaml` (and `*.yml`), parsed or with its problems.
package struct JourneyCatalog: Sendable {
    package struct Entry: Sendable {
        /// Relative to the workspace, e.g. `journeys/checkout.yaml`.
        package var file: String
        package var result: Result<Journey, JourneyError>
    }

    package let entries: [Entry]

    package init(workspace: Workspace) {
        self.init(workspace: workspace, files: Self.files(in: workspace))
    }

    /// Parses only `files` (names inside `journeys/`).
    init(workspace: Workspace, files: [String]) {
        let folder = workspace.journeysFolder
        entries = files.map { name in
            let path = folder + "/" + name
            let display = workspace.relative(path)
            let result = Result { () throws(JourneyError) -> Journey in try JourneyParser.load(path, displayPath: display) }
            return Entry(file: display, result: result)
        }
    }

    /// The journey files' names in `journeys/`, sorted.
    static func files(in workspace: Workspace) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: workspace.journeysFolder)) ?? [])
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted()
    }

    package var journeys: [Journey] {
        entries.compactMap { try? $0.result.get() }
    }

    /// Finds a journey by its `name`, its file stem, or a path to its file. A journey whose
    /// file does not parse is reported with its problems rather than "not found".
    package static func find(_ reference: String, in workspace: Workspace) throws(JourneyError) -> Journey {
        let asPath = reference.hasPrefix("/") ? reference : FileManager.default.currentDirectoryPath + "/" + reference
        if (reference.hasSuffix(".yaml") || reference.hasSuffix(".yml")), FileManager.default.fileExists(atPath: asPath) {
            let standardized = URL(fileURLWithPath: asPath).standardizedFileURL.path
            return try JourneyParser.load(standardized, displayPath: workspace.relative(standardized))
        }
        // Only files that could hold a journey of that name are parsed: the answer is the same
        // as parsing all of them (see `couldBeNamed`), at a fraction of the cost in big workspaces.
        let allFiles = files(in: workspace)
        let candidates = allFiles.filter { couldBeNamed(reference, file: $0, in: workspace) }
        let catalog = JourneyCatalog(workspace: workspace, files: candidates)
        let byName = catalog.journeys.filter { $0.name == reference }
        if byName.count > 1 { throw .ambiguous(reference, files: byName.map(\.file)) }
        if let journey = byName.first { return journey }
        for entry in catalog.entries where Self.stem(entry.file) == reference {
            return try entry.result.get()
        }
        throw .notFound(reference, known: JourneyCatalog(workspace: workspace).journeys.map(\.name).sorted())
    }

    /// Whether the journey in `file` could be named `reference`, judged from its bytes without
    /// parsing. A name defaults to the file's stem; otherwise YAML can spell a plain printable
    /// ASCII name only as itself, unless a double-quoted escape (a backslash) is involved. For
    /// other references every file is a candidate.
    static func couldBeNamed(_ reference: String, file: String, in workspace: Workspace) -> Bool {
        if stem(file) == reference { return true }
        let simple = !reference.isEmpty && reference.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: "\\") }
        guard simple, let bytes = try? SmallFile.read(workspace.journeysFolder + "/" + file) else { return true }
        return bytes.contains(UInt8(ascii: "\\")) || contains(Array(reference.utf8), in: bytes)
    }

    private static func contains(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        var start = 0
        while let index = haystack[start...].firstIndex(of: first), index + needle.count <= haystack.count {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            start = index + 1
        }
        return false
    }

    static func stem(_ file: String) -> String {
        ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    }
}
