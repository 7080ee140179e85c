#!/usr/bin/env bash
# The leak check's speed against detect-secrets, on identical input, in one run:
#   1. a typical staged change (20 files, ~200 KB): whole-process time of the pre-commit check;
#   2. a 50 MB tree of mixed source: throughput on one core;
#   3. --history over a generated repository of 10,000 commits: commits per second (detect-secrets
#      has no history mode: it scans the same unique blobs, exported to a folder).
# 1 and 2 run twice for journey: with no team config and with a .gitleaks.toml of 20 custom rules
# (target: within 20% of the figures without them).
# Figures are printed, never asserted. Needs git, python3 and network access to PyPI once.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${SCAN_BENCH_DIR:-$ROOT/.build/scan-bench}
mkdir -p "$WORK"

JOURNEY=${JOURNEY_BIN:-}
if [ -z "$JOURNEY" ]; then
    echo "== building journey (make release)"
    make -C "$ROOT" release >/dev/null
    JOURNEY="$ROOT/.build/release/journey"
fi

echo "== installing detect-secrets from PyPI into $WORK/venv"
if [ ! -x "$WORK/venv/bin/detect-secrets" ]; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet detect-secrets==1.5.0
fi
DS="$WORK/venv/bin/detect-secrets"
DS_HOOK="$WORK/venv/bin/detect-secrets-hook"
"$DS" --version | sed 's/^/detect-secrets /'

# One core for both tools, when taskset is there.
PIN=()
if command -v taskset >/dev/null; then PIN=(taskset -c 0); fi

export JOURNEY DS DS_HOOK WORK ROOT
export PIN_CMD="${PIN[*]:-}"
python3 - <<'PY'
import os, random, shutil, string, subprocess, sys, time, base64, hashlib

journey, ds, ds_hook, work, root = (os.environ[k] for k in ("JOURNEY", "DS", "DS_HOOK", "WORK", "ROOT"))
pin = os.environ["PIN_CMD"].split() if os.environ["PIN_CMD"] else []
rng = random.Random(42)
git_env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@invalid", GIT_COMMITTER_NAME="bench",
               GIT_COMMITTER_EMAIL="bench@invalid")

def run(cmd, cwd, check_codes=(0, 1, 3)):
    start = time.perf_counter()
    result = subprocess.run(pin + cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=git_env)
    elapsed = time.perf_counter() - start
    if result.returncode not in check_codes:
        sys.exit(f"{cmd[0]} failed ({result.returncode}): {result.stderr.decode()[:400]}")
    return elapsed

def best(cmd, cwd, repeat):
    return min(run(cmd, cwd) for _ in range(repeat))

def git(args, cwd, **kw):
    return subprocess.run(["git"] + args, cwd=cwd, env=git_env, check=True, capture_output=True, **kw).stdout

def token(prefix, n, alphabet=string.ascii_letters + string.digits):
    return prefix + "".join(rng.choice(alphabet) for _ in range(n))

# Source material: the Swift, C and Markdown files of this package and its checkouts.
corpus = []
for base in (os.path.join(root, "Sources"), os.path.join(root, ".build", "checkouts")):
    for folder, _, files in os.walk(base):
        for name in files:
            if name.endswith((".swift", ".c", ".h", ".md", ".json", ".yml", ".yaml", ".py")):
                try:
                    with open(os.path.join(folder, name), "rb") as f:
                        data = f.read()
                    if 0 < len(data) < 400_000 and b"\0" not in data:
                        corpus.append((name, data))
                except OSError:
                    pass
if not corpus:
    sys.exit("no source files to build the inputs from")

def source_file(size):
    out = bytearray()
    while len(out) < size:
        out += rng.choice(corpus)[1]
    return bytes(out[:size])

def leak_line():
    return rng.choice([
        f'GITHUB_TOKEN={token("gh" + "p_", 36)}\n',
        f'stripe_key = "{token("sk_" + "live_", 32)}"\n',
        f'aws_access_key_id = {token("AK" + "IA", 16, string.ascii_uppercase + string.digits)}\n',
        f'password = "{token("", 18, string.ascii_letters + string.digits + "!#%&")}"\n',
    ]).encode()

def ratio(a, b):
    return f"{a / b:.1f}x" if b > 0 else "n/a"

# 20 team rules in the gitleaks format: 16 for the team's own token prefixes, 4 keyed on words
# that occur all over source code, so their regexes run often.
team_rules = ['title = "bench team rules"']
for i in range(16):
    team_rules.append(f'''[[rules]]
id = "team-token-{i:02d}"
description = "team service token {i}"
regex = \'\'\'\\b(tm{i:02d}_[a-z0-9]{{32}})\\b\'\'\'
keywords = ["tm{i:02d}_"]''')
for i, word in enumerate(["token", "secret", "password", "auth"]):
    team_rules.append(f'''[[rules]]
id = "team-keyed-{i}"
regex = \'\'\'(?i)corp_{word}[a-z_]*\\s*[:=]\\s*["']?([a-z0-9]{{24,}})\'\'\'
secretGroup = 1
keywords = ["{word}"]
entropy = 3.0''')
team_rules.append('''[allowlist]
paths = ['^vendor/', '\\.lock$']''')
team_config = os.path.join(work, "team-rules.toml")
with open(team_config, "w") as f:
    f.write("\n".join(team_rules) + "\n")

print("\n== 1. typical staged change: 20 files, ~200 KB")
staged = os.path.join(work, "staged")
shutil.rmtree(staged, ignore_errors=True)
os.makedirs(staged)
git(["init", "-q", "--initial-branch=main"], staged)
names = []
for i in range(20):
    name = f"src/file{i:02d}.swift"
    os.makedirs(os.path.join(staged, "src"), exist_ok=True)
    data = source_file(10_000)
    if i % 7 == 0:
        data += leak_line()
    with open(os.path.join(staged, name), "wb") as f:
        f.write(data)
    names.append(name)
git(["add", "--all"], staged)
size = sum(os.path.getsize(os.path.join(staged, n)) for n in names)
j = best([journey, "scan", "--staged", "--no-config"], staged, 15)
jt = best([journey, "scan", "--staged", "--config", team_config], staged, 15)
d = best([ds_hook] + names, staged, 5)
print(f"input: {len(names)} files, {size / 1024:.0f} KB")
print(f"journey scan --staged:        {j * 1000:7.1f} ms  (target <= 50 ms)")
print(f"  with 20 custom rules:       {jt * 1000:7.1f} ms  ({(jt / j - 1) * 100:+.0f}%, target within 20%)")
print(f"detect-secrets-hook FILES:    {d * 1000:7.1f} ms")
print(f"journey is {ratio(d, j)} faster")

print("\n== 2. a 50 MB tree of mixed source, one core")
tree = os.path.join(work, "tree")
shutil.rmtree(tree, ignore_errors=True)
total, index = 0, 0
while total < 50 * 1024 * 1024:
    folder = os.path.join(tree, f"pkg{index // 100:03d}")
    os.makedirs(folder, exist_ok=True)
    name, data = rng.choice(corpus)
    if index % 50 == 0:
        data = data + leak_line()
    with open(os.path.join(folder, f"{index:05d}-{name}"), "wb") as f:
        f.write(data)
    total += len(data)
    index += 1
j = best([journey, "scan", "--all", "--no-config", tree], work, 3)
jt = best([journey, "scan", "--all", "--config", team_config, tree], work, 3)
d = run([ds, "-c", "1", "scan", "--all-files", tree], work)
mb = total / (1024 * 1024)
print(f"input: {index} files, {mb:.1f} MB")
print(f"journey scan --all:           {j:7.2f} s  {mb / j:8.1f} MB/s  (target >= 100 MB/s)")
print(f"  with 20 custom rules:       {jt:7.2f} s  {mb / jt:8.1f} MB/s  ({(mb / jt) / (mb / j) * 100 - 100:+.0f}%, target within 20%)")
print(f"detect-secrets -c 1 scan:     {d:7.2f} s  {mb / d:8.1f} MB/s")
print(f"journey is {ratio(d, j)} faster (target >= 20x)")

print("\n== 3. --history over 10,000 generated commits")
hist = os.path.join(work, "history")
shutil.rmtree(hist, ignore_errors=True)
os.makedirs(hist)
git(["init", "-q", "--initial-branch=main"], hist)
files = {f"src/m{i:03d}.swift": source_file(rng.randint(800, 6000)) for i in range(300)}
stream = bytearray()
mark = 0
for commit in range(10_000):
    changes = []
    if commit == 0:
        changes = list(files.items())
    else:
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(list(files))
            data = files[path][:rng.randint(200, len(files[path]))] + source_file(rng.randint(50, 600))
            if commit % 997 == 0:
                data += leak_line()
            files[path] = data
            changes.append((path, data))
    stream += f"commit refs/heads/main\ncommitter bench <bench@invalid> {1700000000 + commit} +0000\ndata 8\ncommit {commit % 10}\n".encode()
    for path, data in changes:
        stream += f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"
subprocess.run(["git", "fast-import", "--quiet"], cwd=hist, input=bytes(stream), env=git_env, check=True)
git(["reset", "-q", "--hard", "main"], hist)
j = best([journey, "scan", "--history", "--no-config"], hist, 2)
# detect-secrets has no history mode: give it the same unique blobs, one file each.
blobs_dir = os.path.join(work, "history-blobs")
shutil.rmtree(blobs_dir, ignore_errors=True)
os.makedirs(blobs_dir)
listing = git(["rev-list", "--objects", "--all"], hist).decode().split("\n")
blob_ids = [line.split(" ")[0] for line in listing if " " in line]
batch = subprocess.run(["git", "cat-file", "--batch"], cwd=hist, input="\n".join(blob_ids).encode() + b"\n", capture_output=True, env=git_env, check=True).stdout
position, blobs, blob_bytes = 0, 0, 0
while position < len(batch):
    header_end = batch.index(b"\n", position)
    oid, kind, length = batch[position:header_end].decode().split(" ")
    length = int(length)
    body = batch[header_end + 1: header_end + 1 + length]
    position = header_end + 1 + length + 1
    if kind == "blob":
        with open(os.path.join(blobs_dir, oid + ".swift"), "wb") as f:
            f.write(body)
        blobs += 1
        blob_bytes += length
d = run([ds, "-c", "1", "scan", "--all-files", blobs_dir], work)
print(f"input: 10000 commits, {blobs} unique blobs, {blob_bytes / (1024 * 1024):.1f} MB")
print(f"journey scan --history:       {j:7.2f} s  {10000 / j:9.0f} commits/s  {blobs / j:9.0f} blobs/s")
print(f"detect-secrets (same blobs):  {d:7.2f} s  {blobs / d:9.0f} blobs/s")
print(f"journey is {ratio(d, j)} faster")
PY
