internal import Clibsodium

/// Bytes of a secret value or a key: in memory locked against swap and kept out of core dumps
/// (`LockedMemory`), and zeroed (`sodium_memzero`) when the last reference goes away.
///
/// The bytes are reachable only through `withUnsafeBytes`; `description`, `debugDescription`
/// and reflection print `<redacted>`, so a value cannot reach a log by accident.
package final class SecretBytes: @unchecked Sendable {
    // Immutable after init; the buffer is only read through `withUnsafeBytes`.
    private let buffer: UnsafeMutableRawBufferPointer
    package let count: Int

    /// Allocates `count` bytes and lets `initialize` fill them in place, so the secret never
    /// passes through an unmanaged copy.
    package init(count: Int, initialize: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        Sodium.ensureReady()
        self.count = count
        // Never zero bytes: keeps `baseAddress` non-nil for the C calls.
        buffer = LockedMemory.allocate(max(count, 1))
        do {
            try initialize(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
        } catch {
            Self.wipe(buffer)
            throw error
        }
    }

    /// Allocates `capacity` bytes and lets `initialize` fill a prefix of them, returning its
    /// length; only that prefix is visible afterwards (the whole buffer is still wiped).
    package init(capacity: Int, initialize: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows {
        Sodium.ensureReady()
        buffer = LockedMemory.allocate(max(capacity, 1))
        do {
            let used = try initialize(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<capacity]))
            precondition((0...capacity).contains(used), "SecretBytes: initialised length out of range")
            count = used
        } catch {
            Self.wipe(buffer)
            throw error
        }
    }

    /// Copies `bytes` in. The caller stays responsible for wiping its own copy.
    package convenience init<Bytes: Collection>(copying bytes: Bytes) where Bytes.Element == UInt8 {
        self.init(count: bytes.count) { target in
            _ = target.initializeMemory(as: UInt8.self, from: bytes)
        }
    }

    deinit { Self.wipe(buffer) }

    private static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        LockedMemory.release(buffer) { sodium_memzero($0.baseAddress!, $0.count) }
    }

    package func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }

    /// A new secret holding `range` of these bytes: the copy is another `SecretBytes`, locked
    /// and wiped like this one, so the value never leaves protected memory.
    package func slice(_ range: Range<Int>) -> SecretBytes {
        withUnsafeBytes { all in SecretBytes(copying: all[range]) }
    }
}

extension SecretBytes: Equatable {
    /// Constant-time for equal lengths (`sodium_memcmp`).
    package static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { a in
            rhs.withUnsafeBytes { b in
                sodium_memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
            }
        }
    }
}

extension SecretBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var description: String { "<redacted>" }
    package var debugDescription: String { "<redacted>" }
    package var customMirror: Mirror { Mirror(reflecting: "<redacted>") }
}
