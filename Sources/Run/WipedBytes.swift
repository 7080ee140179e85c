#if canImport(Glibc)
    import Glibc
#endif

/// A growable byte buffer for bytes that may hold a value (unmasked child output, an HTTP
/// response): every byte it held is zeroed (`explicit_bzero`) before its memory is reused or
/// freed, so no copy of a value is left behind in the heap.
final class WipedBytes {
    private var storage: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init() { storage = .allocate(byteCount: 256, alignment: 1) }

    deinit {
        explicit_bzero(storage.baseAddress!, storage.count)
        storage.deallocate()
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        reserve(count + bytes.count)
        UnsafeMutableRawBufferPointer(rebasing: storage[count..<(count + bytes.count)]).copyMemory(from: bytes)
        count += bytes.count
    }

    /// Lets `fill` write up to `maximum` bytes at the end, in place (a `recv` straight into the
    /// buffer, with no chunk copied on the way), and keeps as many as it returns.
    func append<Failure: Error>(upTo maximum: Int, _ fill: (UnsafeMutableRawBufferPointer) throws(Failure) -> Int) throws(Failure) -> Int {
        reserve(count + maximum)
        let added = try fill(UnsafeMutableRawBufferPointer(rebasing: storage[count..<(count + maximum)]))
        precondition((0...maximum).contains(added), "WipedBytes: filled length out of range")
        count += added
        return added
    }

    /// Grows the storage to hold `capacity` bytes, wiping the old storage once copied.
    private func reserve(_ capacity: Int) {
        guard capacity > storage.count else { return }
        let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, storage.count * 2, 256), alignment: 1)
        if count > 0 { UnsafeMutableRawBufferPointer(rebasing: grown[0..<count]).copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<count])) }
        explicit_bzero(storage.baseAddress!, storage.count)
        storage.deallocate()
        storage = grown
    }

    func withUnsafeBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    func copy(_ range: Range<Int>, into output: inout [UInt8]) {
        guard !range.isEmpty else { return }
        output += UnsafeRawBufferPointer(rebasing: storage[range])
    }

    /// Whether `needle` occurs in the bytes (`memchr` to each candidate, then `memcmp`); an
    /// empty needle always does.
    func contains(_ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        return needle.withUnsafeBytes { needle in
            var position = 0
            while count - position >= needle.count {
                guard let hit = memchr(storage.baseAddress! + position, Int32(first), count - needle.count - position + 1) else { return false }
                let offset = storage.baseAddress!.distance(to: hit)
                if memcmp(hit, needle.baseAddress!, needle.count) == 0 { return true }
                position = offset + 1
            }
            return false
        }
    }

    /// Drops the first `n` bytes, moving the rest down and zeroing what they leave behind.
    func removeFirst(_ n: Int) {
        guard n > 0 else { return }
        let rest = count - n
        if rest > 0 { storage.baseAddress!.copyMemory(from: storage.baseAddress! + n, byteCount: rest) }
        explicit_bzero(storage.baseAddress! + rest, n)
        count = rest
    }
}
