import Foundation

/// Timestamps written into files: ISO 8601, UTC, whole seconds.
package enum Timestamp {
    package static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
