import Diagnostics
import FileIO

/// A place in a file, for messages: `file:line:column`.
package struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    package var file: String
    package var line: Int?
    package var column: Int?

    package init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    package var description: String {
        switch (line, column) {
        case let (line?, column?): return "\(file):\(line):\(column)"
        case let (line?, nil): return "\(file):\(line)"
        default: return file
        }
    }
}

/// Bad input or a failed operation on the workspace. Every message names the file (and line
/// where there is one) and the fix; none carries a secret value.
package enum WorkspaceError: UserFacingError {
    /// The file does not fit its format; `expected` says what would.
    case malformed(SourceLocation, expected: String)
    case notFound(startingAt: String)
    case alreadyInitialised(path: String)
    case invalidSecretName(String, reason: String)
    case unknownSecret(String, path: String)
    /// No such secret, and one with a name a typo away exists.
    case misspelledSecret(String, path: String, closest: String)
    case secretExists(String, path: String)
    case unknownRecipient(String, path: String)
    case recipientExists(String, path: String)
    case forbiddenVariable(secret: String, variable: String)
    case secretInUse(String, journeys: [String])
    /// Opening failed; `reason` comes from the sealing layer, `fix` says what to do.
    case cannotOpen(secret: String, path: String, reason: String, fix: String)
    case cannotSeal(secret: String, reason: String)
    case io(path: String, reason: String)
    /// A merge left git conflict markers in a sealed file or `recipients.yaml`.
    case unresolvedMerge(path: String, detail: String, fix: String)
    /// Part of the workspace belongs to another user (`Workspace.checkOwnership`).
    case notOwned(path: String, owner: UInt32, user: UInt32, root: String)
    case invalidEnvironmentName(String)
    /// The workspace has environments and none was chosen; `available` lists them.
    case environmentRequired(available: [String])
    /// An environment was chosen that the workspace does not list (`available` may be empty:
    /// a workspace without environments).
    case unknownEnvironment(String, available: [String])
    /// A sealed file in the wrong place: sealed for `sealedFor` (nil: version 1, flat layout)
    /// but found where `expected` is read (nil: the flat layout).
    case wrongEnvironment(secret: String, path: String, sealedFor: String?, expected: String?)
    case environmentExists(String)
    /// The first environment was added without `--move-default` while flat secrets exist.
    case flatSecretsRemain(names: [String], environment: String)
    /// The journey's `environments:` list leaves the chosen environment out.
    case journeyNotInEnvironment(journey: String, file: String, environment: String, listed: [String])

    package var message: String {
        switch self {
        case .malformed(let location, let expected):
            return "\(location): \(expected)"
        case .notFound(let start):
            return "no workspace.yaml in \(start) or any folder above it; create one with 'journey init', or pass --workspace DIR"
        case .alreadyInitialised(let path):
            return "\(path) already exists; this folder is already a journey workspace"
        case .invalidSecretName(let name, let reason):
            return
                "invalid secret name \(SecretName.shown(name)): \(reason); use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit, at most 128 characters"
        case .unknownSecret(let name, let path):
            return
                "no secret named '\(name)' (\(path) does not exist); see 'journey secret list', or add it with 'journey secret add \(ShellWord.quoted(name))'"
        case .misspelledSecret(let name, let path, let closest):
            return "no secret named '\(name)' (\(path) does not exist); did you mean '\(closest)'? Fix the name where it is used, or see 'journey secret list'"
        case .secretExists(let name, let path):
            return "secret '\(name)' already exists (\(path)); rotate it with 'journey secret update \(ShellWord.quoted(name))'"
        case .unknownRecipient(let name, let path):
            return "no recipient named '\(name)' in \(path); see 'journey keys list'"
        case .recipientExists(let name, let path):
            return
                "a recipient named '\(name)' is already in \(path); pick another name or remove it first with 'journey keys remove \(ShellWord.quoted(name))'"
        case .forbiddenVariable(let secret, let variable):
            return
                "secret '\(secret)' would be passed as environment variable \(variable), which programs depend on (PATH, HOME, LD_*, …); choose another secret name"
        case .secretInUse(let name, let journeys):
            return "secret '\(name)' is used by \(journeys.joined(separator: ", ")); remove those references first, or pass --force"
        case .cannotOpen(let secret, let path, let reason, let fix):
            return "cannot open secret '\(secret)' (\(path)): \(reason); \(fix)"
        case .cannotSeal(let secret, let reason):
            return "cannot seal secret '\(secret)': \(reason)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        case .unresolvedMerge(let path, let detail, let fix):
            return "\(path) holds an unresolved merge conflict: \(detail); \(fix)"
        case .notOwned(let path, let owner, let user, let root):
            return
                "refusing the workspace at \(Self.printable(root)): \(Self.printable(path)) is owned by uid \(owner), not by you (uid \(user)), and whoever owns it chooses the keys values are sealed for; if you trust it, take it over with 'chown -R \(user) \(Self.printable(root))', or trust it as it is with \(Workspace.safeDirectoryVariable)=\(Self.printable(root))"
        case .invalidEnvironmentName(let name):
            return
                "invalid environment name '\(Self.printable(name))'; use lowercase letters, digits, '_' and '-', starting with a letter or digit, at most 63 characters"
        case .environmentRequired(let available):
            return
                "this workspace has environments (\(available.joined(separator: ", "))); choose one with --env ENV or JOURNEY_ENV=ENV, e.g. --env \(available.first ?? "staging")"
        case .unknownEnvironment(let name, let available):
            if available.isEmpty {
                return
                    "environment '\(Self.printable(name))' was chosen (--env or JOURNEY_ENV) but this workspace has no environments; drop --env and unset JOURNEY_ENV, or create it with 'journey env add \(ShellWord.quoted(Self.printable(name)))'"
            }
            let closest = NameSuggestion.closest(to: name, among: available).map { " (did you mean '\($0)'?)" } ?? ""
            return
                "no environment named '\(Self.printable(name))'\(closest); this workspace has: \(available.joined(separator: ", ")); add one with 'journey env add NAME'"
        case .wrongEnvironment(let secret, let path, let sealedFor, let expected):
            let found = sealedFor.map { "was sealed for environment '\(Self.printable($0))'" } ?? "is a version 1 file (sealed for no environment)"
            let place = expected.map { "environment '\($0)'" } ?? "the flat layout of a workspace without environments"
            let fix =
                expected.map {
                    "sealed files cannot move between environments: remove it and seal the value for \($0) with 'journey secret add \(ShellWord.quoted(secret)) --env \(ShellWord.quoted($0))'"
                }
                ?? "remove it, or seal it again with 'journey secret add \(ShellWord.quoted(secret))'"
            return "cannot open secret '\(secret)' (\(path)): the file \(found) but is read as \(place); \(fix)"
        case .environmentExists(let name):
            return "environment '\(name)' already exists; see 'journey env list'"
        case .journeyNotInEnvironment(let journey, let file, let environment, let listed):
            return
                "journey '\(journey)' (\(file)) runs only in \(listed.joined(separator: ", ")) (its 'environments:' list), not in '\(environment)'; choose one of those with --env, or add '\(environment)' to its list"
        case .flatSecretsRemain(let names, let environment):
            return
                "the workspace holds secrets in the flat layout (\(names.joined(separator: ", "))), which no environment would read; move them into '\(environment)' with 'journey env add \(ShellWord.quoted(environment)) --move-default' (it needs a key that opens them), or remove them first"
        }
    }

    /// A file read, write or lock that failed, as a workspace error naming the file.
    package init(_ error: FileIOError) {
        self = .io(path: error.path, reason: error.reason)
    }

    /// Keeps control characters out of messages that echo user input.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(140).map { $0.value < 32 || $0.value == 127 ? "?" : Character($0) })
    }
}
