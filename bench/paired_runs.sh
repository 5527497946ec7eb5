#!/usr/bin/env bash
# Compare two gwsim binaries (or one binary with two argument sets) on one
# scenario by paired runs: A and B back to back, alternating which goes
# first (ABBA), and the median of the B/A ratios. On a shared machine whose
# speed drifts by 10-30% within minutes, the medians of separate runs cannot
# see a 3-5% change; the ratio of two runs a second apart can.
#
# Usage: bench/paired_runs.sh PAIRS SCENARIO.yaml BIN_A BIN_B
#        environment: ARGS_A / ARGS_B extra arguments (e.g. ARGS_B=--no-restart),
#                     THREADS (default 2)
# Prints the median wall time of each, the median B/A ratio of the wall
# time and of the solve phase (`time by phase`), and in how many pairs B
# was faster.
set -euo pipefail
[ $# -eq 4 ] || { sed -n '2,13p' "$0"; exit 64; }
pairs=$1 scenario=$2 a=$3 b=$4
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() { # binary, extra args -> "wall solve"
  # shellcheck disable=SC2086
  "$1" run "$scenario" $2 -o "$out/result.h5" --threads "${THREADS:-2}" 2>&1 |
    awk '/wall time/ {w = $3} /time by phase/ {s = $5} END {print w, s}'
}
for ((p = 1; p <= pairs; ++p)); do
  if ((p % 2)); then ra=$(run "$a" "${ARGS_A:-}"); rb=$(run "$b" "${ARGS_B:-}")
  else rb=$(run "$b" "${ARGS_B:-}"); ra=$(run "$a" "${ARGS_A:-}"); fi
  echo "$ra $rb"
done | /usr/bin/python3 -c '
import statistics as st, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
wa, sa, wb, sb = ([r[i] for r in rows] for i in range(4))
rw = [y / x for x, y in zip(wa, wb)]
rs = [y / x for x, y in zip(sa, sb)]
print(f"A: wall median {st.median(wa):.3f} s   B: wall median {st.median(wb):.3f} s")
print(f"B/A paired: wall {st.median(rw):.3f}, solve phase {st.median(rs):.3f} "
      f"(medians of {len(rows)} pairs; B faster in {sum(r < 1 for r in rw)})")
'
