import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Memory for secrets: taken from page-aligned chunks that are locked against swap (`mlock`)
/// and left out of core dumps (`madvise(MADV_DONTDUMP)`) once, when the chunk is mapped.
///
/// Locking every small buffer on its own would cost four system calls per value and, worse,
/// unlocking one buffer would unlock the whole page under its neighbours. Blocks are handed
/// out by size class and zeroed before they are reused; chunks are kept for the process's life.
enum LockedMemory {
    private static let classes = [64, 256, 1024, 4096, 16384, 65536 + 1024]
    private static let chunkSize = 256 * 1024

    private struct Pools: ~Copyable {
        /// Free block addresses per size class (as integers: raw pointers are not `Sendable`).
        var free: [[UInt]] = Array(repeating: [], count: LockedMemory.classes.count)
    }

    private static let pools = Mutex(Pools())

    /// A zeroed block of at least `count` bytes; `release` gives it back.
    static func allocate(_ count: Int) -> UnsafeMutableRawBufferPointer {
        guard let sizeClass = classes.firstIndex(where: { $0 >= count }) else {
            return mapLocked(roundedToPages(count))
        }
        let size = classes[sizeClass]
        let address = pools.withLock { pools -> UInt in
            if pools.free[sizeClass].isEmpty {
                let chunk = mapLocked(max(chunkSize, size))
                var offset = 0
                while offset + size <= chunk.count {
                    pools.free[sizeClass].append(UInt(bitPattern: chunk.baseAddress! + offset))
                    offset += size
                }
            }
            return pools.free[sizeClass].removeLast()
        }
        return UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: address), count: size)
    }

    /// Zeroes `buffer` and returns it to its pool (or unmaps an oversize one).
    static func release(_ buffer: UnsafeMutableRawBufferPointer, wipe: (UnsafeMutableRawBufferPointer) -> Void) {
        wipe(buffer)
        guard let sizeClass = classes.firstIndex(of: buffer.count) else {
            munmap(buffer.baseAddress!, buffer.count)
            return
        }
        let address = UInt(bitPattern: buffer.baseAddress!)
        pools.withLock { $0.free[sizeClass].append(address) }
    }

    private static func mapLocked(_ size: Int) -> UnsafeMutableRawBufferPointer {
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), base != MAP_FAILED else {
            fatalError("journey: out of memory mapping \(size) bytes for secrets")
        }
        // Best effort: RLIMIT_MEMLOCK may refuse the lock; the memory is still zeroed on release.
        _ = mlock(base, size)
        _ = madvise(base, size, MADV_DONTDUMP)
        return UnsafeMutableRawBufferPointer(start: base, count: size)
    }

    private static func roundedToPages(_ count: Int) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        return (count + page - 1) / page * page
    }
}
