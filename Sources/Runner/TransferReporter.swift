import Foundation
import GitStore

/// Progress lines for long clones and fetches, on stderr: nothing for a transfer that ends
/// within two seconds, then at most one line every two seconds, and a last line when done.
final class TransferReporter {
    // Called from libgit2's callback on the thread that runs the clone or fetch; no sharing.
    private let what: String
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var lastLine: ContinuousClock.Instant?
    private var finished = false
    private let interval = Duration.seconds(2)

    /// `what` names the transfer: "cloning URL", "fetching URL".
    init(_ what: String) {
        self.what = what
        start = clock.now
    }

    func report(_ progress: TransferProgress) {
        let now = clock.now
        guard !finished, now - start >= interval,
            lastLine.map({ now - $0 >= interval }) ?? true
                || (lastLine != nil && progress.totalObjects > 0 && progress.receivedObjects == progress.totalObjects)
        else { return }
        lastLine = now
        let total = max(progress.totalObjects, 1)
        let percent = progress.receivedObjects * 100 / total
        let mebibytes = Double(progress.receivedBytes) / 1_048_576
        let done = progress.totalObjects > 0 && progress.receivedObjects == progress.totalObjects
        finished = done
        let line = String(format: "journey: %@: %d%% of %d objects, %.1f MiB%@\n", what, percent, progress.totalObjects, mebibytes, done ? ", done" : "")
        FileHandle.standardError.write(Data(line.utf8))
    }
}
