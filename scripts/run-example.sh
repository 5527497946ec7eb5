#!/usr/bin/env bash
# README command 1: set up, build, and run the flagship scenario end to end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$GWSIM_ROOT"
mkdir -p results
"$GWSIM_BUILD/sim/cli/gwsim" run scenarios/example/example.yaml -o results/example.h5
echo "results: $GWSIM_ROOT/results/example.h5"
