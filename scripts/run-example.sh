#!/usr/bin/env bash
# README command 1: set up, build, and run the flagship Hengshui set end to end:
# the five scenarios (gwsim batch, 2 at a time, 1 thread each), the comparison
# with the baseline per county and aquifer (gwsim compare), the numbers of
# scenarios/hengshui/README.md (summarize.py) and the HTML report with plots.
# `scripts/run-example.sh --quick` runs only the small worked example.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$GWSIM_ROOT"
GWSIM="$GWSIM_BUILD/sim/cli/gwsim"
mkdir -p results

if [ "${1:-}" = "--quick" ]; then
  "$GWSIM" run scenarios/example/example.yaml -o results/example.h5
  echo "results: $GWSIM_ROOT/results/example.h5"
  exit 0
fi

start=$(date +%s)
out=results/hengshui
mkdir -p "$out"
# Longest first, so that the two lanes finish together.
"$GWSIM" batch -j 2 --threads-per-job 1 -o "$out" \
  scenarios/hengshui/combined.yaml scenarios/hengshui/ponds-canals.yaml \
  scenarios/hengshui/diversion-district.yaml scenarios/hengshui/baseline.yaml \
  scenarios/hengshui/water-saving.yaml
echo
"$GWSIM" compare "$out/baseline.h5" "$out/ponds-canals.h5" "$out/diversion-district.h5" \
  "$out/water-saving.h5" "$out/combined.h5" -o "$out/comparison.h5"
echo
"$GWSIM_PYTHON" scenarios/hengshui/summarize.py "$out"
echo
PYTHONPATH="$GWSIM_ROOT/python" "$GWSIM_PYTHON" -m gwsim report \
  "$out/baseline.h5" "$out/ponds-canals.h5" "$out/diversion-district.h5" "$out/water-saving.h5" \
  "$out/combined.h5" -o "$out/report"
echo
echo "results:    $GWSIM_ROOT/$out/*.h5 (one per scenario), comparison: $GWSIM_ROOT/$out/comparison.h5"
echo "report:     $GWSIM_ROOT/$out/report/index.html"
echo "wall time:  $(( $(date +%s) - start )) s (runs, comparison, summary and report)"
