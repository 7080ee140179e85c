import Foundation

/// The one JSON form journey writes — run and runner reports, scan reports, baselines, the
/// rollback ledger, `--json` output: pretty-printed, keys sorted so files diff cleanly and
/// runs compare byte for byte, `/` unescaped, and a final newline.
package enum JSONText {
    /// `value` as JSON bytes ending in a newline.
    package static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
    }
}
