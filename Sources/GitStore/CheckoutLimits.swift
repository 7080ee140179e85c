/// Bounds on what a checkout may write, checked against the tree before the first file is
/// written: a small push can carry a tree that expands enormously (one compressible blob, or
/// one blob listed many times), so the pack's size says nothing about the checkout's.
package struct CheckoutLimits: Sendable, Equatable {
    /// The largest single file, in bytes.
    package var maxFileBytes: Int
    /// All files together, in bytes.
    package var maxTotalBytes: Int
    /// Files, symbolic links and folders together.
    package var maxEntries: Int

    package static let defaults = CheckoutLimits(maxFileBytes: 32 << 20, maxTotalBytes: 256 << 20, maxEntries: 50_000)

    package init(maxFileBytes: Int, maxTotalBytes: Int, maxEntries: Int) {
        self.maxFileBytes = maxFileBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxEntries = maxEntries
    }
}

/// Why a checkout was refused for what the tree holds (not for a repository that does not read);
/// thrown as `GitError.checkoutRefused`.
package enum CheckoutRefusal: Sendable, Equatable, CustomStringConvertible {
    case fileTooLarge(path: String, bytes: Int, limit: Int)
    case tooManyEntries(limit: Int)
    case tooLarge(limit: Int)
    /// A symbolic link that leads out of the checkout (absolute, or through `..`, possibly via
    /// other links), or a chain of links too long to follow.
    case linkOutside(path: String)

    package var description: String {
        switch self {
        case .fileTooLarge(let path, let bytes, let limit):
            return "\(path) is \(bytes) bytes, over the limit of \(limit) bytes for one file"
        case .tooManyEntries(let limit):
            return "the tree holds more than \(limit) files and folders"
        case .tooLarge(let limit):
            return "the tree's files add up to more than \(limit) bytes"
        case .linkOutside(let path):
            return "\(path) is a symbolic link that leads outside the checkout (or through too many links); such links are refused"
        }
    }
}
