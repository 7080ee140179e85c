#define _GNU_SOURCE
#include "step_isolation.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/mount.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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

#if defined(__x86_64__)
#define JOURNEY_NATIVE_ARCH AUDIT_ARCH_X86_64
#define JOURNEY_COMPAT_ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define JOURNEY_NATIVE_ARCH AUDIT_ARCH_AARCH64
#define JOURNEY_COMPAT_ARCH AUDIT_ARCH_ARM
#else
#error "step isolation's seccomp filter knows x86_64 and aarch64: add this architecture's AUDIT_ARCH values"
#endif
// ioctl in the 32-bit ABIs (i386, arm) a 64-bit step may still call into.
#define JOURNEY_COMPAT_IOCTL 54
// x32 system calls (x86_64 numbers with this bit) have their own ioctl entry: refused outright.
#define JOURNEY_X32_SYSCALL_BIT 0x40000000U

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

/// "/proc/self/fd/FD": a path that leads to what `fd` was opened on, wherever it is now.
static void fd_path(char out[40], int fd) {
    memcpy(out, "/proc/self/fd/", 14);
    size_t at = 14 + format_unsigned(out + 14, (unsigned)fd);
    out[at] = 0;
}

/// Binds what `fd` leads to onto `target` with every mount under it (MS_REC): the covers
/// already put over a key file or a cache inside it come along; a plain MS_BIND would carry
/// the bare folder and uncover them.
static int bind_fd(int fd, const char *target) {
    char source[40];
    fd_path(source, fd);
    return mount(source, target, NULL, MS_BIND | MS_REC, NULL);
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

/// Covers hidden path `index` (opened as `fd`): mounts go onto the object `fd` was opened on,
/// so a path renamed since it was opened cannot send the cover elsewhere.
static void cover(const struct journey_isolation_request *request, size_t index, int fd, const int *exposed,
                  size_t exposed_count, int status_fd) {
    const char *path = request->hidden_paths[index];
    char target[40];
    fd_path(target, fd);
    struct stat info;
    if (fstat(fd, &info) != 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
    if (!S_ISDIR(info.st_mode)) {
        // Reads are empty, writes vanish. No read-only remount: the kernel refuses to drop
        // flags (nosuid, noexec) a container's /dev mount is locked with.
        if (mount("/dev/null", target, NULL, MS_BIND, NULL) != 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
        return;
    }
    int holds_exposed = 0;
    for (size_t j = 0; j < exposed_count; j++) holds_exposed |= is_inside(request->exposed_paths[j], path);
    unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    if (!holds_exposed) {
        if (mount("tmpfs", target, "tmpfs", flags | MS_RDONLY, "mode=000,size=4k") != 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
        return;
    }
    if (mount("tmpfs", target, "tmpfs", flags, "mode=0111,size=64k") != 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
    // The way to each exposed folder is made by path, on the tmpfs just mounted there. Were the
    // path renamed meanwhile, the read-only remount below finds no mount at it and fails.
    for (size_t j = 0; j < exposed_count; j++) {
        const char *inner = request->exposed_paths[j];
        if (!is_inside(inner, path)) continue;
        if (make_way(inner, path) != 0 || bind_fd(exposed[j], inner) != 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
    }
    if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, NULL) != 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
}

static void hide_paths(const struct journey_isolation_request *request, int status_fd) {
    if (request->hidden_count > JOURNEY_ISOLATION_MAX_HIDDEN || request->exposed_count > JOURNEY_ISOLATION_MAX_EXPOSED) {
        errno = E2BIG;
        fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
    }
    // Everything is opened before anything is covered: afterwards the paths lead into the
    // covers, and a cover put on the original tree after an exposed folder was bound back
    // would not reach the bound copy.
    int exposed[JOURNEY_ISOLATION_MAX_EXPOSED];
    size_t exposed_count = request->exposed_count;
    for (size_t i = 0; i < exposed_count; i++) {
        exposed[i] = open(request->exposed_paths[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (exposed[i] < 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
    }
    int hidden[JOURNEY_ISOLATION_MAX_HIDDEN];
    size_t count = request->hidden_count;
    const struct journey_isolation_identity *identities = request->hidden_identities;
    for (size_t i = 0; i < count; i++) {
        // Whether the path led somewhere when journey started (without identities: unknown).
        int was_present = identities && identities[i].present;
        hidden[i] = open(request->hidden_paths[i], O_PATH | O_CLOEXEC);
        if (hidden[i] < 0) {
            if (errno != ENOENT && errno != ENOTDIR) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
            // It was there when journey started and is gone: moved (with a folder above it, by
            // an earlier step) to where covering this path would not reach it.
            if (was_present) { errno = ESTALE; fail(status_fd, JOURNEY_STAGE_HIDDEN_PATH_MOVED); }
            continue;
        }
        // Absent then and present now (made since): covered as it is, nothing to compare.
        if (!was_present) continue;
        struct stat info;
        if (fstat(hidden[i], &info) != 0) fail(status_fd, JOURNEY_STAGE_HIDE_PATH);
        if ((uint64_t)info.st_dev != identities[i].device || (uint64_t)info.st_ino != identities[i].inode) {
            // The path leads to something else (a decoy put where the key's folder was).
            errno = ESTALE;
            fail(status_fd, JOURNEY_STAGE_HIDDEN_PATH_MOVED);
        }
    }
    // Deepest first: a cover over a key file inside an exposed folder must exist before that
    // folder is bound back into the cover of the folder holding it.
    int done[JOURNEY_ISOLATION_MAX_HIDDEN];
    for (size_t i = 0; i < count; i++) done[i] = hidden[i] < 0;
    for (;;) {
        size_t next = count;
        int pending = 0;
        for (size_t i = 0; i < count && next == count; i++) {
            if (done[i]) continue;
            pending = 1;
            int holds_pending = 0;
            for (size_t j = 0; j < count; j++) holds_pending |= !done[j] && j != i && is_inside(request->hidden_paths[j], request->hidden_paths[i]);
            if (!holds_pending) next = i;
        }
        if (!pending) break;
        // Unreachable ("inside" is a strict order), but never leave a path uncovered.
        if (next == count) { errno = ELOOP; fail(status_fd, JOURNEY_STAGE_HIDE_PATH); }
        cover(request, next, hidden[next], exposed, exposed_count, status_fd);
        done[next] = 1;
    }
    for (size_t i = 0; i < count; i++) {
        if (hidden[i] >= 0) close(hidden[i]);
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
    // nodev: a device node made on it would not open (the bound ones keep their own mounts).
    if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k") != 0) fail(status_fd, JOURNEY_STAGE_DEV);
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

struct dirent64_record {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int is_kept(int fd, const int *keep, size_t keep_count) {
    for (size_t i = 0; i < keep_count; i++) {
        if (keep[i] == fd) return 1;
    }
    return 0;
}

/// Closes every descriptor from 3 up but `keep`, as /proc/self/fd lists them: no upper bound
/// is guessed, so a descriptor above any limit (RLIMIT_NOFILE can be lowered after it was
/// opened) is closed too. getdents64 into a stack buffer: no malloc in a forked child. Passes
/// repeat until one closes nothing. -1 with errno when the list cannot be read.
static int close_listed_descriptors(const int *keep, size_t keep_count) {
    int folder = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder < 0) return -1;
    _Alignas(8) char buffer[4096];
    for (int closed = 1; closed;) {
        closed = 0;
        if (lseek(folder, 0, SEEK_SET) != 0) {
            int saved = errno;
            close(folder);
            errno = saved;
            return -1;
        }
        for (;;) {
            long n = syscall(SYS_getdents64, folder, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                int saved = errno;
                close(folder);
                errno = saved;
                return -1;
            }
            if (n == 0) break;
            for (long at = 0; at < n;) {
                const struct dirent64_record *entry = (const struct dirent64_record *)(buffer + at);
                at += entry->d_reclen;
                long fd = 0;
                const char *digit = entry->d_name;
                for (; *digit >= '0' && *digit <= '9' && fd < 0x7fffffff; digit++) fd = fd * 10 + (*digit - '0');
                if (*digit != 0 || digit == entry->d_name || fd < 3 || fd == folder || is_kept((int)fd, keep, keep_count)) continue;
                close((int)fd);
                closed = 1;
            }
        }
    }
    close(folder);
    return 0;
}

/// Closes every descriptor from 3 up but `keep`: close_range around the kept ones, or, where
/// the kernel has no close_range (before 5.9: ENOSYS), the listed descriptors one by one.
static int close_all_but(const int *keep, size_t keep_count) {
    unsigned from = 3;
    for (;;) {
        // The lowest kept descriptor at or above `from`.
        long next = -1;
        for (size_t i = 0; i < keep_count; i++) {
            if (keep[i] >= (int)from && (next < 0 || keep[i] < next)) next = keep[i];
        }
        unsigned last = next < 0 ? ~0U : (unsigned)next - 1;
        if (next < 0 || (unsigned)next > from) {
            if (syscall(SYS_close_range, from, last, 0) != 0) return close_listed_descriptors(keep, keep_count);
        }
        if (next < 0) return 0;
        from = (unsigned)next + 1;
    }
}

/// A seccomp filter refusing TIOCSTI and TIOCLINUX (EPERM): with them a step that shares
/// journey's terminal (an interactive `journey run` or `exec`) pushes keystrokes into its input,
/// which the user's shell reads as commands once journey exits, outside the sandbox, where the
/// key is. Every other call is allowed; system calls of another architecture than this one and
/// its 32-bit compat, and x32 calls, are refused (ENOSYS), so no other ioctl number slips by.
/// The command word is compared in its low 32 bits, as the kernel reads it.
static void block_terminal_injection(int status_fd) {
    const unsigned command_low = offsetof(struct seccomp_data, args[1])
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        + 4
#endif
        ;
    struct sock_filter program[] = {
        /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, JOURNEY_NATIVE_ARCH, 0, 3),  // → 2, else → 5
        /* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        /* 3 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, JOURNEY_X32_SYSCALL_BIT, 9, 0),  // → 13
        /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 3, 6),  // → 8, else → 11
        /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, JOURNEY_COMPAT_ARCH, 0, 7),  // → 6, else → 13
        /* 6 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, JOURNEY_COMPAT_IOCTL, 0, 3),  // → 8, else → 11
        /* 8 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, command_low),
        /* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 2, 0),  // → 12
        /* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX, 1, 0),  // → 12
        /* 11 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        /* 12 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        /* 13 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
    };
    struct sock_fprog filter = {(unsigned short)(sizeof program / sizeof program[0]), program};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter, 0, 0) != 0) fail(status_fd, JOURNEY_STAGE_SECCOMP);
}

/// The step, forked by I: everything it must not keep is dropped, then exec.
static _Noreturn void become_step(const struct journey_isolation_request *request, int status_fd) {
    sigset_t none;
    sigemptyset(&none);
    // signal() fails only for the numbers glibc keeps for itself (32, 33): ignoring that is right.
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    }
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) fail(status_fd, JOURNEY_STAGE_SIGNALS);
    if (request->own_process_group && setpgid(0, 0) != 0) fail(status_fd, JOURNEY_STAGE_SIGNALS);
    if (request->stdout_fd >= 0 && dup2(request->stdout_fd, 1) < 0) fail(status_fd, JOURNEY_STAGE_EXEC);
    if (request->stderr_fd >= 0 && dup2(request->stderr_fd, 2) < 0) fail(status_fd, JOURNEY_STAGE_EXEC);
    // No descriptor A had open (a key file, a mirror, a socket) survives the exec; the status
    // pipe stays until then, to report a failed exec. CLOSE_RANGE_CLOEXEC needs Linux 5.11:
    // before that, everything but the status pipe is closed now.
    if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        if (close_all_but(&status_fd, 1) != 0) fail(status_fd, JOURNEY_STAGE_DESCRIPTORS);
        if (fcntl(status_fd, F_SETFD, FD_CLOEXEC) != 0) fail(status_fd, JOURNEY_STAGE_DESCRIPTORS);
    }
    if (request->working_directory && chdir(request->working_directory) != 0) fail(status_fd, JOURNEY_STAGE_WORKING_DIRECTORY);
    drop_capabilities(status_fd);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(status_fd, JOURNEY_STAGE_NO_NEW_PRIVS);
    block_terminal_injection(status_fd);
    enter_landlock(status_fd);
    execve(request->executable, request->argv, request->envp);
    send_record(status_fd, JOURNEY_RECORD_EXEC_FAILED, JOURNEY_STAGE_EXEC, errno, 0);
    _exit(127);
}

static void relay_handler(int sig) { (void)sig; }

/// I, PID 1 of the new namespaces.
static _Noreturn void become_init(
    const struct journey_isolation_request *request, unsigned uid, unsigned gid, uintptr_t scrub[2][2]) {
    int status_fd = request->status_fd;
    // I (and with it every process in the namespace) ends when the thread of A that started it
    // does: a journey killed outright leaves no step running. That thread waits for the step
    // (ChildProcess.run, the probe), so it outlives I's work. Checked: were it unset, a step
    // could outlive journey. A already gone before this: its end of the status pipe is closed.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(status_fd, JOURNEY_STAGE_PARENT_DEATH);
    struct pollfd status_poll = {status_fd, POLLOUT, 0};
    if (poll(&status_poll, 1, 0) == 1 && (status_poll.revents & POLLERR)) _exit(127);
    // A signals I's group: were I left in A's, a timeout's kill(-I) would miss and the step run on.
    if (request->own_process_group && setpgid(0, 0) != 0) fail(status_fd, JOURNEY_STAGE_SIGNALS);
    int keep[3] = {status_fd, request->stdout_fd, request->stderr_fd};
    if (close_all_but(keep, 3) != 0) fail(status_fd, JOURNEY_STAGE_DESCRIPTORS);
    // A copy of A: no core dump, and no one outside the init user namespace may read it.
    // Checked: a dumpable I could be read by the step where the kernel has no Landlock.
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) fail(status_fd, JOURNEY_STAGE_DUMPABLE);
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
    if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) fail(status_fd, JOURNEY_STAGE_DUMPABLE);
    if (write_file("/proc/self/setgroups", "deny", 4) != 0 && errno != ENOENT) fail(status_fd, JOURNEY_STAGE_SETGROUPS);
    if (write_identity_map("/proc/self/uid_map", uid) != 0) fail(status_fd, JOURNEY_STAGE_UID_MAP);
    if (write_identity_map("/proc/self/gid_map", gid) != 0) fail(status_fd, JOURNEY_STAGE_GID_MAP);
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) fail(status_fd, JOURNEY_STAGE_DUMPABLE);

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
        // sigaction fails only for an invalid signal number: these four are valid.
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

int journey_status_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        if (fds[i] >= 3) continue;
        int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
        int saved = errno;
        close(fds[i]);
        if (moved < 0) {
            close(fds[1 - i]);
            errno = saved;
            return -1;
        }
        fds[i] = moved;
    }
    return 0;
}

pid_t journey_isolation_spawn(const struct journey_isolation_request *request) {
    uintptr_t scrub[2][2];
    read_argument_pages(scrub);
    unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();
    pid_t pid = raw_fork(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID);
    if (pid == 0) become_init(request, uid, gid, scrub);
    // Also set by I itself (whichever runs first); here it can only fail when I is gone already.
    if (pid > 0 && request->own_process_group) setpgid(pid, pid);
    return pid;
}

int journey_landlock_abi(void) {
    int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi > 0 ? abi : 0;
}
