#!/usr/bin/env bash
# Masking throughput: the automaton over ~1 MB of output, against memmem of the exact values.
set -euo pipefail
"$(dirname "$JOURNEY_BIN")/masking-bench"
