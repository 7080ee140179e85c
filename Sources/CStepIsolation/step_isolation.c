#define _GNU_SOURCE
#include "step_isolation.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

// Debian 12's <linux/landlock.h> predates ABI 6 (scopes); this is the attribute struct as
// the kernel reads it, its size chosen by the ABI version.
struct landlock_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};
#define JOURNEY_LANDLOCK_SCOPE_SIGNAL (1ULL << 1)

// Signals A forwards; I relays them to the step.
static const int relayed_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define RELAYED_COUNT (sizeof relayed_signals / sizeof relayed_signals[0])

// ---- async-signal-safe helpers (no malloc, no stdio, no locks) ----

static void send_record(int fd, int32_t kind, int32_t stage, int32_t error, int32_t value) {
    struct journey_isolation_record record = {kind, stage, error, value};
    ssize_t n;
    do { n = write(fd, &record, sizeof record); } while (n < 0 && errno == EINTR);
}

static _Noreturn void fail(int fd, enum journey_isolation_stage stage) {
    send_record(fd, JOURNEY_RECORD_SETUP_FAILED, stage, errno, 0);
    _exit(127);
}

static size_t format_unsigned(char *out, unsigned value) {
    char digits[12];
    size_t count = 0;
    do { digits[count++] = (char)('0' + value % 10); value /= 10; } while (value);
    for (size_t i = 0; i < count; i++) out[i] = digits[count - 1 - i];
    return count;
}

static int write_file(const char *path, const char *text, size_t length) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, length);
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)length ? 0 : -1;
}

/// "ID ID 1\n": the same id inside as outside, the one mapping an unprivileged process may write.
static int write_identity_map(const char *path, unsigned id) {
    char line[40];
    size_t at = format_unsigned(line, id);
    line[at++] = ' ';
    at += format_unsigned(line + at, id);
    memcpy(line + at, " 1\n", 3);
    return write_file(path, line, at + 3);
}

/// A raw clone: a fork that runs no atfork handlers (which take locks other threads of A may
/// have held at the first clone).
static pid_t raw_fork(unsigned long flags) { return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0); }

static int bind_fd(int fd, const char *target) {
    char source[40] = "/proc/self/fd/";
    size_t at = strlen(source);
    at += format_unsigned(source + at, (unsigned)fd);
    source[at] = 0;
    return mount(source, target, NULL, MS_BIND, NULL);
}

/// Binds `path` onto itself and remounts that read-only (keeping the flags the kernel locks).
static int make_read_only(const char *path, unsigned long keep) {
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) != 0) return -1;
    return mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL);
}

/// Whether `path` lies strictly inside `folder`.
static int is_inside(const char *path, const char *folder) {
    size_t length = strlen(folder);
    return strncmp(path, folder, length) == 0 && path[length] == '/' && path[length + 1] != 0;
}

/// Makes the folders from `folder` down to `path` inside the fresh tmpfs at `folder`.
static int make_way(const char *path, const char *folder) {
    char partial[4096];
    size_t length = strlen(path);
    if (length >= sizeof partial) { errno = ENAMETOOLONG; return -1; }
    for (size_t at = strlen(folder) + 1; at <= length; at++) {
        if (path[at] != '/' && path[at] != 0) continue;
        memcpy(partial, path, at);
        partial[at] = 0;
        if (mkdir(partial, 0111) != 0 && errno != EEXIST) return -1;
    }
    return 0;
}

static void hide_paths(const struct journey_isolation_request *request, int status_fd) {
    // Opened before anything is covered: afterwards the paths lead into the covering tmpfs.
    int exposed[16];
    size_t exposed_count = request->exposed_count < 16 ? request->exposed_count : 16;
    for (size_t i = 0; i < exposed_count; i++) {
        exposed[i] = open(request->exposed_paths[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (exposed[i] < 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
    }
    for (size_t i = 0; i < request->hidden_count; i++) {
        const char *path = request->hidden_paths[i];
        struct stat info;
        if (stat(path, &info) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) continue;
            fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
        }
        if (!S_ISDIR(info.st_mode)) {
            // Reads are empty, writes vanish. No read-only remount: the kernel refuses to drop
            // flags (nosuid, noexec) a container's /dev mount is locked with.
            if (mount("/dev/null", path, NULL, MS_BIND, NULL) != 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
            continue;
        }
        int holds_exposed = 0;
        for (size_t j = 0; j < exposed_count; j++) holds_exposed |= is_inside(request->exposed_paths[j], path);
        unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        if (!holds_exposed) {
            if (mount("tmpfs", path, "tmpfs", flags | MS_RDONLY, "mode=000,size=4k") != 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
            continue;
        }
        if (mount("tmpfs", path, "tmpfs", flags, "mode=0111,size=64k") != 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
        for (size_t j = 0; j < exposed_count; j++) {
            const char *inner = request->exposed_paths[j];
            if (!is_inside(inner, path)) continue;
            if (make_way(inner, path) != 0 || bind_fd(exposed[j], inner) != 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
        }
        if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, NULL) != 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
    }
    for (size_t i = 0; i < exposed_count; i++) close(exposed[i]);
}

/// A /dev with only what programs expect (null, zero, full, random, urandom, tty, a private
/// pts instance, shm): the host's block devices would let a step read the disk the key is on.
static void build_dev(int status_fd) {
    static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty"};
    enum { count = sizeof devices / sizeof devices[0] };
    int fds[count];
    char path[32];
    for (size_t i = 0; i < count; i++) {
        memcpy(path, "/dev/", 5);
        strcpy(path + 5, devices[i]);
        fds[i] = open(path, O_PATH | O_CLOEXEC);
        // A container may lack one (no /dev/tty without a terminal): the step lacks it too.
        if (fds[i] < 0 && errno != ENOENT) fail(status_fd, JOURNEY_STAGE_DEV);
    }
    if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") != 0) fail(status_fd, JOURNEY_STAGE_DEV);
    for (size_t i = 0; i < count; i++) {
        if (fds[i] < 0) continue;
        memcpy(path, "/dev/", 5);
        strcpy(path + 5, devices[i]);
        int created = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
        if (created < 0) fail(status_fd, JOURNEY_STAGE_DEV);
        close(created);
        if (bind_fd(fds[i], path) != 0) fail(status_fd, JOURNEY_STAGE_DEV);
        close(fds[i]);
    }
    if (mkdir("/dev/shm", 01777) != 0 || mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0)
        fail(status_fd, JOURNEY_STAGE_DEV);
    if (mkdir("/dev/pts", 0755) != 0) fail(status_fd, JOURNEY_STAGE_DEV);
    // A private pts instance: the host's terminals stay out of reach. Without one (an old
    // kernel), /dev/pts stays empty and only the inherited terminal works.
    if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") == 0) {
        if (symlink("pts/ptmx", "/dev/ptmx") != 0) fail(status_fd, JOURNEY_STAGE_DEV);
    }
    if (symlink("/proc/self/fd", "/dev/fd") != 0 || symlink("/proc/self/fd/0", "/dev/stdin") != 0
        || symlink("/proc/self/fd/1", "/dev/stdout") != 0 || symlink("/proc/self/fd/2", "/dev/stderr") != 0)
        fail(status_fd, JOURNEY_STAGE_DEV);
}

static void drop_capabilities(int status_fd) {
    for (int cap = 0; cap < 64; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) fail(status_fd, JOURNEY_STAGE_CAPABILITIES);
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) fail(status_fd, JOURNEY_STAGE_CAPABILITIES);
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &header, data) != 0) fail(status_fd, JOURNEY_STAGE_CAPABILITIES);
}

/// A Landlock domain of its own: the step can then neither ptrace nor read /proc/PID/mem,
/// environ, fd or maps of any process outside it (I included), cannot signal them (ABI 6),
/// and cannot make device nodes. Nothing when the kernel has no Landlock.
static void enter_landlock(int status_fd) {
    int abi = journey_landlock_abi();
    if (abi == 0) return;
    struct landlock_attr attr = {LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_BLOCK, 0, 0};
    size_t size = sizeof attr.handled_access_fs;
    if (abi >= 6) {
        attr.scoped = JOURNEY_LANDLOCK_SCOPE_SIGNAL;
        size = sizeof attr;
    }
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0) fail(status_fd, JOURNEY_STAGE_LANDLOCK);
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) fail(status_fd, JOURNEY_STAGE_LANDLOCK);
    close(ruleset);
}

/// The step, forked by I: everything it must not keep is dropped, then exec.
static _Noreturn void become_step(const struct journey_isolation_request *request, int status_fd) {
    sigset_t none;
    sigemptyset(&none);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    }
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) fail(status_fd, JOURNEY_STAGE_SIGNALS);
    if (request->own_process_group && setpgid(0, 0) != 0) fail(status_fd, JOURNEY_STAGE_SIGNALS);
    if (request->stdout_fd >= 0 && dup2(request->stdout_fd, 1) < 0) fail(status_fd, JOURNEY_STAGE_EXEC);
    if (request->stderr_fd >= 0 && dup2(request->stderr_fd, 2) < 0) fail(status_fd, JOURNEY_STAGE_EXEC);
    // No descriptor A had open (a key file, a mirror, a socket) survives the exec.
    if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 3; fd < 65536; fd++) {
            if (fd != status_fd) close(fd);
        }
        if (fcntl(status_fd, F_SETFD, FD_CLOEXEC) != 0) fail(status_fd, JOURNEY_STAGE_EXEC);
    }
    if (request->working_directory && chdir(request->working_directory) != 0) fail(status_fd, JOURNEY_STAGE_WORKING_DIRECTORY);
    drop_capabilities(status_fd);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(status_fd, JOURNEY_STAGE_NO_NEW_PRIVS);
    enter_landlock(status_fd);
    execve(request->executable, request->argv, request->envp);
    send_record(status_fd, JOURNEY_RECORD_EXEC_FAILED, JOURNEY_STAGE_EXEC, errno, 0);
    _exit(127);
}

static void relay_handler(int sig) { (void)sig; }

/// Closes every descriptor from 3 up except the three I still needs; the step's inherited set
/// is then exactly its stdio and the (close-on-exec) status pipe.
static void close_all_but(int a, int b, int c) {
    int keep[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        for (int j = i + 1; j < 3; j++) {
            if (keep[j] < keep[i]) { int t = keep[i]; keep[i] = keep[j]; keep[j] = t; }
        }
    }
    unsigned from = 3;
    for (int i = 0; i < 3; i++) {
        if (keep[i] < (int)from) continue;
        if ((unsigned)keep[i] > from) syscall(SYS_close_range, from, (unsigned)keep[i] - 1, 0);
        from = (unsigned)keep[i] + 1;
    }
    syscall(SYS_close_range, from, ~0U, 0);
}

/// I, PID 1 of the new namespaces.
static _Noreturn void become_init(
    const struct journey_isolation_request *request, unsigned uid, unsigned gid, uintptr_t scrub[2][2]) {
    int status_fd = request->status_fd;
    if (request->own_process_group) setpgid(0, 0);
    close_all_but(status_fd, request->stdout_fd, request->stderr_fd);
    // A copy of A: no core dump, and no one outside the init user namespace may read it.
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // The pages holding A's command line and initial environment are copies: wipe them, so
    // /proc/1/cmdline shows no --key-file and no JOURNEY_KEY text lingers in this process.
    for (int i = 0; i < 2; i++) {
        if (scrub[i][1] > scrub[i][0]) memset((void *)scrub[i][0], 0, scrub[i][1] - scrub[i][0]);
    }
    // What `ps` shows for PID 1 inside.
    static const char title[] = "journey-step-init";
    if (scrub[0][1] - scrub[0][0] > sizeof title) memcpy((void *)scrub[0][0], title, sizeof title);

    // A non-dumpable process's /proc files belong to root: an unprivileged I could not write its
    // own maps. Dumpable for these three writes only; no step exists yet, and only a process
    // already running as this uid outside could look in.
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    if (write_file("/proc/self/setgroups", "deny", 4) != 0 && errno != ENOENT) fail(status_fd, JOURNEY_STAGE_SETGROUPS);
    if (write_identity_map("/proc/self/uid_map", uid) != 0) fail(status_fd, JOURNEY_STAGE_UID_MAP);
    if (write_identity_map("/proc/self/gid_map", gid) != 0) fail(status_fd, JOURNEY_STAGE_GID_MAP);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

    // Nothing mounted here reaches the host's namespace.
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail(status_fd, JOURNEY_STAGE_PRIVATE_MOUNTS);
    hide_paths(request, status_fd);
    build_dev(status_fd);
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) fail(status_fd, JOURNEY_STAGE_PROC);
    // Kernel settings stay as they are, even for a step that is uid 0 outside.
    if (make_read_only("/proc/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC) != 0) fail(status_fd, JOURNEY_STAGE_PROC_READ_ONLY);
    if (make_read_only("/proc/sysrq-trigger", MS_NOSUID | MS_NODEV | MS_NOEXEC) != 0 && errno != ENOENT)
        fail(status_fd, JOURNEY_STAGE_PROC_READ_ONLY);
    struct stat sys;
    if (stat("/sys", &sys) == 0) {
        struct mount_attr read_only = {.attr_set = MOUNT_ATTR_RDONLY};
        if (syscall(SYS_mount_setattr, AT_FDCWD, "/sys", AT_RECURSIVE, &read_only, sizeof read_only) != 0) {
            if (errno != ENOSYS || mount(NULL, "/sys", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
                fail(status_fd, JOURNEY_STAGE_SYS_READ_ONLY);
        }
    }

    // Relayed signals need a handler: PID 1 of a namespace drops any signal it leaves at
    // SIG_DFL. They stay blocked and are taken with sigwaitinfo, SIGCHLD too.
    sigset_t waited;
    sigemptyset(&waited);
    sigaddset(&waited, SIGCHLD);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = relay_handler;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < RELAYED_COUNT; i++) {
        int sig = relayed_signals[i];
        // Sharing the terminal's process group, the step gets the keyboard's INT and QUIT
        // itself, and A forwards only TERM and HUP: relaying those two again would double them.
        if (!request->own_process_group && (sig == SIGINT || sig == SIGQUIT)) {
            signal(sig, SIG_IGN);
            continue;
        }
        sigaction(sig, &action, NULL);
        sigaddset(&waited, sig);
    }
    sigaction(SIGCHLD, &action, NULL);
    if (sigprocmask(SIG_BLOCK, &waited, NULL) != 0) fail(status_fd, JOURNEY_STAGE_SIGNALS);

    if (!request->executable) {
        // A probe: everything that needs the kernel's consent has been done.
        send_record(status_fd, JOURNEY_RECORD_READY, 0, 0, journey_landlock_abi());
        _exit(0);
    }
    pid_t step = raw_fork(0);
    if (step < 0) fail(status_fd, JOURNEY_STAGE_FORK_STEP);
    if (step == 0) become_step(request, status_fd);

    // Keep only the status pipe: the step's output pipes must close when the step's side does.
    if (request->stdout_fd >= 0) close(request->stdout_fd);
    if (request->stderr_fd >= 0) close(request->stderr_fd);
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&waited, &info);
        if (sig < 0) continue;
        if (sig != SIGCHLD) {
            kill(request->own_process_group ? -step : step, sig);
            continue;
        }
        int status;
        pid_t reaped;
        while ((reaped = waitpid(-1, &status, WNOHANG)) > 0) {
            if (reaped == step) {
                send_record(status_fd, JOURNEY_RECORD_STEP_ENDED, 0, 0, status);
                _exit(0);
            }
        }
    }
}

/// arg_start, arg_end, env_start, env_end of this process (fields 48 to 51 of /proc/self/stat).
static void read_argument_pages(uintptr_t scrub[2][2]) {
    memset(scrub, 0, sizeof(uintptr_t) * 4);
    char text[2048];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return;
    text[n] = 0;
    char *cursor = strrchr(text, ')');
    if (!cursor) return;
    // After ')' comes field 3; skip to field 48.
    int field = 2;
    unsigned long long values[4] = {0};
    for (char *p = cursor + 1; *p && field < 51;) {
        while (*p == ' ') p++;
        field++;
        char *end;
        unsigned long long value = strtoull(p, &end, 10);
        if (field >= 48) values[field - 48] = value;
        p = end;
        while (*p && *p != ' ') p++;
    }
    if (field < 51) return;
    scrub[0][0] = (uintptr_t)values[0];
    scrub[0][1] = (uintptr_t)values[1];
    scrub[1][0] = (uintptr_t)values[2];
    scrub[1][1] = (uintptr_t)values[3];
}

pid_t journey_isolation_spawn(const struct journey_isolation_request *request) {
    uintptr_t scrub[2][2];
    read_argument_pages(scrub);
    unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();
    pid_t pid = raw_fork(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID);
    if (pid == 0) become_init(request, uid, gid, scrub);
    if (pid > 0 && request->own_process_group) setpgid(pid, pid);
    return pid;
}

int journey_landlock_abi(void) {
    int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi > 0 ? abi : 0;
}
