#ifndef JOURNEY_STEP_ISOLATION_H
#define JOURNEY_STEP_ISOLATION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

// Starts a journey step in its own user, mount and PID namespaces, where the runner's key
// cannot be reached. Everything between clone(2) and execve(2) happens here, in C, with
// system calls only: the caller is a multithreaded Swift process, and no Swift (nor malloc,
// nor a lock another thread might hold) may run in the forked child.
//
// Shape (the caller is A):
//   A ──clone(NEWUSER|NEWNS|NEWPID)──▶ I, PID 1 of the new namespace: maps its own uid and gid,
//        makes every mount private, hides the key paths, builds a small /dev, mounts a fresh
//        /proc (only this namespace's processes), makes /proc/sys and /sys read-only, scrubs
//        the argv/environment pages it inherited from A, then forks
//   I dies with the thread of A that started it (PR_SET_PDEATHSIG), taking the step along.
//   I ──clone──▶ S, the step: its own process group, every descriptor but 0-2 closed on exec,
//        no capabilities (bounding set empty), no_new_privs, a seccomp filter refusing TIOCSTI
//        and TIOCLINUX, a Landlock domain where the kernel has one, then execve.
//   I relays the signals A forwards to S, reaps orphans, and reports S's wait status through
//   the status pipe before it exits (which ends every process left in the namespace).

/// Where setting up the sandbox failed; reported with an errno.
enum journey_isolation_stage {
    JOURNEY_STAGE_NONE = 0,
    JOURNEY_STAGE_CLONE = 1,
    JOURNEY_STAGE_SETGROUPS = 2,
    JOURNEY_STAGE_UID_MAP = 3,
    JOURNEY_STAGE_GID_MAP = 4,
    JOURNEY_STAGE_PRIVATE_MOUNTS = 5,
    JOURNEY_STAGE_HIDE_PATH = 6,
    JOURNEY_STAGE_DEV = 7,
    JOURNEY_STAGE_PROC = 8,
    JOURNEY_STAGE_PROC_READ_ONLY = 9,
    JOURNEY_STAGE_SYS_READ_ONLY = 10,
    JOURNEY_STAGE_FORK_STEP = 11,
    JOURNEY_STAGE_SIGNALS = 12,
    JOURNEY_STAGE_CAPABILITIES = 13,
    JOURNEY_STAGE_NO_NEW_PRIVS = 14,
    JOURNEY_STAGE_LANDLOCK = 15,
    JOURNEY_STAGE_WORKING_DIRECTORY = 16,
    JOURNEY_STAGE_EXEC = 17,
    JOURNEY_STAGE_DESCRIPTORS = 18,
    JOURNEY_STAGE_DUMPABLE = 19,
    JOURNEY_STAGE_PARENT_DEATH = 20,
    JOURNEY_STAGE_HIDDEN_PATH_MOVED = 21,
    JOURNEY_STAGE_SECCOMP = 22,
};

/// At most this many hidden and exposed paths (the child keeps a descriptor per path on its
/// stack: no malloc after clone).
#define JOURNEY_ISOLATION_MAX_HIDDEN 64
#define JOURNEY_ISOLATION_MAX_EXPOSED 16

/// What a hidden path led to when journey started (and read the key): the sandbox covers that
/// object and refuses to start when the path now leads elsewhere (a step moved a folder above
/// it), instead of covering a decoy.
struct journey_isolation_identity {
    uint64_t device;
    uint64_t inode;
    /// 0: the path did not exist then; whatever it leads to now is covered, unchecked.
    int32_t present;
};

/// One record on the status pipe (16 bytes, written atomically).
enum journey_isolation_record_kind {
    JOURNEY_RECORD_SETUP_FAILED = 1,  // stage, error
    JOURNEY_RECORD_STEP_ENDED = 2,    // value: the step's wait status
    JOURNEY_RECORD_EXEC_FAILED = 3,   // error
    JOURNEY_RECORD_READY = 4,         // a probe's sandbox is set up; value: the Landlock ABI (0: none)
};

struct journey_isolation_record {
    int32_t kind;
    int32_t stage;
    int32_t error;
    int32_t value;
};

struct journey_isolation_request {
    /// The program's path (already searched for on PATH); NULL for a probe, whose PID 1 sets
    /// the namespaces and mounts up, reports READY and exits.
    const char *executable;
    char *const *argv;
    char *const *envp;
    /// The step's working folder, or NULL for the caller's.
    const char *working_directory;
    /// Become the step's stdout and stderr; -1 keeps the caller's.
    int stdout_fd;
    int stderr_fd;
    /// Receives the records; the caller keeps the read end.
    int status_fd;
    /// 1: the step gets its own process group and A signals I's group; 0: both stay in the
    /// caller's (a terminal's foreground group).
    int own_process_group;
    /// Files and folders the step must not see: each is covered (a file by /dev/null, a
    /// folder by an empty read-only tmpfs with mode 000), deepest first, and every cover under
    /// an exposed folder is carried into it. Missing paths are skipped.
    const char *const *hidden_paths;
    /// One per hidden path (NULL: no check, cover whatever each path leads to now).
    const struct journey_isolation_identity *hidden_identities;
    size_t hidden_count;
    /// Folders inside a hidden folder that stay reachable, read-write, at the same path (the
    /// runner's checkout inside its hidden cache). The hidden folder is then a read-only tmpfs
    /// with mode 0111 (pass through, no listing) holding only the way to them.
    const char *const *exposed_paths;
    size_t exposed_count;
};

/// A pipe whose two ends are close-on-exec from the start (pipe2) and numbered 3 or above (so
/// neither can be taken for the step's stdio); 0, or -1 with errno.
int journey_status_pipe(int fds[2]);

/// Starts the sandbox; returns I's pid (in the caller's PID namespace), or -1 with errno set
/// when clone(2) itself failed. Later failures arrive as records on status_fd.
pid_t journey_isolation_spawn(const struct journey_isolation_request *request);

/// The Landlock ABI version this kernel offers (landlock_create_ruleset with
/// LANDLOCK_CREATE_RULESET_VERSION), or 0 when it has none or it is disabled.
int journey_landlock_abi(void);

#endif
