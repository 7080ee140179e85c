import Sealing

/// Replaces every resolved value in output with `***`, in every form `ValueForms` derives: the
/// exact value, each line of a multi-line value, its base64, URL-encoded and JSON-escaped forms.
///
/// The forms are derived once and kept in one `SecretBytes` blob (zeroed when the masker goes).
/// Short-value policy: the exact value is masked at any length; derived forms (lines, encodings)
/// only from `minimumDerivedLength` bytes, so a 2-character line does not blank out output.
package final class Masker: Sendable {
    package static let replacement: [UInt8] = Array("***".utf8)
    package static let minimumDerivedLength = 4

    private let blob: SecretBytes
    /// (offset, length) of each form in `blob`, longest first so the longest match wins.
    private let forms: [(offset: Int, length: Int)]
    /// For each first byte, the indexes into `forms` that start with it.
    private let formsByFirstByte: [[Int]]
    package let longestForm: Int

    package init(values: [SecretBytes]) {
        // Each value's forms, deduplicated across values, longest first.
        var unique: [SecretBytes] = []
        for value in values where value.count > 0 {
            for form in ValueForms.of(value, minimumDerivedLength: Self.minimumDerivedLength) where !unique.contains(form.bytes) {
                unique.append(form.bytes)
            }
        }
        unique.sort { $0.count > $1.count }

        var offsets: [(Int, Int)] = []
        var total = 0
        for form in unique {
            offsets.append((total, form.count))
            total += form.count
        }
        blob = SecretBytes(count: total) { buffer in
            for (form, place) in zip(unique, offsets) {
                form.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[place.0..<(place.0 + place.1)]).copyMemory(from: $0) }
            }
        }
        forms = offsets
        var index = [[Int]](repeating: [], count: 256)
        blob.withUnsafeBytes { bytes in
            for (i, form) in offsets.enumerated() { index[Int(bytes[form.0])].append(i) }
        }
        formsByFirstByte = index
        longestForm = offsets.first?.1 ?? 0
    }

    package var isEmpty: Bool { forms.isEmpty }

    /// A streaming masker for one output stream: matches split across chunks are still caught.
    package func stream() -> MaskingStream { MaskingStream(masker: self) }

    package func mask(_ bytes: [UInt8]) -> [UInt8] {
        var stream = stream()
        return stream.feed(bytes) + stream.finish()
    }

    package func mask(_ text: String) -> String {
        isEmpty ? text : String(decoding: mask(Array(text.utf8)), as: UTF8.self)
    }

    /// Masks `buffer`, appending to `output`; returns how many bytes were consumed. Unless
    /// `isFinal`, stops at the first position where a form could still complete with more input.
    func scan(_ buffer: [UInt8], into output: inout [UInt8], isFinal: Bool) -> Int {
        guard !forms.isEmpty else {
            output += buffer
            return buffer.count
        }
        return blob.withUnsafeBytes { patterns in
            var i = 0
            let count = buffer.count
            while i < count {
                let candidates = formsByFirstByte[Int(buffer[i])]
                if candidates.isEmpty {
                    output.append(buffer[i])
                    i += 1
                    continue
                }
                var matched = 0
                var mayGrow = false
                let remaining = count - i
                for candidate in candidates {
                    let form = forms[candidate]
                    let compared = min(form.length, remaining)
                    var equal = true
                    for k in 1..<max(compared, 1) where buffer[i + k] != patterns[form.offset + k] {
                        equal = false
                        break
                    }
                    guard equal else { continue }
                    if compared == form.length {
                        matched = max(matched, form.length)
                    } else if !isFinal {
                        mayGrow = true  // a longer form might still match once more bytes arrive
                    }
                    // forms are sorted longest first: the first full match is the longest
                    if matched > 0 && !mayGrow { break }
                }
                if mayGrow { return i }
                if matched > 0 {
                    output += Masker.replacement
                    i += matched
                } else {
                    output.append(buffer[i])
                    i += 1
                }
            }
            return count
        }
    }
}

/// Masking state for one output stream.
package struct MaskingStream {
    let masker: Masker
    private var pending: [UInt8] = []

    init(masker: Masker) { self.masker = masker }

    /// Masks what can be decided now and holds back a tail that might be the start of a value.
    package mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        pending += chunk
        var output: [UInt8] = []
        output.reserveCapacity(pending.count)
        let consumed = masker.scan(pending, into: &output, isFinal: false)
        pending.removeFirst(consumed)
        return output
    }

    /// Masks and returns whatever is still held back (end of stream).
    package mutating func finish() -> [UInt8] {
        var output: [UInt8] = []
        _ = masker.scan(pending, into: &output, isFinal: true)
        pending.removeAll()
        return output
    }
}
