import ArgumentParser
import Diagnostics
import FileIO
import Foundation
import GitStore
import Workspace

/// The journey merge driver: git hands it the three versions of a sealed file or of
/// `recipients.yaml` (`merge=journey` in `.gitattributes`, `merge.journey.driver` in the
/// repository's config).
enum MergeDriver {
    /// The flat layout's files, and each environment's (`secrets/<env>/`).
    static let attributeLines = [
        "secrets/*.sealed merge=journey", "secrets/recipients.yaml merge=journey",
        "secrets/*/*.sealed merge=journey", "secrets/*/recipients.yaml merge=journey",
    ]

    /// Writes the `.gitattributes` lines beside `workspace.yaml` (a file to commit, so every
    /// clone routes these files to the driver) and, given a repository, defines the driver in
    /// its config (which git never clones: each clone runs `journey hook install`; without the
    /// driver git merges as text and journey names the conflicted file). Returns what undoes
    /// it, for a command that fails later; when it fails itself, it undoes its own writes.
    @discardableResult
    static func register(workspace: Workspace, repository: Repository?) throws -> Registration {
        let attributesPath = workspace.root + "/.gitattributes"
        let registration = Registration(files: [attributesPath] + (repository.map { [$0.commonDirectory + "/config"] } ?? []))
        do {
            let existing = (try? String(contentsOfFile: attributesPath, encoding: .utf8)) ?? ""
            let present = Set(existing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
            let missing = attributeLines.filter { !present.contains($0) }
            if !missing.isEmpty {
                var text = existing
                if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
                text += "# journey: sealed secrets and recipients merge with 'journey hook merge-file'\n" + missing.joined(separator: "\n") + "\n"
                try AtomicFile.write(text, to: attributesPath)
            }
            guard let repository else { return registration }
            do {
                try repository.setLocalConfig("merge.journey.name", to: "journey sealed secrets and recipients")
                try repository.setLocalConfig("merge.journey.driver", to: HookCommand.quoted(HookCommand.executablePath()) + " hook merge-file %O %A %B %P")
            } catch {
                throw CommandError(description: "cannot register the merge driver in the repository's git config: \(error)")
            }
        } catch {
            registration.undo()
            throw error
        }
        return registration
    }

    /// The files `register` may change, as they were before: `undo` puts each back byte for
    /// byte (atomically), or removes it when it did not exist.
    struct Registration {
        private let saved: [(path: String, bytes: Data?)]

        init(files: [String]) {
            saved = files.map { ($0, FileManager.default.contents(atPath: $0)) }
        }

        func undo() {
            for (path, bytes) in saved {
                guard FileManager.default.contents(atPath: path) != bytes else { continue }
                if let bytes { try? AtomicFile.write([UInt8](bytes), to: path) } else { unlink(path) }
            }
        }
    }
}

extension HookCommand {
    /// What git runs for `merge=journey`: merges three versions, writes the result over OURS.
    struct MergeFile: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge-file",
            abstract: "The merge driver git runs for sealed files and recipients.yaml (registered by 'hook install').",
            discussion: """
                Sealed files: a side that only re-wrapped merges with one that rotated; of
                two rotations the higher version wins; two rotations to the same version are
                a conflict, named by every journey command and settled with 'journey secret
                resolve NAME --ours|--theirs'. recipients.yaml: the union of both sides'
                keys; a conflict only when one name holds a different key on each side. Exit
                codes: 0 merged; 1 conflict (both sides left in OURS between markers).
                """)

        @Argument(help: "The common ancestor's version (git's %O).") var base: String
        @Argument(help: "Our version, overwritten with the result (git's %A).") var ours: String
        @Argument(help: "Their version (git's %B).") var theirs: String
        @Argument(help: "The path in the repository (git's %P).") var path: String

        /// ` --env ENV` for a sealed file in `secrets/ENV/`, else nothing.
        static func environmentFlag(_ path: String) -> String {
            let parts = path.split(separator: "/")
            guard parts.count >= 3, parts[parts.count - 3] == "secrets" else { return "" }
            return " --env " + ShellWord.quoted(String(parts[parts.count - 2]))
        }

        func run() throws {
            func read(_ file: String) throws -> String {
                guard let data = FileManager.default.contents(atPath: file) else { throw CommandError(description: "cannot read \(file)") }
                return String(decoding: data, as: UTF8.self)
            }
            let baseText = try read(base)
            let oursText = try read(ours), theirsText = try read(theirs)
            let name = (path as NSString).lastPathComponent
            let outcome: MergeOutcome
            if name == "recipients.yaml" {
                outcome = RecipientsMerge.merge(base: baseText.isEmpty ? nil : baseText, ours: oursText, theirs: theirsText, path: path)
            } else if name.hasSuffix(".sealed") {
                outcome = SealedMerge.merge(base: baseText.isEmpty ? nil : baseText, ours: oursText, theirs: theirsText, path: path)
            } else {
                outcome = .conflict(text: MergeConflictText.wholeFile(ours: oursText, theirs: theirsText), reason: "not a file journey merges")
            }
            switch outcome {
            case .merged(let text):
                try AtomicFile.write(text, to: ours)
            case .conflict(let text, let reason):
                try AtomicFile.write(text, to: ours)
                let fix =
                    name.hasSuffix(".sealed")
                    ? "keep one value with 'journey secret resolve \(ShellWord.quoted(String(name.dropLast(".sealed".count))))\(Self.environmentFlag(path)) --ours' or '--theirs'"
                    : "keep the right entry between the markers, delete the markers, then 'git add \(ShellWord.quoted(path))'"
                Output.note("merge conflict in \(path): \(reason); \(fix)")
                throw ExitCode(1)
            }
        }
    }
}
