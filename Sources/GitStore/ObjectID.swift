internal import Clibgit2

/// A git object id (SHA-1), held as plain bytes so it can key a set without touching libgit2.
package struct ObjectID: Hashable, Sendable, CustomStringConvertible, Encodable {
    let high: UInt64
    let middle: UInt64
    let low: UInt32

    /// An id from its 40 hex digits (either case, `git_oid_fromstr`); `nil` for anything else.
    package init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }) else {
            return nil
        }
        var oid = git_oid()
        guard git_oid_fromstr(&oid, hex.lowercased()) == 0 else { return nil }
        self.init(oid)
    }

    init(_ oid: git_oid) {
        var copy = oid
        (high, middle, low) = withUnsafeBytes(of: &copy.id) { raw in
            (
                raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
            )
        }
    }

    var oid: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { raw in
            raw.storeBytes(of: high, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: middle, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: low, toByteOffset: 16, as: UInt32.self)
        }
        return oid
    }

    /// The 40 hex digits git shows.
    package var description: String {
        var oid = self.oid
        return ObjectHex.string(&oid)
    }
}

extension ObjectID {
    /// Encoded as the 40 hex digits, as reports show a commit.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
