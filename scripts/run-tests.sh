#!/usr/bin/env bash
# README command 2: set up, build, and run every test (C++ through ctest,
# Python through pytest), then the sanitizer and fuzzing stages
# (scripts/run-sanitizers.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$GWSIM_ROOT"
status=0
ctest --test-dir "$GWSIM_BUILD" --output-on-failure -j 2 || status=1
if [ -d python/tests ]; then
  GWSIM_BINARY="$GWSIM_BUILD/sim/cli/gwsim" "$GWSIM_PYTHON" -m pytest -q python/tests || status=1
fi
# Sanitizer builds (ASan+UBSan, TSan) and bounded fuzzing, in build-asan
# and build-tsan; GWSIM_SANITIZERS=0 skips them for a quick local run.
if [ "${GWSIM_SANITIZERS:-1}" != 0 ]; then
  scripts/run-sanitizers.sh || status=1
fi
exit $status
