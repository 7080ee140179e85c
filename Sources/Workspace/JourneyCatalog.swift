import Foundation

/// The journeys of a workspace: every `journeys/*.yaml` (and `*.yml`), parsed or with its problems.
public struct JourneyCatalog: Sendable {
    public struct Entry: Sendable {
        /// Relative to the workspace, e.g. `journeys/checkout.yaml`.
        public var file: String
        public var result: Result<Journey, JourneyError>
    }

    public let entries: [Entry]

    public init(workspace: Workspace) {
        let folder = workspace.journeysFolder
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted()
        entries = files.map { name in
            let path = folder + "/" + name
            let display = workspace.relative(path)
            let result = Result { () throws(JourneyError) -> Journey in try JourneyParser.load(path, displayPath: display) }
            return Entry(file: display, result: result)
        }
    }

    public var journeys: [Journey] {
        entries.compactMap { try? $0.result.get() }
    }

    /// Finds a journey by its `name`, its file stem, or a path to its file. A journey whose
    /// file does not parse is reported with its problems rather than "not found".
    public static func find(_ reference: String, in workspace: Workspace) throws(JourneyError) -> Journey {
        let asPath = reference.hasPrefix("/") ? reference : FileManager.default.currentDirectoryPath + "/" + reference
        if (reference.hasSuffix(".yaml") || reference.hasSuffix(".yml")), FileManager.default.fileExists(atPath: asPath) {
            let standardized = URL(fileURLWithPath: asPath).standardizedFileURL.path
            return try JourneyParser.load(standardized, displayPath: workspace.relative(standardized))
        }
        let catalog = JourneyCatalog(workspace: workspace)
        let byName = catalog.journeys.filter { $0.name == reference }
        if byName.count > 1 { throw .ambiguous(reference, files: byName.map(\.file)) }
        if let journey = byName.first { return journey }
        for entry in catalog.entries where Self.stem(entry.file) == reference {
            return try entry.result.get()
        }
        throw .notFound(reference, known: catalog.journeys.map(\.name).sorted())
    }

    static func stem(_ file: String) -> String {
        ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    }
}
