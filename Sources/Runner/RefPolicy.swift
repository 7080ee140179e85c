import Foundation
import GitStore

/// The refs a runner trusts (`--allow-ref PATTERN`, repeatable, or `JOURNEY_ALLOW_REFS`): only
/// they may run, and only their runs raise the rollback guard's marks — anyone who can push a
/// branch can seal a high version with the public keys, and would otherwise lock the real
/// value out. With no pattern every ref runs and none raises the marks.
///
/// A pattern is a shell glob (`fnmatch`, `*` also crosses `/`) matched against the full ref
/// name; one not starting with `refs/` matches a branch or a tag of that name (`main`,
/// `release/*`, `v*`). A commit id is trusted when a trusted ref of the mirror reaches it.
package struct RefPolicy: Sendable, Equatable {
    package let patterns: [String]

    package init(patterns: [String]) { self.patterns = patterns.filter { !$0.isEmpty } }

    /// `--allow-ref` values, else `JOURNEY_ALLOW_REFS` split at commas and white space.
    package static func from(flags: [String], environment: [String: String]) -> RefPolicy {
        if !flags.isEmpty { return RefPolicy(patterns: flags) }
        return RefPolicy(patterns: listFromEnvironment(environment["JOURNEY_ALLOW_REFS"]))
    }

    /// A comma- or space-separated list from an environment variable.
    package static func listFromEnvironment(_ value: String?) -> [String] {
        (value ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }

    package var isEmpty: Bool { patterns.isEmpty }

    /// Whether the full ref name `refName` is trusted.
    package func allows(refName: String) -> Bool {
        patterns.contains { pattern in
            let full = pattern.hasPrefix("refs/") ? [pattern] : ["refs/heads/" + pattern, "refs/tags/" + pattern]
            return full.contains { fnmatch($0, refName, 0) == 0 }
        }
    }

    /// Whether a ref given as `ref` could be trusted before anything is fetched: a name none of
    /// whose full forms is trusted can be refused at once; a commit id needs the mirror.
    package func mightAllow(_ ref: String) -> Bool {
        isEmpty || BareMirror.looksLikeCommitID(ref) || BareMirror.candidateRefNames(for: ref).contains { allows(refName: $0) }
    }

    /// Whether `resolved` is trusted: its ref name matches, or (for a commit id) a trusted ref
    /// of `mirror` reaches the commit.
    func allows(_ resolved: ResolvedRef, in mirror: BareMirror) -> Bool {
        if let refName = resolved.refName { return allows(refName: refName) }
        let trusted = ((try? mirror.refNames()) ?? []).filter { allows(refName: $0) }
        return trusted.contains { name in
            guard let tip = try? mirror.resolve(name)?.commit else { return false }
            return mirror.reaches(resolved.commit, from: tip)
        }
    }
}
