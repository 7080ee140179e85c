import Diagnostics
import FileIO
import Workspace

/// Rules about a file as a whole: what may sit in `secrets/`, the local values file, and
/// private key files by name.
enum FileRules {
    static let unsealedRuleID = "secrets-folder-unsealed-file"
    static let localSecretsRuleID = "local-secrets-file"
    static let privateKeyFileRuleID = "private-key-file"

    static let privateKeyNames: Set<String> = ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"]
    static let keystoreExtensions: Set<String> = ["p12", "pfx", "jks", "keystore", "ppk"]

    /// Findings about the file at `path`; `contents` is `nil` when the file was not read.
    static func findings(path: String, contents: UnsafeRawBufferPointer?, workspacePrefix: String?) -> [(
        rule: String, title: String, message: String, fix: String
    )] {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let lowerName = name.lowercased()
        var found: [(rule: String, title: String, message: String, fix: String)] = []
        if path == ".journey/local-secrets.yaml" || path.hasSuffix("/.journey/local-secrets.yaml") || path.hasSuffix(".journey/local-secrets.yml") {
            found.append(
                (
                    localSecretsRuleID, "local secret values file", "the local values file holds plaintext values and must stay out of git",
                    "unstage it ('git rm --cached \(ShellWord.quoted(path))') and keep '.journey/' in .gitignore ('journey init' adds it)"
                ))
        }
        let fileExtension = lowerName.split(separator: ".").last.map(String.init) ?? ""
        if privateKeyNames.contains(lowerName) || (lowerName.contains(".") && keystoreExtensions.contains(fileExtension)) {
            found.append(
                (
                    privateKeyFileRuleID, "private key file", "a private key or key store file",
                    "unstage it ('git rm --cached \(ShellWord.quoted(path))'), keep it outside the repository, and replace the key if it was ever pushed"
                ))
        }
        if let workspacePrefix, path.hasPrefix(workspacePrefix + "secrets/") {
            let inside = String(path.dropFirst(workspacePrefix.count + "secrets/".count))
            if let conflict = mergeConflict(inside: inside, contents: contents) {
                found.append((unsealedRuleID, "file in secrets/ with merge conflict markers", conflict.message, conflict.fix))
            } else if let problem = unsealedProblem(inside: inside, contents: contents) {
                found.append(
                    (
                        unsealedRuleID, "file in secrets/ that is not sealed", problem,
                        "secrets/ holds only sealed files written by journey and recipients.yaml: remove this file and seal its value with 'journey secret add NAME'"
                    ))
            }
        }
        return found
    }

    /// A sealed file or recipients.yaml that a merge left with both sides in it: never commit
    /// that (every reader refuses it too); the fix is the command that settles it.
    private static func mergeConflict(inside: String, contents: UnsafeRawBufferPointer?) -> (message: String, fix: String)? {
        guard let contents, let text = String(validating: contents, as: UTF8.self), MergeConflictText.isConflicted(text) else { return nil }
        let message = "an unresolved merge conflict: the file holds both sides between git's markers"
        if inside == "recipients.yaml" {
            return (message, "keep the right key between the markers (ask its owner), delete the markers, then stage the file again")
        }
        // `NAME.sealed`, or `ENV/NAME.sealed` in an environment's folder; both come from the
        // repository, so they are quoted into the command.
        let parts = inside.split(separator: "/").map(String.init)
        let file = parts.last ?? inside
        let name = file.hasSuffix("." + Workspace.sealedExtension) ? ShellWord.quoted(String(file.dropLast(Workspace.sealedExtension.count + 1))) : "NAME"
        let environment = parts.count == 2 ? " --env " + ShellWord.quoted(parts[0]) : ""
        return (
            message,
            "keep one value with 'journey secret resolve \(name)\(environment) --ours' or 'journey secret resolve \(name)\(environment) --theirs', then stage the file again"
        )
    }

    /// Why a file under `secrets/` does not belong there, or `nil` when it does.
    private static func unsealedProblem(inside path: String, contents: UnsafeRawBufferPointer?) -> String? {
        // `secrets/<env>/` holds an environment's store: the same files, one folder down, and
        // its sealed files must be sealed for that environment.
        var inside = path
        var environment: EnvironmentName?
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, let name = try? EnvironmentName(String(parts[0])) {
            environment = name
            inside = String(parts[1])
        }
        if inside == "recipients.yaml" { return nil }
        // A journey write in progress (or one killed mid-write, removed by the next write).
        if inside.hasPrefix(AtomicFile.tempPrefix), !inside.contains("/") { return nil }
        guard let contents else { return "a file that journey did not write" }
        // An empty placeholder such as `.gitkeep` holds nothing.
        if contents.allSatisfy({ ByteSet.whitespace.contains($0) }) { return nil }
        guard inside.hasSuffix("." + Workspace.sealedExtension), !inside.contains("/") else { return "a file that journey did not write" }
        guard let text = String(validating: contents, as: UTF8.self) else { return "not a valid sealed file: it is not UTF-8 text" }
        let nameText = String(inside.dropLast(Workspace.sealedExtension.count + 1))
        do {
            let expected = try SecretName(nameText)
            let file = try SealedFile.parse(YAMLFile(path: inside, text: text), expectedName: expected)
            guard file.environment == environment else {
                return
                    "a sealed file for \(file.environment.map { "environment '\($0)'" } ?? "no environment") in \(environment.map { "environment '\($0)'" } ?? "the flat layout"): it will not open there"
            }
            return nil
        } catch {
            // The parse message may echo a key of the file; report only where it failed.
            if case .malformed(let location, _) = error, let line = location.line {
                return "not a valid sealed file (it fails to parse at line \(line)); 'journey check' explains"
            }
            return "not a valid sealed file; 'journey check' explains"
        }
    }
}
