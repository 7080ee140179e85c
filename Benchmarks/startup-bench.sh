#!/usr/bin/env bash
# Benchmark: whole-process start-up of the commands the hook and the runner start most often,
# each paired with `git --version` in the same rounds (interleaved, order rotated per round):
#   journey --version
#   journey scan --staged        in a git repository with nothing staged
#   journey run one --local      a journey of one `run: true` step and no secrets
# Prints medians, p90s, the ratio to `git --version`, the binary's size and the shared
# libraries it loads. Targets (issue 14): --version ≤ 8 ms and ≤ 3× git --version.
#
# Usage: Benchmarks/startup-bench.sh [ROUNDS]
#   JOURNEY_BIN=path/to/journey   the binary to measure (default: the release build)
#   JOURNEY_BASELINE=path/to/old  also measure another build in the same rounds (before/after)
set -euo pipefail

rounds=${1:-40}
root=$(cd "$(dirname "$0")/.." && pwd)
JOURNEY=${JOURNEY_BIN:-$root/.build/release/journey}
[ -x "$JOURNEY" ] || { echo "no journey binary at $JOURNEY (make release builds it)" >&2; exit 2; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-startup-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export XDG_CONFIG_HOME="$scratch/config" HOME="$scratch" GIT_CONFIG_NOSYSTEM=1
unset JOURNEY_KEY JOURNEY_KEY_FILE
workspace="$scratch/repo"
mkdir -p "$workspace" && cd "$workspace"
git init -q . && git config user.email bench@example.com && git config user.name bench
"$JOURNEY" init --name startup >/dev/null
printf '%s\n' 'name: one' 'steps:' '  - name: nothing' '    run: "true"' >journeys/one.yaml
git add -A && git commit -qm "bench workspace"

binaries=("journey=$JOURNEY")
[ -n "${JOURNEY_BASELINE:-}" ] && binaries+=("baseline=$JOURNEY_BASELINE")

for entry in "${binaries[@]}"; do
    label=${entry%%=*} binary=${entry#*=}
    size=$(stat -c %s "$binary")
    loaded=$(ldd "$binary" 2>/dev/null | grep -c '=>\|ld-linux' || true)
    printf "%-9s %s: %s MB, %s shared libraries loaded\n" "$label" "$binary" "$(awk -v s="$size" "BEGIN { printf \"%.1f\", s / 1048576 }")" "$loaded"
done
echo

python3 - "$rounds" "${binaries[@]}" <<'PYTHON'
import os, statistics, sys, time

rounds = int(sys.argv[1])
binaries = [entry.split("=", 1) for entry in sys.argv[2:]]
devnull = os.open(os.devnull, os.O_RDWR)

def spawn(argv):
    start = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status, usage = os.wait4(pid, 0)
    elapsed = (time.perf_counter_ns() - start) / 1e6
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}")
    return elapsed, (usage.ru_utime + usage.ru_stime) * 1000

commands = [("git --version", ["git", "--version"])]
for label, binary in binaries:
    commands += [
        (f"{label} --version", [binary, "--version"]),
        (f"{label} scan --staged (empty change)", [binary, "scan", "--staged"]),
        (f"{label} run one --local (1 step, no secrets)", [binary, "run", "one", "--local"]),
    ]
times = {name: [] for name, _ in commands}
cpu = {name: [] for name, _ in commands}
for name, argv in commands:  # warm the page cache
    spawn(argv)
for round in range(rounds):
    shift = round % len(commands)
    for name, argv in commands[shift:] + commands[:shift]:
        wall, used = spawn(argv)
        times[name].append(wall)
        cpu[name].append(used)

git = statistics.median(times["git --version"])
git_cpu = statistics.median(cpu["git --version"])
print(f"{'command':50} {'wall median':>11} {'p90':>9} {'× git':>7} {'CPU median':>11} {'× git':>7}")
for name, _ in commands:
    values = sorted(times[name])
    median = statistics.median(values)
    p90 = values[int(len(values) * 0.9) - 1]
    used = statistics.median(cpu[name])
    print(f"{name:50} {median:9.2f}ms {p90:7.2f}ms {median / git:6.2f}× {used:9.2f}ms {used / max(git_cpu, 0.001):6.2f}×")
load = os.getloadavg()[0]
print(f"\n{rounds} interleaved rounds; CPU = user + system time of the process (what a busy machine")
print(f"does not inflate; load average now {load:.1f} on {os.cpu_count()} cores).")
print("targets: --version ≤ 8 ms whole process and ≤ 3× git --version")
PYTHON
