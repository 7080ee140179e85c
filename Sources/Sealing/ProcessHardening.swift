internal import CProcessHardening

/// Makes this process hard to read secrets out of, before it opens anything. Every `journey`
/// command calls it first; the runner refuses to go on without it.
package enum ProcessHardening {
    /// Marks the process non-dumpable (`prctl(PR_SET_DUMPABLE, 0)`): no core dump can hold a
    /// decrypted value, and other processes of the same user can neither ptrace it nor read
    /// `/proc/PID/mem` or `/proc/PID/environ`. Children regain the flag on `exec`.
    package static func makeNonDumpable() throws(SealingError) {
        guard journey_set_non_dumpable() == 0 else {
            throw .processHardening(reason: "prctl(PR_SET_DUMPABLE, 0) failed")
        }
    }

    /// Whether the process is dumpable now (`prctl(PR_GET_DUMPABLE)`).
    package static var isDumpable: Bool { journey_get_dumpable() != 0 }
}
