import Foundation
import Run
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Signal dispositions are process-wide and every running child changes them, so this test
/// only asserts what must hold whatever else runs in parallel: once no child runs, every
/// forwarded signal is back to the handling it had before — never left ignored.
@Suite("Signal forwarding when child processes overlap")
struct SignalForwardingTests {
    static let signals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Each forwarded signal's handler, as an address (`SIG_DFL` is 0, `SIG_IGN` is 1).
    static func handlers() -> [Int] {
        signals.map { signal in
            var current = sigaction()
            sigaction(signal, nil, &current)
            return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
        }
    }

    /// Waits (up to 20 s) for a moment when no other test's child holds a signal ignored.
    static func settledHandlers() async throws -> [Int] {
        let ignored = unsafeBitCast(SIG_IGN, to: Int.self)
        let deadline = ContinuousClock.now + .seconds(20)
        var current = handlers()
        while ContinuousClock.now < deadline, current.contains(ignored) {
            try await Task.sleep(for: .milliseconds(50))
            current = handlers()
        }
        return current
    }

    @Test func overlappingChildrenLeaveNoSignalIgnored() async throws {
        let before = try await Self.settledHandlers()
        #expect(!before.contains(unsafeBitCast(SIG_IGN, to: Int.self)))
        // The first child ends while the second still runs: the order that used to leave the
        // signals ignored for good (the second saved "ignored" as the handler to restore).
        try await withThrowingTaskGroup(of: Termination.self) { group in
            group.addTask {
                try ChildProcess(arguments: ["/bin/sh", "-c", "sleep 0.4"], environment: ["PATH": "/usr/bin:/bin"]).run(masker: Masker(values: [])) { _, _ in }
            }
            try await Task.sleep(for: .milliseconds(150))
            group.addTask {
                try ChildProcess(arguments: ["/bin/sh", "-c", "sleep 0.9"], environment: ["PATH": "/usr/bin:/bin"]).run(masker: Masker(values: [])) { _, _ in }
            }
            for try await termination in group { #expect(termination == .exited(0)) }
        }
        // Not compared with `before`: a child of another test may have been running (its
        // forwarding in place) when `before` was read. What must hold is that no signal stays
        // ignored once the children are gone, which the old bug broke for good.
        #expect(!(try await Self.settledHandlers()).contains(unsafeBitCast(SIG_IGN, to: Int.self)), "a forwarded signal was left ignored")
    }
}
