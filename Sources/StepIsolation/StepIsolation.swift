internal import CStepIsolation
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How a step is kept away from the private key: its own user, mount and PID namespaces (as
/// bubblewrap builds them, unprivileged where the kernel allows), a fresh `/proc` that shows
/// only the step's own processes, the key's paths covered, a small `/dev`, no capabilities,
/// `no_new_privs`, and a Landlock domain where the kernel offers one. The fork-to-exec work is
/// C (`CStepIsolation`): no Swift runs in the forked child.
package struct StepIsolation: Sendable, Equatable {
    /// Files and folders the step must not see, resolved (no symlinks: the kernel covers what a
    /// path leads to, and a folder holding an exposed path is found by its real name); at most 64.
    package private(set) var hiddenPaths: [String]
    /// What each hidden path led to when this value was made (before any step ran; nil: it did
    /// not exist). A step may rename a folder above a covered one (the covers are mounts, they
    /// move along); the next step's sandbox then refuses to start rather than cover the decoy
    /// left at the old path.
    private var hiddenIdentities: [FileIdentity?]
    /// Folders inside a hidden folder that stay reachable read-write (the runner's checkout in
    /// its cache); at most 16.
    package private(set) var exposedPaths: [String]

    struct FileIdentity: Sendable, Equatable {
        let device: UInt64
        let inode: UInt64
    }

    package init(hiddenPaths: [String], exposedPaths: [String] = []) {
        self.init(hidden: [], adding: hiddenPaths, exposedPaths: exposedPaths)
    }

    /// `hidden` (paths already resolved, with their identities) and `adding`, resolved and
    /// identified now.
    private init(hidden: [(path: String, identity: FileIdentity?)], adding paths: [String], exposedPaths: [String]) {
        var seen = Set(hidden.map(\.path))
        let added = paths.filter { !$0.isEmpty }.map(Self.resolved).filter { seen.insert($0).inserted }.map { ($0, Self.identity(of: $0)) }
        let all = hidden + added
        self.hiddenPaths = all.map(\.path)
        self.hiddenIdentities = all.map(\.identity)
        self.exposedPaths = Array(exposedPaths.filter { !$0.isEmpty }.map(Self.resolved).prefix(Int(JOURNEY_ISOLATION_MAX_EXPOSED)))
    }

    /// This sandbox, also hiding `folder` except `exposed` inside it. A folder that is or holds
    /// one steps share with everything else (`/tmp`, `/var/tmp`, `$HOME`) is left visible: a
    /// cache given as `--cache /tmp` must not take `/tmp` from the steps.
    package func hiding(_ folder: String, except exposed: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> StepIsolation {
        let real = Self.resolved(folder)
        let shared = ["/tmp", "/var/tmp", "/dev/shm", environment["HOME"] ?? "/root"].map(Self.resolved)
        if real == "/" || shared.contains(where: { $0 == real || $0.hasPrefix(real + "/") }) { return self }
        // The paths already hidden keep the identities they had when journey started.
        return StepIsolation(
            hidden: Array(zip(hiddenPaths, hiddenIdentities).map { (path: $0, identity: $1) }), adding: [real],
            exposedPaths: exposedPaths + [exposed])
    }

    /// The paths a private key is read from: the key file named by `--key-file` or
    /// `JOURNEY_KEY_FILE`, and the key folder (`$XDG_CONFIG_HOME/journey/keys`).
    package static func keyPaths(keyFile: String?, keyFolder: String, environment: [String: String]) -> [String] {
        var paths = [keyFolder]
        if let keyFile, !keyFile.isEmpty { paths.append(keyFile) }
        if let file = environment["JOURNEY_KEY_FILE"], !file.isEmpty { paths.append(file) }
        return paths
    }

    /// What this machine allows, found once per process by setting a sandbox's namespaces and
    /// mounts up and stopping there.
    package static let availability: Availability = probe()

    package enum Availability: Sendable, Equatable {
        /// Isolation works; `landlockABI` is 0 when the kernel has no Landlock.
        case available(landlockABI: Int)
        case unavailable(reason: String)
    }

    /// Starts `executable` (a path, already searched for on `PATH`) in the sandbox. The
    /// returned process's `pid` is the sandbox's first process; its wait status is not the
    /// step's: read that with `IsolatedProcess.outcome(waiting:)`.
    package func spawn(
        executable: String, arguments: [String], environment: [UnsafeMutablePointer<CChar>?], workingDirectory: String?,
        standardOutput: Int32, standardError: Int32, ownProcessGroup: Bool
    ) throws(IsolationError) -> IsolatedProcess {
        // A step gets a private /dev, so a folder under it is not there for the step.
        if let workingDirectory, Self.isUnderDev(Self.resolved(workingDirectory)) {
            throw .workingFolderUnderDev(path: workingDirectory)
        }
        return try Self.start(
            executable: executable, arguments: arguments, environment: environment, workingDirectory: workingDirectory,
            standardOutput: standardOutput, standardError: standardError, ownProcessGroup: ownProcessGroup, covering: self)
    }

    private static func probe() -> Availability {
        let environment: [UnsafeMutablePointer<CChar>?] = [nil]
        let process: IsolatedProcess
        do {
            process = try start(
                executable: nil, arguments: [], environment: environment, workingDirectory: nil,
                standardOutput: -1, standardError: -1, ownProcessGroup: true, covering: StepIsolation(hiddenPaths: []))
        } catch {
            return .unavailable(reason: error.description)
        }
        let outcome = process.outcome(waiting: true)
        process.reapInBackground()
        switch outcome {
        case .ready(let abi): return .available(landlockABI: abi)
        case .setupFailed(let error): return .unavailable(reason: error.description)
        case .ended, .execFailed, .vanished: return .unavailable(reason: "the sandbox's first process ended without reporting")
        }
    }

    private static func start(
        executable: String?, arguments: [String], environment: [UnsafeMutablePointer<CChar>?], workingDirectory: String?,
        standardOutput: Int32, standardError: Int32, ownProcessGroup: Bool, covering paths: StepIsolation
    ) throws(IsolationError) -> IsolatedProcess {
        // Close-on-exec from the start: a pipe()-then-fcntl pair would leak into a child another
        // thread forks and execs in between.
        var fds: [Int32] = [0, 0]
        guard journey_status_pipe(&fds) == 0 else { throw .setup(stage: "creating the status pipe", errno: errno) }
        // Every C string the child reads is made here, before the clone.
        let argv = arguments.map { strdup($0) } + [nil]
        let hidden = paths.hiddenPaths.map { UnsafePointer(strdup($0)) } + [nil]
        let exposed = paths.exposedPaths.map { UnsafePointer(strdup($0)) } + [nil]
        let identities = paths.hiddenIdentities.map {
            journey_isolation_identity(device: $0?.device ?? 0, inode: $0?.inode ?? 0, present: $0 == nil ? 0 : 1)
        }
        let executableCopy = executable.map { strdup($0) } ?? nil
        let directoryCopy = workingDirectory.map { strdup($0) } ?? nil
        defer {
            for pointer in argv { free(pointer) }
            for pointer in hidden { free(UnsafeMutablePointer(mutating: pointer)) }
            for pointer in exposed { free(UnsafeMutablePointer(mutating: pointer)) }
            free(executableCopy)
            free(directoryCopy)
        }
        let pid: Int32 = argv.withUnsafeBufferPointer { argvBuffer in
            environment.withUnsafeBufferPointer { envBuffer in
                hidden.withUnsafeBufferPointer { hiddenBuffer in
                    identities.withUnsafeBufferPointer { identityBuffer in
                        exposed.withUnsafeBufferPointer { exposedBuffer in
                            var request = journey_isolation_request(
                                executable: UnsafePointer(executableCopy), argv: argvBuffer.baseAddress, envp: envBuffer.baseAddress,
                                working_directory: UnsafePointer(directoryCopy), stdout_fd: standardOutput, stderr_fd: standardError,
                                status_fd: fds[1], own_process_group: ownProcessGroup ? 1 : 0,
                                hidden_paths: hiddenBuffer.baseAddress, hidden_identities: identityBuffer.baseAddress,
                                hidden_count: paths.hiddenPaths.count,
                                exposed_paths: exposedBuffer.baseAddress, exposed_count: paths.exposedPaths.count)
                            return journey_isolation_spawn(&request)
                        }
                    }
                }
            }
        }
        let cloneErrno = errno
        close(fds[1])
        guard pid > 0 else {
            close(fds[0])
            throw .setup(stage: Self.stageName(JOURNEY_STAGE_CLONE.rawValue), errno: cloneErrno)
        }
        return IsolatedProcess(pid: pid, statusDescriptor: fds[0])
    }

    static func stageName(_ stage: UInt32) -> String {
        switch stage {
        case JOURNEY_STAGE_CLONE.rawValue: return "creating user, mount and PID namespaces (clone)"
        case JOURNEY_STAGE_SETGROUPS.rawValue: return "writing /proc/self/setgroups"
        case JOURNEY_STAGE_UID_MAP.rawValue: return "writing the user namespace's uid_map"
        case JOURNEY_STAGE_GID_MAP.rawValue: return "writing the user namespace's gid_map"
        case JOURNEY_STAGE_PRIVATE_MOUNTS.rawValue: return "making the mounts private"
        case JOURNEY_STAGE_HIDE_PATH.rawValue: return "covering the key's paths"
        case JOURNEY_STAGE_DEV.rawValue: return "building a private /dev"
        case JOURNEY_STAGE_PROC.rawValue: return "mounting a fresh /proc for the step's PID namespace"
        case JOURNEY_STAGE_PROC_READ_ONLY.rawValue: return "making /proc/sys read-only"
        case JOURNEY_STAGE_SYS_READ_ONLY.rawValue: return "making /sys read-only"
        case JOURNEY_STAGE_FORK_STEP.rawValue: return "starting the step inside the namespaces"
        case JOURNEY_STAGE_SIGNALS.rawValue: return "setting up signals"
        case JOURNEY_STAGE_CAPABILITIES.rawValue: return "dropping capabilities"
        case JOURNEY_STAGE_NO_NEW_PRIVS.rawValue: return "setting no_new_privs"
        case JOURNEY_STAGE_LANDLOCK.rawValue: return "entering a Landlock domain"
        case JOURNEY_STAGE_WORKING_DIRECTORY.rawValue: return "entering the working folder"
        case JOURNEY_STAGE_SECCOMP.rawValue: return "refusing terminal input injection (a seccomp filter on TIOCSTI)"
        case JOURNEY_STAGE_DESCRIPTORS.rawValue: return "closing the descriptors journey had open"
        case JOURNEY_STAGE_DUMPABLE.rawValue: return "making the sandbox's first process non-dumpable"
        case JOURNEY_STAGE_PARENT_DEATH.rawValue: return "tying the sandbox's life to journey's (PR_SET_PDEATHSIG)"
        default: return "starting the step"
        }
    }

    static func isUnderDev(_ path: String) -> Bool { path == "/dev" || path.hasPrefix("/dev/") }

    /// What `path` leads to now, or nil when nothing is there.
    private static func identity(of path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// The absolute path with every symlink resolved (as given, made absolute, when it does not exist).
    private static func resolved(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard let real = realpath(absolute, nil) else { return absolute }
        defer { free(real) }
        return String(cString: real)
    }
}

/// A sandbox's first process (PID 1 inside) and the pipe it reports on.
package struct IsolatedProcess: Sendable {
    package let pid: Int32
    let statusDescriptor: Int32

    package enum Outcome: Sendable, Equatable {
        /// The step ended with this wait status.
        case ended(waitStatus: Int32)
        case setupFailed(IsolationError)
        /// `execve` failed with this errno (e.g. ENOENT).
        case execFailed(errno: Int32)
        /// A probe's sandbox was set up.
        case ready(landlockABI: Int)
        /// Nothing was reported: the sandbox was killed (a timeout's SIGKILL).
        case vanished
    }

    /// Reads what the sandbox reported and closes the pipe; call it once. `waiting`: block until
    /// the first final record (or the pipe's end); else take only what is already there, after
    /// `pid` was reaped.
    package func outcome(waiting: Bool) -> Outcome {
        defer { close(statusDescriptor) }
        if !waiting { _ = fcntl(statusDescriptor, F_SETFL, fcntl(statusDescriptor, F_GETFL) | O_NONBLOCK) }
        var record = journey_isolation_record()
        let size = MemoryLayout<journey_isolation_record>.size
        while true {
            let n = withUnsafeMutableBytes(of: &record) { read(statusDescriptor, $0.baseAddress!, size) }
            if n < 0 && errno == EINTR { continue }
            guard n == size else { return .vanished }
            switch UInt32(record.kind) {
            case JOURNEY_RECORD_SETUP_FAILED.rawValue:
                if UInt32(record.stage) == JOURNEY_STAGE_HIDDEN_PATH_MOVED.rawValue { return .setupFailed(.keyPathMoved) }
                return .setupFailed(.setup(stage: StepIsolation.stageName(UInt32(record.stage)), errno: record.error))
            case JOURNEY_RECORD_EXEC_FAILED.rawValue: return .execFailed(errno: record.error)
            case JOURNEY_RECORD_READY.rawValue: return .ready(landlockABI: Int(record.value))
            case JOURNEY_RECORD_STEP_ENDED.rawValue: return .ended(waitStatus: record.value)
            default: continue
            }
        }
    }

    /// Reaps the sandbox's first process on another thread. Its exit tears the namespaces down
    /// (unmounting, an RCU grace period), which nobody needs to wait for once the step's status
    /// has arrived.
    package func reapInBackground() {
        let pid = self.pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }
}

/// Why a step could not be isolated.
package enum IsolationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// This machine would not set the sandbox up (a stage failed).
    case setup(stage: String, errno: Int32)
    /// A covered key path leads elsewhere than when journey started (a step renamed a folder
    /// above it, say): the sandbox is refused, since its covers would miss the key.
    case keyPathMoved
    /// The step's working folder lies under `/dev`, which every step gets fresh.
    case workingFolderUnderDev(path: String)

    /// Whether the machine cannot isolate (so `--no-isolation` is the way out where steps are
    /// trusted), rather than this run being refused for a reason to fix.
    package var isMachineLimit: Bool {
        if case .setup = self { return true }
        return false
    }

    package var description: String {
        switch self {
        case .setup(let stage, let code): return "\(stage) failed: \(String(cString: strerror(code)))"
        case .keyPathMoved:
            return
                "one of the key's paths was moved or replaced since journey started (e.g. by a step renaming a folder above it); check where the key is and start journey again"
        case .workingFolderUnderDev(let path):
            return
                "the step's working folder \(path) lies under /dev, which each step gets fresh (a private /dev); keep the workspace, or the runner's --cache, outside /dev (a tmpfs mounted elsewhere works)"
        }
    }
}
