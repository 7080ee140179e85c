#!/usr/bin/env bash
# Runs every benchmark against the release build. Each prints its own figures and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(swift build -c release --show-bin-path)"
echo "== opening sealed values (journey vs bare libsodium primitives)"
"$BIN/journey-bench"
for script in Benchmarks/*-bench*.sh; do
	[ -f "$script" ] || continue
	echo
	echo "== $script"
	JOURNEY_BIN="$BIN/journey" bash "$script"
done
