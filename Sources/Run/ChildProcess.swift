import Diagnostics
import Foundation
import Sealing
import StepIsolation

#if canImport(Glibc)
    import Glibc
#endif

/// Which of the child's output streams a chunk came from.
package enum OutputStream: Sendable, Equatable {
    case standardOutput, standardError
}

/// How a child process ended.
package enum Termination: Equatable, Sendable {
    case exited(Int32)
    case signalled(Int32)
    case timedOut

    /// The exit code a shell would report: the status, or 128 + the signal.
    package var exitCode: Int32 {
        switch self {
        case .exited(let code): return code
        case .signalled(let signal): return 128 + signal
        case .timedOut: return 124
        }
    }

    package var succeeded: Bool { self == .exited(0) }
}

package enum RunError: UserFacingError, Equatable {
    case spawnFailed(command: String, reason: String)
    case pipeFailed(reason: String)
    /// The step's sandbox could not be set up (nothing ran).
    case isolationFailed(command: String, reason: IsolationError)

    package var message: String {
        switch self {
        case .isolationFailed(let command, let reason):
            // --no-isolation is the way out of a machine that cannot isolate, never of a refusal.
            let way = reason.isMachineLimit ? "; run with --no-isolation only where steps are trusted" : ""
            return "cannot isolate \(command) from the private key: \(reason)\(way)"
        case .spawnFailed(let command, let reason): return "cannot start \(command): \(reason)"
        case .pipeFailed(let reason): return "cannot create a pipe for the child's output: \(reason)"
        }
    }
}

/// A child started with `posix_spawnp`, its output read through pipes and masked before
/// anyone sees it. Secret values reach it only through its environment: they are copied into
/// C strings at the last moment and those are zeroed as soon as the child has started.
package struct ChildProcess {
    package var arguments: [String]
    package var environment: [String: String]
    package var secretEnvironment: [(name: String, value: SecretBytes)]
    package var workingDirectory: String?
    package var timeout: Duration?
    /// Put the child in its own process group, so a timeout or a forwarded signal reaches every
    /// process it started. Off for interactive use: a child outside the terminal's foreground
    /// group cannot read the terminal.
    package var ownProcessGroup: Bool
    /// Run the child in a sandbox where the private key cannot be reached (nil: as a plain
    /// child, for `--no-isolation`).
    package var isolation: StepIsolation?

    package init(
        arguments: [String], environment: [String: String],
        secretEnvironment: [(name: String, value: SecretBytes)] = [],
        workingDirectory: String? = nil, timeout: Duration? = nil, ownProcessGroup: Bool = true,
        isolation: StepIsolation? = nil
    ) {
        self.arguments = arguments
        self.environment = environment
        self.secretEnvironment = secretEnvironment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.ownProcessGroup = ownProcessGroup
        self.isolation = isolation
    }

    static let forwardedSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Runs the child to its end. Signals sent to this process are forwarded to it; `output`
    /// receives masked bytes only.
    package func run(masker: Masker, output: @escaping @Sendable (OutputStream, [UInt8]) -> Void) throws(RunError) -> Termination {
        precondition(!arguments.isEmpty, "a child process needs a command")
        let outPipe = try Self.makePipe()
        let errPipe: (read: Int32, write: Int32)
        do { errPipe = try Self.makePipe() } catch {
            close(outPipe.read); close(outPipe.write)
            throw error
        }

        let pid: pid_t
        var sandbox: IsolatedProcess?
        do {
            if let isolation {
                let started = try spawnIsolated(isolation, stdout: outPipe.write, stderr: errPipe.write)
                sandbox = started
                pid = started.pid
            } else {
                pid = try spawn(stdout: outPipe.write, stderr: errPipe.write)
            }
        } catch {
            for fd in [outPipe.read, outPipe.write, errPipe.read, errPipe.write] { close(fd) }
            throw error
        }
        close(outPipe.write)
        close(errPipe.write)

        let forwarding = SignalForwarding(pid: pid, toGroup: ownProcessGroup, signals: forwardSignals)
        defer { forwarding.stop() }

        var streams: [(fd: Int32, kind: OutputStream, masking: MaskingStream)] = [
            (outPipe.read, .standardOutput, masker.stream()),
            (errPipe.read, .standardError, masker.stream()),
        ]
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var status: Int32 = 0
        var reaped = false
        var timedOut = false
        var drainDeadline: ContinuousClock.Instant?
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        while !streams.isEmpty {
            var fds = streams.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 50)
            if ready > 0 {
                for (index, fd) in fds.enumerated().reversed() where fd.revents != 0 {
                    let n = buffer.withUnsafeMutableBytes { read(fd.fd, $0.baseAddress!, $0.count) }
                    if n > 0 {
                        // Fed in place: no unwiped copy of unmasked output is made.
                        let masked = buffer.withUnsafeBytes { streams[index].masking.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                        buffer.withUnsafeMutableBytes { explicit_bzero($0.baseAddress!, n) }
                        if !masked.isEmpty { output(streams[index].kind, masked) }
                    } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                        let rest = streams[index].masking.finish()
                        if !rest.isEmpty { output(streams[index].kind, rest) }
                        close(fd.fd)
                        streams.remove(at: index)
                    }
                }
            }
            if !reaped, waitpid(pid, &status, WNOHANG) == pid {
                reaped = true
                // Something the child started may hold the pipes open; drain briefly, then stop.
                drainDeadline = .now + .milliseconds(500)
            }
            if let drainDeadline, ContinuousClock.now > drainDeadline { break }
            if !timedOut, !reaped, let deadline, ContinuousClock.now > deadline {
                timedOut = true
                kill(ownProcessGroup ? -pid : pid, SIGTERM)
                Self.killAfterGrace(pid: pid, group: ownProcessGroup)
            }
        }
        buffer.withUnsafeMutableBytes { explicit_bzero($0.baseAddress!, $0.count) }
        for stream in streams {
            var masking = stream.masking
            let rest = masking.finish()
            if !rest.isEmpty { output(stream.kind, rest) }
            close(stream.fd)
        }
        if let sandbox {
            // The sandbox's first process reports the step's own wait status as soon as the step
            // ends; its own exit (tearing the namespaces down) is reaped in the background.
            let outcome = sandbox.outcome(waiting: !reaped)
            if !reaped {
                if outcome == .vanished {
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                } else {
                    sandbox.reapInBackground()
                }
            }
            switch outcome {
            case .ended(let stepStatus): status = stepStatus
            case .setupFailed(let error): throw .isolationFailed(command: arguments[0], reason: error)
            case .execFailed(let code): throw .spawnFailed(command: arguments[0], reason: String(cString: strerror(code)))
            case .ready, .vanished: break
            }
        } else if !reaped {
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        if timedOut { return .timedOut }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot see.
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    private var forwardSignals: [Int32] {
        // Sharing the terminal's process group, the child already gets the keyboard's signals.
        ownProcessGroup ? Self.forwardedSignals : [SIGTERM, SIGHUP]
    }

    private func spawn(stdout: Int32, stderr: Int32) throws(RunError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        if let workingDirectory {
            guard let addChdir = Self.addChdir else {
                throw .spawnFailed(command: arguments[0], reason: "this C library cannot set a child's working folder (posix_spawn_file_actions_addchdir_np)")
            }
            _ = addChdir(&actions, workingDirectory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Ignored signals survive exec: give the child default handling and an empty mask.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in Self.forwardedSignals + [SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var flags = Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if ownProcessGroup {
            flags |= Int16(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, flags)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environmentBlock = EnvironmentBlock(plain: environment, secret: secretEnvironment)
        defer { environmentBlock.wipe() }

        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environmentBlock.pointers)
        guard result == 0 else {
            throw .spawnFailed(command: arguments[0], reason: String(cString: strerror(result)))
        }
        return pid
    }

    private func spawnIsolated(_ isolation: StepIsolation, stdout: Int32, stderr: Int32) throws(RunError) -> IsolatedProcess {
        guard let executable = Self.searchPath(for: arguments[0]) else {
            throw .spawnFailed(command: arguments[0], reason: String(cString: strerror(ENOENT)))
        }
        let environmentBlock = EnvironmentBlock(plain: environment, secret: secretEnvironment)
        defer { environmentBlock.wipe() }
        do {
            return try isolation.spawn(
                executable: executable, arguments: arguments, environment: environmentBlock.pointers, workingDirectory: workingDirectory,
                standardOutput: stdout, standardError: stderr, ownProcessGroup: ownProcessGroup)
        } catch {
            throw .isolationFailed(command: arguments[0], reason: error)
        }
    }

    /// The program `posix_spawnp` would run: a name with a slash as it is, else the first
    /// executable match on this process's `PATH`.
    static func searchPath(for command: String) -> String? {
        if command.contains("/") { return command }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (folder.isEmpty ? "." : String(folder)) + "/" + command
            var info = stat()
            if access(candidate, X_OK) == 0, stat(candidate, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR { return candidate }
        }
        return nil
    }

    /// A pipe whose ends are close-on-exec from the start (`pipe2(O_CLOEXEC)`): only the dup2'd
    /// copies reach this child, and no child another thread starts meanwhile inherits an end
    /// (with `pipe` then `fcntl` there is a window between the two).
    private static func makePipe() throws(RunError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard let pipe2 = closeOnExecPipe, pipe2(&fds, O_CLOEXEC) == 0 else {
            throw .pipeFailed(reason: closeOnExecPipe == nil ? "this C library has no pipe2" : String(cString: strerror(errno)))
        }
        return (fds[0], fds[1])
    }

    /// glibc's `pipe2` (a GNU extension the Glibc module does not export); looked up once by name.
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private static let closeOnExecPipe: Pipe2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2") else { return nil }
        return unsafeBitCast(symbol, to: Pipe2.self)
    }()

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), which Swift's Glibc module does
    /// not export because it is a GNU extension; looked up once by name.
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addChdir: AddChdir? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    private static func killAfterGrace(pid: pid_t, group: Bool) {
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
            kill(group ? -pid : pid, SIGKILL)
        }
    }
}

/// The child's `envp`: C strings built at the last moment; the ones holding values are zeroed
/// and freed right after the spawn.
private final class EnvironmentBlock {
    var pointers: [UnsafeMutablePointer<CChar>?] = []
    private var plainStrings: [UnsafeMutablePointer<CChar>] = []
    private var secretStrings: [(UnsafeMutablePointer<CChar>, Int)] = []

    init(plain: [String: String], secret: [(name: String, value: SecretBytes)]) {
        let secretNames = Set(secret.map(\.name))
        for (name, value) in plain.sorted(by: { $0.key < $1.key }) where !secretNames.contains(name) {
            let pointer = strdup("\(name)=\(value)")!
            plainStrings.append(pointer)
            pointers.append(pointer)
        }
        for (name, value) in secret {
            let nameBytes = Array(name.utf8) + [UInt8(ascii: "=")]
            let length = nameBytes.count + value.count + 1
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: length)
            let raw = UnsafeMutableRawBufferPointer(start: pointer, count: length)
            raw.copyBytes(from: nameBytes)
            value.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: raw[nameBytes.count...]).copyMemory(from: $0) }
            raw[length - 1] = 0
            secretStrings.append((pointer, length))
            pointers.append(pointer)
        }
        pointers.append(nil)
    }

    func wipe() {
        for (pointer, length) in secretStrings {
            memset(pointer, 0, length)
            pointer.deallocate()
        }
        secretStrings.removeAll()
        for pointer in plainStrings { free(pointer) }
        plainStrings.removeAll()
        pointers.removeAll()
    }
}

/// Forwards signals this process receives to the child (or its process group) while it runs.
///
/// Signal dispositions are process-wide, and several children can run at once (the tests run
/// them in parallel): the first forwarding of a signal saves its handler and ignores it, the
/// last one to stop restores it, so overlapping runs never leave a signal ignored for good.
private final class SignalForwarding {
    private static let lock = NSLock()
    /// Signal → (forwardings active, the handler before the first).
    nonisolated(unsafe) private static var active: [Int32: (count: Int, previous: sighandler_t?)] = [:]

    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32]
    private var stopped = false

    init(pid: pid_t, toGroup: Bool, signals: [Int32]) {
        self.signals = signals
        Self.lock.withLock {
            for signalNumber in signals {
                if let entry = Self.active[signalNumber] {
                    Self.active[signalNumber] = (entry.count + 1, entry.previous)
                } else {
                    Self.active[signalNumber] = (1, signal(signalNumber, SIG_IGN))
                }
            }
        }
        for signalNumber in signals {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { kill(toGroup ? -pid : pid, signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        for source in sources { source.cancel() }
        Self.lock.withLock {
            for signalNumber in signals {
                guard let entry = Self.active[signalNumber] else { continue }
                if entry.count > 1 {
                    Self.active[signalNumber] = (entry.count - 1, entry.previous)
                } else {
                    Self.active[signalNumber] = nil
                    signal(signalNumber, entry.previous)
                }
            }
        }
    }
}
