import Foundation

/// A failed system call made by a `FileSystemWorkers` job: what it was doing (naming the path)
/// and its errno.
package struct SystemCallFailure: Error, Sendable, Equatable {
    package let operation: String
    package let code: Int32

    package init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// The failure of the system call just made. `errno` is read before `operation` is built:
    /// building a string allocates, and the C library may touch `errno` on the way.
    package static func lastCall(_ operation: @autoclosure () -> String) -> SystemCallFailure {
        let code = errno
        return SystemCallFailure(operation(), code: code)
    }

    package var reason: String { String(cString: strerror(code)) }
}

/// A few threads that make file-system calls side by side.
///
/// Writing or removing thousands of small files is bound by the kernel's work per file
/// (directory lookups, inode allocation, journalling), not by the disk, and that work runs in
/// parallel across threads (see `defaultThreadCount` for what it bought the runner). The
/// caller keeps everything else on its own thread — libgit2's objects, for one, may be used
/// from one thread at a time — and hands over jobs that only make system calls.
///
/// Jobs run in no particular order. The first failure is kept; once there is one, jobs not yet
/// started are dropped and `submit` throws it. `submit` waits while `capacity` jobs are
/// queued, so what the jobs hold (descriptors, file bytes) stays bounded. The threads are joined
/// by `finish()` (or on deinit), so none outlives the work: a caller that forks afterwards forks
/// a single-threaded process. One thread submits and waits; only the workers run jobs.
package final class FileSystemWorkers: @unchecked Sendable {
    /// A job: `nil` when it succeeded.
    package typealias Job = @Sendable () -> SystemCallFailure?

    private let capacity: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Where idle workers sleep; signalled when a job arrives or the pool stops.
    private let jobArrived = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Where the producer sleeps (queue full, or waiting for idle); signalled when a job ends.
    private let jobEnded = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var threads: [pthread_t] = []
    /// The threads asked for (workers read it; `threads` is the producer's).
    private let workerCount: Int
    /// Jobs submitted but not yet handed over; the producer's alone.
    private var pending: [Job] = []
    // Guarded by `mutex`. The sleeper counts let a thread skip the wake-up call when nobody
    // sleeps: with thousands of tiny jobs, unconditional signals cost more than the jobs.
    private var queue: [Job] = []
    private var queueStart = 0
    private var running = 0
    private var sleepingWorkers = 0
    private var producerSleeping = false
    private var failure: SystemCallFailure?
    private var stopping = false

    /// Starts `threads` worker threads (none on a single-CPU machine by default: jobs then run
    /// inside `submit`, which is what one extra thread would cost there anyway).
    package init(threads: Int = FileSystemWorkers.defaultThreadCount, capacity: Int = 256) {
        self.capacity = max(1, capacity)
        self.workerCount = max(1, threads)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(jobArrived, nil)
        pthread_cond_init(jobEnded, nil)
        for _ in 0..<max(0, threads) {
            var thread = pthread_t()
            let started = pthread_create(
                &thread, nil,
                { context in
                    Unmanaged<FileSystemWorkers>.fromOpaque(context!).takeUnretainedValue().work()
                    return nil
                }, Unmanaged.passUnretained(self).toOpaque())
            // Without a thread the jobs still run: on the others, or inline when there are none.
            if started == 0 { self.threads.append(thread) }
        }
    }

    /// One more thread than CPUs, up to four; none on a single CPU. The workers spend much of
    /// their time blocked in the kernel (directory and journal locks), so a third thread keeps
    /// two CPUs busy: measured on the runner's 2,000-file checkout on 2 CPUs, a warm run took
    /// 107 ms inline, 124 ms with one worker (hand-over without overlap), 90 ms with two and
    /// 82 ms with three; four and six measured the same as three.
    package static var defaultThreadCount: Int {
        let processors = ProcessInfo.processInfo.activeProcessorCount
        return processors > 1 ? min(4, processors + 1) : 0
    }

    deinit {
        stop()
        pthread_cond_destroy(jobArrived)
        pthread_cond_destroy(jobEnded)
        pthread_mutex_destroy(mutex)
        jobArrived.deallocate()
        jobEnded.deallocate()
        mutex.deallocate()
    }

    /// Queues `job`, waiting while the queue is full. Once a job has failed, throws that
    /// failure instead (and drops `job`): the caller should stop producing.
    ///
    /// Jobs are handed over in batches of `batchSize` (and whatever is left at `waitUntilIdle`):
    /// one lock and at most one wake-up per batch, not per job.
    package func submit(_ job: @escaping Job) throws(SystemCallFailure) {
        guard !threads.isEmpty else {
            // No worker threads: this thread is the only one touching the state.
            if let failure { throw failure }
            failure = job()
            if let failure { throw failure }
            return
        }
        pending.append(job)
        if pending.count >= Self.batchSize { try handOverPending() }
    }

    /// Waits for every queued job, then throws the first failure, if any. The pool stays usable.
    package func waitUntilIdle() throws(SystemCallFailure) {
        guard !threads.isEmpty else {
            if let failure { throw failure }
            return
        }
        try handOverPending()
        pthread_mutex_lock(mutex)
        while queue.count > queueStart || running > 0 { sleepUntilAJobEnds() }
        let failure = self.failure
        pthread_mutex_unlock(mutex)
        if let failure { throw failure }
    }

    private static let batchSize = 8

    /// Moves `pending` onto the queue, waiting while the queue is full.
    private func handOverPending() throws(SystemCallFailure) {
        guard !pending.isEmpty else { return }
        pthread_mutex_lock(mutex)
        while queue.count - queueStart >= capacity && failure == nil { sleepUntilAJobEnds() }
        let failure = self.failure
        if failure == nil {
            queue.append(contentsOf: pending)
            if sleepingWorkers > 0 { pthread_cond_broadcast(jobArrived) }
        }
        pthread_mutex_unlock(mutex)
        pending.removeAll(keepingCapacity: true)
        if let failure { throw failure }
    }

    /// Waits for every queued job, joins the threads, and throws the first failure, if any.
    package func finish() throws(SystemCallFailure) {
        defer { stop() }
        try waitUntilIdle()
    }

    /// Drops the jobs not yet started, lets running ones end, and joins the threads.
    private func stop() {
        pending.removeAll()
        pthread_mutex_lock(mutex)
        stopping = true
        queue.removeAll()
        queueStart = 0
        pthread_cond_broadcast(jobArrived)
        pthread_mutex_unlock(mutex)
        for thread in threads { pthread_join(thread, nil) }
        threads.removeAll()
    }

    /// Called with `mutex` held, by the one thread that submits and waits.
    private func sleepUntilAJobEnds() {
        producerSleeping = true
        pthread_cond_wait(jobEnded, mutex)
        producerSleeping = false
    }

    private func work() {
        var batch: [Job] = []
        pthread_mutex_lock(mutex)
        while true {
            while queue.count == queueStart && !stopping {
                sleepingWorkers += 1
                pthread_cond_wait(jobArrived, mutex)
                sleepingWorkers -= 1
            }
            let waiting = queue.count - queueStart
            if waiting == 0 { break }
            // A fair share of what waits, so a batch handed over at once spreads over the workers.
            let take = min(waiting, max(1, waiting / workerCount))
            batch.append(contentsOf: queue[queueStart..<(queueStart + take)])
            queueStart += take
            if queueStart == queue.count {
                queue.removeAll(keepingCapacity: true)
                queueStart = 0
            }
            if failure == nil {
                running += take
                pthread_mutex_unlock(mutex)
                var outcome: SystemCallFailure?
                for job in batch where outcome == nil { outcome = job() }
                pthread_mutex_lock(mutex)
                running -= take
                if failure == nil, let outcome { failure = outcome }
            }
            batch.removeAll(keepingCapacity: true)
            if producerSleeping { pthread_cond_signal(jobEnded) }
        }
        pthread_mutex_unlock(mutex)
    }
}

/// An open directory shared by jobs that create or remove entries in it; closed when the last
/// job holding it is done.
package final class SharedDirectory: Sendable {
    package let descriptor: Int32

    /// Takes ownership of `descriptor`.
    package init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }
}
