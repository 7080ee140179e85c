import Foundation
import TestSupport

@testable import LeakScan

/// Credential-shaped strings built at run time, so none sits verbatim in the repository.
enum Synthetic {
    static func random(_ count: Int, from alphabet: String = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") -> String {
        let characters = Array(alphabet)
        return String((0..<count).map { _ in characters.randomElement()! })
    }

    /// A GitHub personal access token shape: the prefix, 30 letters and digits, and their
    /// CRC-32 in base62, as GitHub issues them.
    static func githubToken() -> String { "gh" + "p_" + checksummed(random(30)) }

    /// `body` followed by its CRC-32 in 6 base62 characters (GitHub's and npm's token format).
    static func checksummed(_ body: String) -> String {
        body + String(decoding: TokenChecksum.base62(TokenChecksum.crc32(Array(body.utf8)), width: 6), as: UTF8.self)
    }

    /// A Stripe live secret key shape.
    static func stripeKey() -> String { "sk_" + "live_" + random(32) }
}

/// Running the built `journey` in a scratch folder with an isolated config home.
enum Journey {
    static func run(_ arguments: [String], in folder: ScratchFolder, at relative: String = "", environment: [String: String] = [:]) throws -> ProcessResult {
        let directory = relative.isEmpty ? folder.path : folder.path(relative)
        var extra = Git.environment(home: folder.path)
        for (key, value) in environment { extra[key] = value }
        return try JourneyBinary.run(arguments, in: directory, configHome: folder.path(".config-home"), environment: extra)
    }
}
