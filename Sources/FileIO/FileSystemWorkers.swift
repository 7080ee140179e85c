import Foundation

/// A failed system call made by a `FileSystemWorkers` job: what it was doing (naming the path)
/// and its errno.
package struct SystemCallFailure: Error, Sendable, Equatable {
    package let operation: String
    package let code: Int32

    package init(_ operation: String, code: Int32 = errno) {
        self.operation = operation
        self.code = code
    }

    package var reason: String { String(cString: strerror(code)) }
}

/// A few threads that make file-system calls side by side.
///
/// Writing or removing thousands of small files is bound by the kernel's work per file
/// (directory lookups, inode allocation, journalling), not by the disk, and that work runs in
/// parallel across threads: on a 2-core machine two threads write a 2,000-file checkout in about
/// 55 % of the time one takes. The caller keeps everything else on its own thread — libgit2's
/// objects, for one, may be used from one thread at a time — and hands over jobs that only make
/// system calls.
///
/// Jobs run in no particular order. The first failure is kept; once there is one, jobs not yet
/// started are dropped and `submit` throws it. `submit` waits while `capacity` jobs are
/// queued, so what the jobs hold (descriptors, file bytes) stays bounded. The threads are joined
/// by `finish()` (or on deinit), so none outlives the work: a caller that forks afterwards forks
/// a single-threaded process.
package final class FileSystemWorkers: @unchecked Sendable {
    /// A job: `nil` when it succeeded.
    package typealias Job = @Sendable () -> SystemCallFailure?

    private let capacity: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Signalled on every change of the state below; all waiters re-check their condition.
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var threads: [pthread_t] = []
    // Guarded by `mutex`:
    private var queue: [Job] = []
    private var queueStart = 0
    private var running = 0
    private var failure: SystemCallFailure?
    private var stopping = false

    /// Starts `threads` worker threads (none on a single-CPU machine by default: jobs then run
    /// inside `submit`, which is what one extra thread would cost there anyway).
    package init(threads: Int = FileSystemWorkers.defaultThreadCount, capacity: Int = 256) {
        self.capacity = max(1, capacity)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
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

    /// Two threads on a machine with two CPUs or more (more do not help: the directory and
    /// journal locks are shared), none on one.
    package static var defaultThreadCount: Int { ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 0 }

    deinit {
        stop()
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Queues `job`, waiting while the queue is full. Once a job has failed, throws that
    /// failure instead (and drops `job`): the caller should stop producing.
    package func submit(_ job: @escaping Job) throws(SystemCallFailure) {
        guard !threads.isEmpty else {
            // No worker threads: this thread is the only one touching the state.
            if let failure { throw failure }
            failure = job()
            if let failure { throw failure }
            return
        }
        pthread_mutex_lock(mutex)
        while queue.count - queueStart >= capacity && failure == nil { pthread_cond_wait(changed, mutex) }
        let failure = self.failure
        if failure == nil {
            queue.append(job)
            pthread_cond_broadcast(changed)
        }
        pthread_mutex_unlock(mutex)
        if let failure { throw failure }
    }

    /// Waits for every queued job, then throws the first failure, if any. The pool stays usable.
    package func waitUntilIdle() throws(SystemCallFailure) {
        pthread_mutex_lock(mutex)
        while (queue.count > queueStart || running > 0) && !threads.isEmpty { pthread_cond_wait(changed, mutex) }
        let failure = self.failure
        pthread_mutex_unlock(mutex)
        if let failure { throw failure }
    }

    /// Waits for every queued job, joins the threads, and throws the first failure, if any.
    package func finish() throws(SystemCallFailure) {
        defer { stop() }
        try waitUntilIdle()
    }

    /// Drops the jobs not yet started, lets running ones end, and joins the threads.
    private func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        queue.removeAll()
        queueStart = 0
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
        for thread in threads { pthread_join(thread, nil) }
        threads.removeAll()
    }

    private func work() {
        pthread_mutex_lock(mutex)
        while true {
            while queue.count == queueStart && !stopping { pthread_cond_wait(changed, mutex) }
            if queue.count == queueStart { break }
            let job = queue[queueStart]
            queueStart += 1
            if queueStart == queue.count {
                queue.removeAll(keepingCapacity: true)
                queueStart = 0
            }
            guard failure == nil else {
                pthread_cond_broadcast(changed)
                continue
            }
            running += 1
            pthread_mutex_unlock(mutex)
            let outcome = job()
            pthread_mutex_lock(mutex)
            running -= 1
            if failure == nil, let outcome { failure = outcome }
            pthread_cond_broadcast(changed)
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
