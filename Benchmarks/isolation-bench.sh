#!/usr/bin/env bash
# Benchmark: what step isolation costs. `journey run --sealed` of a 1-step and a 20-step journey
# (each step `true`), with the sandbox (the default) and with --no-isolation, interleaved in the
# same run. Prints medians, the milliseconds isolation adds per run and per step, and the ratios.
# Targets: <= 15 ms added per step, <= 30 ms added per run.
#
# Usage: Benchmarks/isolation-bench.sh [ITERATIONS]   (JOURNEY or JOURNEY_BIN=path/to/journey skips the build)
set -euo pipefail

iterations=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
JOURNEY=${JOURNEY:-${JOURNEY_BIN:-}}
if [[ -z "$JOURNEY" ]]; then
    (cd "$root" && swift build -c release --product journey >/dev/null)
    JOURNEY="$root/.build/release/journey"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-isolation-bench-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export XDG_CONFIG_HOME="$scratch/config"
unset JOURNEY_KEY JOURNEY_KEY_FILE
workspace="$scratch/workspace"
mkdir -p "$workspace"
cd "$workspace"
"$JOURNEY" init --name bench >/dev/null
"$JOURNEY" keys generate runner >/dev/null
key=$(ls "$XDG_CONFIG_HOME"/journey/keys/*.key | head -n 1)
head -c 24 /dev/urandom | base64 | "$JOURNEY" secret add bench-token >/dev/null

journey_file() {  # NAME STEPS
    echo "name: $1"
    echo "steps:"
    for i in $(seq 1 "$2"); do
        echo "  - name: step $i"
        echo "    run: true"
        echo "    env: { TOKEN: { secret: bench-token } }"
    done
}
journey_file one 1 > journeys/one.yaml
journey_file twenty 20 > journeys/twenty.yaml
"$JOURNEY" check >/dev/null

now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }
wall() {  # prints the nanoseconds `journey run …` took; fails loudly when the run fails
    local start end; start=$(now_ns)
    "$JOURNEY" run "$@" --sealed --key-file "$key" >/dev/null
    end=$(now_ns)
    echo $(( end - start ))
}

one_plain=() one_isolated=() twenty_plain=() twenty_isolated=()
wall one >/dev/null; wall one --no-isolation >/dev/null   # warm the page cache
for round in $(seq 1 "$iterations"); do
    if (( round % 2 )); then  # alternate the order, so neither side always runs first
        one_plain+=("$(wall one --no-isolation)"); one_isolated+=("$(wall one)")
        twenty_plain+=("$(wall twenty --no-isolation)"); twenty_isolated+=("$(wall twenty)")
    else
        one_isolated+=("$(wall one)"); one_plain+=("$(wall one --no-isolation)")
        twenty_isolated+=("$(wall twenty)"); twenty_plain+=("$(wall twenty --no-isolation)")
    fi
done

median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.2f\n", v[int((NR + 1) / 2)] / 1e6 }'; }
m1p=$(printf '%s\n' "${one_plain[@]}" | median)
m1i=$(printf '%s\n' "${one_isolated[@]}" | median)
m20p=$(printf '%s\n' "${twenty_plain[@]}" | median)
m20i=$(printf '%s\n' "${twenty_isolated[@]}" | median)

echo "isolation-bench: journey run --sealed, steps 'true', $iterations runs each, interleaved"
printf '  %-40s median %8s ms\n' "1 step, --no-isolation" "$m1p" "1 step, isolated" "$m1i" \
    "20 steps, --no-isolation" "$m20p" "20 steps, isolated" "$m20i"
awk -v a="$m1p" -v b="$m1i" -v c="$m20p" -v d="$m20i" 'BEGIN {
    per_run = b - a
    per_step = ((d - c) - (b - a)) / 19
    printf "  added per run (1-step journey):  %6.2f ms (target <= 30 ms)\n", per_run
    printf "  added per step (20 vs 1 step):   %6.2f ms (target <= 15 ms)\n", per_step
    printf "  added per step (20-step total / 20): %6.2f ms\n", (d - c) / 20
    printf "  ratio isolated / --no-isolation: 1 step %.2fx, 20 steps %.2fx\n", b / a, d / c
}'
