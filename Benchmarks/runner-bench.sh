#!/usr/bin/env bash
# The runner against the git command line, on one generated repository, in the same run:
#   1,000 journeys, 1,000 sealed secrets, 2,000 commits (history written with git fast-import).
#   cold: journey runner (clone + checkout + resolve + a trivial step) vs `git clone` alone;
#         target ≤ 1.5×.
#   warm: journey runner (nothing new to fetch + checkout + resolve + a trivial step) vs
#         `git fetch` + `git checkout` into a fresh folder; target ≤ 150 ms and below git.
# Each round runs all four, alternating which side of a pair goes first; figures are medians of
# ROUNDS rounds (default 11; COLD_RUNS, default 5, file:// clones for reference), printed, never
# asserted. The scratch folder is under $TMPDIR (KEEP_SCRATCH=1 keeps it).
set -euo pipefail
JOURNEY="${JOURNEY_BIN:-$(cd "$(dirname "$0")/.." && swift build -c release --show-bin-path)/journey}"
COLD_RUNS="${COLD_RUNS:-5}"
WARM_RUNS="${WARM_RUNS:-11}"
JOURNEYS=1000
SECRETS=1000
COMMITS=2000

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/journey-runner-bench-XXXXXX")"
[ -n "${KEEP_SCRATCH:-}" ] || trap 'rm -rf "$SCRATCH"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export XDG_CONFIG_HOME="$SCRATCH/config" NO_COLOR=1
unset JOURNEY_KEY JOURNEY_KEY_FILE

now_ns() { date +%s%N; }

# median MILLISECONDS... → the middle value (the lower middle for an even count).
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# time_ms COMMAND… → milliseconds the command took (its output discarded).
time_ms() {
	local start end
	start=$(now_ns)
	"$@" >/dev/null 2>&1
	end=$(now_ns)
	echo $(((end - start) / 1000000))
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# ---------------------------------------------------------------------------------------------
echo "generating: $JOURNEYS journeys, $SECRETS sealed secrets, $COMMITS commits…"
gen_start=$(now_ns)
WS="$SCRATCH/source"
mkdir -p "$WS"
(
	cd "$WS"
	"$JOURNEY" init --name bench >/dev/null
	"$JOURNEY" keys generate runner >/dev/null
)
KEY="$(ls "$XDG_CONFIG_HOME"/journey/keys/*.key | head -1)"
# Seal every secret with the tool itself (sealing needs only the public keys in the repo).
seq -f "s%04g" 0 $((SECRETS - 1)) | while read -r name; do
	printf 'bench-value-%s' "$name" | "$JOURNEY" secret add "$name" --workspace "$WS" >/dev/null
done
mkdir -p "$WS/journeys"
for ((i = 0; i < JOURNEYS; i++)); do
	printf -v n '%04d' "$i"
	cat >"$WS/journeys/j$n.yaml" <<YAML
name: j$n
description: benchmark journey $n
steps:
  - name: trivial
    run: "true"
    env:
      TOKEN: { secret: s$n }
YAML
done

# The history: one commit with the whole workspace, then $((COMMITS - 1)) commits that each
# edit one journey's description, all in one git fast-import stream.
REMOTE="$SCRATCH/remote.git"
git init --quiet --bare --initial-branch=main "$REMOTE"
{
	stamp=1700000000
	echo "commit refs/heads/main"
	echo "committer Bench <bench@journey.invalid> $stamp +0000"
	echo "data 9"
	echo "workspace"
	(cd "$WS" && find . -type f ! -path './.journey/*' | sed 's|^\./||' | sort) | while read -r file; do
		size=$(wc -c <"$WS/$file")
		echo "M 100644 inline $file"
		echo "data $size"
		cat "$WS/$file"
		echo
	done
	for ((c = 1; c < COMMITS; c++)); do
		printf -v n '%04d' $((c % JOURNEYS))
		body="name: j$n
description: benchmark journey $n, revision $c
steps:
  - name: trivial
    run: \"true\"
    env:
      TOKEN: { secret: s$n }
"
		echo "commit refs/heads/main"
		echo "committer Bench <bench@journey.invalid> $((stamp + c)) +0000"
		echo "data 8"
		echo "revision"
		echo "M 100644 inline journeys/j$n.yaml"
		echo "data ${#body}"
		printf '%s' "$body"
		echo
	done
} | git -C "$REMOTE" fast-import --quiet
git -C "$REMOTE" gc --quiet
gen_ms=$((($(now_ns) - gen_start) / 1000000))
echo "generated in ${gen_ms} ms: $(git -C "$REMOTE" rev-list --count main) commits, $(git -C "$REMOTE" ls-tree -r main --name-only | wc -l) files, $(du -sh "$REMOTE" | cut -f1) packed"

# Both sides write ~2,000 small files per run, so the file system sets the floor; say how fast
# it is (on some virtual machines it swings by 20x from minute to minute: compare within a run).
fs_probe() {
	python3 -c 'import os, sys
d = sys.argv[1]; os.mkdir(d)
for i in range(2000):
    with open(f"{d}/f{i}", "w") as f: f.write("x" * 300)' "$SCRATCH/probe" && rm -rf "$SCRATCH/probe"
}
probe_before=$(time_ms fs_probe)
echo "this file system: writing and removing 2,000 small files takes ${probe_before} ms"

WARM_CACHE="$SCRATCH/warm-cache"
# Folders made fresh every round (cold caches, cold clones, git's warm checkouts) live under a
# parent with the placement the runner gives its own work folders (`chattr +T`, see
# FolderPlacement): on an ext4 disk mounted with `discard`, a folder re-made where the previous
# one was just deleted waits on that space (~1 s against ~50 ms for 2,000 files), and that would
# measure the disk, not the tools. Each round ($r below) uses new names; the previous round's
# folders are removed (untimed for the cold side, timed for git's warm checkout, as the runner's
# work-folder removal is timed).
FRESH="$SCRATCH/fresh"
mkdir -p "$FRESH"
chattr +T "$FRESH" 2>/dev/null || true
runner() { "$JOURNEY" runner --repo "$REMOTE" --ref main --journey j0500 --key-file "$KEY" --cache "$1" --allow-ref main "${@:2}"; }
if ! runner "$WARM_CACHE" >/dev/null 2>&1; then
	echo "journey runner failed on the generated repo:"
	runner "$WARM_CACHE" || true
	exit 1
fi
git clone --quiet "$REMOTE" "$SCRATCH/clone"

# Cold runs start from nothing: the previous round's cold cache and clone are removed untimed.
cold_runner() { runner "$FRESH/cold-cache-$r"; }
cold_git() { git clone --quiet "$REMOTE" "$FRESH/cold-clone-$r"; }
warm_runner() { runner "$WARM_CACHE"; }
# git's warm equivalent: a fetch that finds nothing, then the commit's tree into a fresh folder.
warm_git() {
	rm -rf "$FRESH/checkout-$((r - 1))" && mkdir "$FRESH/checkout-$r" &&
		git -C "$SCRATCH/clone" fetch --quiet origin &&
		git --git-dir="$SCRATCH/clone/.git" --work-tree="$FRESH/checkout-$r" checkout --quiet --force origin/main -- .
}
# timed NAME → the command's milliseconds; the removal of the previous run's folder is part of
# the command on both sides (the runner removes its work folder when it ends).
timed() { time_ms "$1"; }

# Rounds interleave all four, and swap each pair's order every round, so a file system whose
# speed drifts during the run weighs on both sides alike.
ROUNDS="${ROUNDS:-$WARM_RUNS}"
echo
echo "measuring $ROUNDS rounds (each: cold runner, git clone, warm runner, git fetch + checkout)…"
cr_all=() cg_all=() wr_all=() wg_all=()
for ((r = 0; r < ROUNDS; r++)); do
	rm -rf "$FRESH/cold-cache-$((r - 1))" "$FRESH/cold-clone-$((r - 1))"
	if ((r % 2 == 0)); then
		cr_all+=("$(timed cold_runner)"); cg_all+=("$(timed cold_git)")
		wr_all+=("$(timed warm_runner)"); wg_all+=("$(timed warm_git)")
	else
		cg_all+=("$(timed cold_git)"); cr_all+=("$(timed cold_runner)")
		wg_all+=("$(timed warm_git)"); wr_all+=("$(timed warm_runner)")
	fi
done
cold_file() { git clone --quiet "file://$REMOTE" "$FRESH/file-clone-$r"; }
cf_all=()
for ((r = 0; r < COLD_RUNS; r++)); do
	rm -rf "$FRESH/file-clone-$((r - 1))"
	cf_all+=("$(timed cold_file)")
done
cr=$(median "${cr_all[@]}") cg=$(median "${cg_all[@]}") cgf=$(median "${cf_all[@]}")
wr=$(median "${wr_all[@]}") wg=$(median "${wg_all[@]}")

echo
echo "cold: an empty cache every run (median of $ROUNDS)"
printf '  %-64s %6s ms\n' "journey runner (clone + checkout + resolve + step)" "$cr"
printf '  %-64s %6s ms\n' "git clone PATH (local: hard links + checkout)" "$cg"
printf '  %-64s %6s ms\n' "git clone file://PATH (pack transfer + checkout; $COLD_RUNS runs)" "$cgf"
printf '  ratio runner / git clone: %sx (target ≤ 1.5x); vs file:// clone: %sx\n' "$(ratio "$cr" "$cg")" "$(ratio "$cr" "$cgf")"

echo
echo "warm: nothing new on the remote (median of $ROUNDS)"
printf '  %-64s %6s ms\n' "journey runner (ls-remote, no fetch + checkout + resolve + step)" "$wr"
printf '  %-64s %6s ms\n' "git fetch + git checkout into a fresh folder" "$wg"
printf '  ratio runner / git: %sx (target < 1x); runner total %s ms (target ≤ 150 ms)\n' "$(ratio "$wr" "$wg")" "$wr"
printf '  fastest warm runs: runner %s ms, git %s ms\n' "$(printf '%s\n' "${wr_all[@]}" | sort -n | head -1)" "$(printf '%s\n' "${wg_all[@]}" | sort -n | head -1)"
echo "this file system now: writing and removing 2,000 small files takes $(time_ms fs_probe) ms (${probe_before} ms before)"

echo
echo "where a warm run's time goes (medians of $WARM_RUNS reported runs; the report's own timings, ms):"
for ((r = 0; r < WARM_RUNS; r++)); do
	runner "$WARM_CACHE" --report "$SCRATCH/report-$r.json" >/dev/null 2>&1
done
python3 - "$SCRATCH" "$WARM_RUNS" <<'PY'
import json, statistics, sys
folder, runs = sys.argv[1], int(sys.argv[2])
reports = [json.load(open(f"{folder}/report-{r}.json"))["timings"] for r in range(runs)]
phases = ["fetchMilliseconds", "checkoutMilliseconds", "resolveMilliseconds", "totalMilliseconds"]
cells = [f"{p.replace('Milliseconds', '')} {statistics.median(t[p] for t in reports):g}" for p in phases]
cells.insert(3, f"step {statistics.median(sum(s['milliseconds'] for s in t['steps']) for t in reports):g}")
print("  " + ", ".join(cells))
PY
