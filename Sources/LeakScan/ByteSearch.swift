#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Substring search on bytes: `memchr` to the next candidate first byte (vectorised in libc),
/// then a `memcmp` of the rest. `memmem` is a GNU extension Swift's Glibc module does not show.
enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `haystack` at or after `from`.
    static func firstIndex(of needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        guard let base = haystack.baseAddress, let pattern = needle.baseAddress, !needle.isEmpty else { return nil }
        let first = Int32(needle[0])
        var position = from
        let last = haystack.count - needle.count
        while position <= last {
            guard let hit = memchr(base + position, first, last - position + 1) else { return nil }
            let offset = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + offset, pattern, needle.count) == 0 { return offset }
            position = offset + 1
        }
        return nil
    }
}
