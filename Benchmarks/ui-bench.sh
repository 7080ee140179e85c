#!/usr/bin/env bash
# The Admin page's speed with 1,000 secrets and 1,000 journeys (issue 11), and the CLI's
# start-up before and after the server exists. Figures are printed, never asserted.
#   JOURNEY_BIN            the release journey (default: this checkout's release build)
#   JOURNEY_BASELINE_BIN   journey built from the commit before the Admin page; when unset it is
#                          built once into .build-ui-baseline/ from that commit (git archive)
# Arguments go to ui_bench.py: --skip-startup measures the server only (no baseline is built),
# --count N and --rounds N change the workspace's size and the samples.
set -euo pipefail
cd "$(dirname "$0")/.."
JOURNEY_BIN="${JOURNEY_BIN:-$(swift build -c release --show-bin-path)/journey}"
skip_startup=0
for argument in "$@"; do [ "$argument" = "--skip-startup" ] && skip_startup=1; done
if [ "$skip_startup" = 1 ]; then
	JOURNEY_BASELINE_BIN="${JOURNEY_BASELINE_BIN:-$JOURNEY_BIN}"
elif [ -z "${JOURNEY_BASELINE_BIN:-}" ]; then
	first=$(git log --diff-filter=A --format=%H -- Sources/AdminUI/HTTPServer.swift | tail -1)
	base=$(git rev-parse "$first^")
	folder=.build-ui-baseline/$base
	if [ ! -x "$folder/.build/release/journey" ]; then
		echo "building the baseline journey (commit ${base:0:10}, before the Admin page) once…"
		mkdir -p "$folder"
		git archive "$base" | tar -x -C "$folder"
		(cd "$folder" && swift build -c release --product journey >/dev/null)
	fi
	JOURNEY_BASELINE_BIN="$folder/.build/release/journey"
fi
python3 Benchmarks/ui_bench.py --journey "$JOURNEY_BIN" --baseline "$JOURNEY_BASELINE_BIN" "$@"
