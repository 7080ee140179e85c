import Foundation

/// Timestamps written into files: ISO 8601, UTC, whole seconds (`2026-12-02T16:11:17Z`).
package enum Timestamp {
    package static func now() -> String { format(secondsSinceEpoch: time(nil)) }

    /// Formatted with `gmtime_r`: a date formatter loads time-zone and calendar data a run
    /// does not otherwise need (it showed in the runner's profile).
    package static func format(secondsSinceEpoch seconds: time_t) -> String {
        var moment = seconds
        var parts = tm()
        gmtime_r(&moment, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))"
            + "T\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2))Z"
    }
}
