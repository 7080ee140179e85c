#!/usr/bin/env bash
# Benchmark: a journey naming 50 secrets, resolved in sealed mode (50 sealed files opened with
# libsodium), from `journey run` process start to the first step's start — against a bare
# process start (`env -i /bin/sh -c …`, the same shell the step runs in), measured in the same
# run, interleaved. Prints medians and p90s; the target is < 40 ms above the bare start.
#
# Usage: Benchmarks/journey-bench-resolve.sh [ITERATIONS]   (JOURNEY or JOURNEY_BIN=path/to/journey skips the build)
set -euo pipefail

iterations=${1:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
JOURNEY=${JOURNEY:-${JOURNEY_BIN:-}}
if [[ -z "$JOURNEY" ]]; then
    make -C "$root" release >/dev/null
    JOURNEY="$root/.build/release/journey"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/journey-bench-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export XDG_CONFIG_HOME="$scratch/config"
unset JOURNEY_KEY JOURNEY_KEY_FILE
workspace="$scratch/workspace"
mkdir -p "$workspace"
cd "$workspace"
"$JOURNEY" init --name bench >/dev/null
"$JOURNEY" keys generate runner >/dev/null
key=$(ls "$XDG_CONFIG_HOME"/journey/keys/*.key | head -n 1)

{
    echo "name: bench"
    echo "steps:"
    echo "  - name: first"
    echo '    run: date +%s%N > "$MARK"'
    echo "    env:"
    for i in $(seq -w 1 50); do
        echo "      S$i: { secret: bench-secret-$i }"
    done
} > journeys/bench.yaml
for i in $(seq -w 1 50); do
    head -c 24 /dev/urandom | base64 | "$JOURNEY" secret add "bench-secret-$i" >/dev/null
done
"$JOURNEY" check >/dev/null

mark="$scratch/mark"
now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }  # bash 5: no fork to read the clock

# Nanoseconds from just before launching to the moment the (first step's) shell runs `date`.
bare_start() {
    local start; start=$(now_ns)
    env -i MARK="$mark" /bin/sh -c 'date +%s%N > "$MARK"'
    echo $(( $(cat "$mark") - start ))
}
journey_start() {
    local start; start=$(now_ns)
    MARK="$mark" "$JOURNEY" run bench --sealed --key-file "$key" >/dev/null
    echo $(( $(cat "$mark") - start ))
}
true_wall() {
    local start end; start=$(now_ns)
    env -i true
    end=$(now_ns)
    echo $(( end - start ))
}

bare=() journey=() plain=()
journey_start >/dev/null; bare_start >/dev/null   # warm the page cache
for _ in $(seq 1 "$iterations"); do
    bare+=("$(bare_start)")
    journey+=("$(journey_start)")
    plain+=("$(true_wall)")
done

stats() {  # prints "median p90" in milliseconds
    sort -n | awk '{ v[NR] = $1 } END { m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.9 + 0.5)]; printf "%.1f %.1f\n", m / 1e6, p / 1e6 }'
}
read -r bare_median bare_p90 < <(printf '%s\n' "${bare[@]}" | stats)
read -r journey_median journey_p90 < <(printf '%s\n' "${journey[@]}" | stats)
read -r true_median true_p90 < <(printf '%s\n' "${plain[@]}" | stats)
overhead=$(awk -v a="$journey_median" -v b="$bare_median" 'BEGIN { printf "%.1f", a - b }')

echo "journey-bench-resolve: 50 sealed secret references, $iterations runs each, interleaved"
printf '  %-52s median %7s ms   p90 %7s ms\n' "env -i true (process start to exit)" "$true_median" "$true_p90"
printf '  %-52s median %7s ms   p90 %7s ms\n' "bare: env -i /bin/sh -c date (start to command)" "$bare_median" "$bare_p90"
printf '  %-52s median %7s ms   p90 %7s ms\n' "journey run --sealed (start to first step's command)" "$journey_median" "$journey_p90"
echo "  overhead of resolving 50 sealed references: $overhead ms (target < 40 ms)"
