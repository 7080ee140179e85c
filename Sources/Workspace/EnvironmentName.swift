/// A validated environment name: `[a-z0-9][a-z0-9_-]{0,62}`. Its sealed files live in
/// `secrets/<name>/`, so the name has no `.` or `/` and can never point outside that folder.
package struct EnvironmentName: Hashable, Sendable, Comparable, CustomStringConvertible {
    package let rawValue: String

    package init(_ text: String) throws(WorkspaceError) {
        let bytes = Array(text.utf8)
        func isLeading(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard (1...63).contains(bytes.count), isLeading(bytes[0]),
            bytes.allSatisfy({ isLeading($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else { throw .invalidEnvironmentName(text) }
        rawValue = text
    }

    package var description: String { rawValue }
    package static func < (lhs: EnvironmentName, rhs: EnvironmentName) -> Bool { lhs.rawValue < rhs.rawValue }
}
