// Masking cost: one pass of the multi-pattern automaton over the output, against an exact
// search for each value itself (memchr + memcmp, the least any masker must do), in one process.
import Foundation
import Run
import Sealing

let rounds = 5

func best(_ body: () -> Void) -> Double {
    var fastest = Double.infinity
    for _ in 0..<rounds {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return fastest
}

/// Offset of the first `needle` in `haystack`: memchr to each candidate, then memcmp.
func find(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Int? {
    var position = 0
    let last = haystack.count - needle.count
    while position <= last {
        guard let hit = memchr(haystack.baseAddress! + position, Int32(needle[0]), last - position + 1) else { return nil }
        let offset = haystack.baseAddress!.distance(to: UnsafeRawPointer(hit))
        if memcmp(haystack.baseAddress! + offset, needle.baseAddress!, needle.count) == 0 { return offset }
        position = offset + 1
    }
    return nil
}

func letters(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 97...122, using: &generator) }
}

/// About 1 MB of log-like output with the value (and its wrapped base64) in it once.
func output(around value: [UInt8]) -> [UInt8] {
    var text: [UInt8] = []
    let line = Array("2026-12-02T14:00:00Z INFO request served in 12 ms path=/v1/items?page=3 status=200\n".utf8)
    while text.count < 500_000 { text += line }
    text += value + [10]
    text += Array(Data(value).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed]).utf8) + [10]
    while text.count < 1_000_000 + value.count * 2 { text += line }
    return text
}

func report(_ label: String, values: [[UInt8]]) {
    let secrets = values.map { SecretBytes(copying: $0) }
    var masker: Masker?
    let build = best { masker = Masker(values: secrets) }
    let text = output(around: values[0])
    var masked: [UInt8] = []
    let mask = best { masked = masker!.mask(text) }
    precondition(masked.count < text.count - values[0].count, "the value was not masked")
    let search = best {
        text.withUnsafeBytes { haystack in
            for value in values {
                value.withUnsafeBytes { needle in
                    _ = find(needle, in: haystack)
                }
            }
        }
    }
    let megabytes = Double(text.count) / 1e6
    print(
        String(
            format: "%@: build %.1f ms; mask %.2f MB in %.1f ms (%.0f MB/s); exact search for the %d value(s) %.2f ms; ratio %.1fx",
            label, build * 1e3, megabytes, mask * 1e3, megabytes / mask, values.count, search * 1e3, mask / search))
}

report("one 64 KiB value", values: [letters(64 * 1024)])
report("one 40-byte value", values: [letters(40)])
report("200 values of 40 bytes", values: (0..<200).map { _ in letters(40) })
