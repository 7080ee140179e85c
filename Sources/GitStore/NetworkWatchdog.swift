import Foundation
import Synchronization

/// Bounds how long a clone, a fetch or a ref listing may wait on the remote. libgit2 1.5 has no
/// socket timeouts of its own, and a server that accepts a connection and never answers would
/// hold the runner (and the mirror lock) forever.
///
/// Any sign of life — a callback for progress, a certificate, credentials — resets the clock.
/// When `timeout` passes with none, the watchdog marks the operation as timed out and shuts
/// down every socket of the process (`shutdown(SHUT_RDWR)` on each descriptor that is one), which
/// wakes libgit2 from its blocked read with an error; the caller sees `timedOut` and says so.
/// The runner opens no other sockets while it talks to the remote. Should the operation still
/// not return (a `connect` that no shutdown reaches), `onStuck` runs after a second timeout:
/// the runner exits there, which releases its locks.
package final class NetworkWatchdog: Sendable {
    private struct State {
        var lastActivity: ContinuousClock.Instant
        var timedOut = false
        var finished = false
    }

    package let timeout: Duration
    private let state: Mutex<State>
    private let onStuck: @Sendable () -> Void

    package init(timeout: Duration, onStuck: @escaping @Sendable () -> Void) {
        self.timeout = timeout
        self.onStuck = onStuck
        state = Mutex(State(lastActivity: ContinuousClock().now))
    }

    /// Whether the last operation was cut off for silence.
    package var timedOut: Bool { state.withLock { $0.timedOut } }

    /// Something arrived from (or was asked by) the remote: restart the clock.
    func touch() { state.withLock { $0.lastActivity = ContinuousClock().now } }

    /// Runs `body` under the watchdog.
    func guarding<Result>(_ body: () throws(GitError) -> Result) throws(GitError) -> Result {
        state.withLock {
            $0 = State(lastActivity: ContinuousClock().now)
        }
        let thread = Thread { [self] in watch() }
        thread.start()
        defer { state.withLock { $0.finished = true } }
        return try body()
    }

    private func watch() {
        let clock = ContinuousClock()
        var firedAt: ContinuousClock.Instant?
        while true {
            Thread.sleep(forTimeInterval: 0.05)
            let (finished, idle) = state.withLock { ($0.finished, clock.now - $0.lastActivity) }
            if finished { return }
            if let firedAt {
                if clock.now - firedAt > timeout + .seconds(2) {
                    onStuck()
                    return
                }
                Self.shutDownSockets()
            } else if idle > timeout {
                state.withLock { $0.timedOut = true }
                firedAt = clock.now
                Self.shutDownSockets()
            }
        }
    }

    /// `shutdown` on every socket descriptor of this process.
    private static func shutDownSockets() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let descriptor = Int32(entry) else { continue }
            var status = stat()
            if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFSOCK {
                shutdown(descriptor, Int32(SHUT_RDWR))
            }
        }
    }
}
