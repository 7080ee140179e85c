import Foundation
import Sealing
import Testing

@Suite("Process hardening: non-dumpable, checked in a forked child so the test process keeps its own state")
struct ProcessHardeningTests {
    /// Runs `body` in a forked child and returns its exit status. The child only makes prctl
    /// calls and `_exit`s, which is safe after `fork` in a multithreaded process.
    private func inChild(_ body: () -> Int32) -> Int32 {
        let pid = fork()
        if pid == 0 { _exit(body()) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    @Test func makingTheProcessNonDumpableSticks() {
        let status = inChild {
            guard ProcessHardening.isDumpable else { return 3 }  // a fresh process starts dumpable
            do { try ProcessHardening.makeNonDumpable() } catch { return 2 }
            return ProcessHardening.isDumpable ? 1 : 0
        }
        #expect(status == 0)
    }
}
