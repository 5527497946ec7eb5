#!/usr/bin/env bash
# The sanitizer and fuzzing stages of scripts/run-tests.sh, each in its own
# build folder, built by clang with LLVM's OpenMP runtime (libomp), which
# ThreadSanitizer understands through its Archer tool (GCC's libgomp is not
# TSan-clean):
#
#   build-asan  AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer),
#               any UB is fatal. Runs the unit, input (bad-input catalogue
#               through the real binary) and reliability tests, the quick
#               verification tests, and the libFuzzer targets for
#               GWSIM_FUZZ_SECONDS each (default 30).
#   build-tsan  ThreadSanitizer. Runs the tests that use 2 threads: 1- versus
#               2-thread equality (Confined, Multigrid, Irrigation with
#               28 800 pump cells), the multigrid restriction done during
#               smoothing on 2 threads, a 20000-cell
#               end-to-end run (tests/reliability/threaded.yaml), and the
#               restart tests (restart points written by a background thread
#               while the next period runs).
#
# usage: scripts/run-sanitizers.sh [asan|tsan|fuzz ...]   (default: all three)
# Configures each folder once; later runs rebuild incrementally.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" --no-build
cd "$GWSIM_ROOT"

stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(asan tsan fuzz)
want() { [[ " ${stages[*]} " == *" $1 "* ]]; }

# Both sanitizer builds: clang, optimised with line tables, no benchmarks.
# Warnings are not errors here: the Release (GCC) build holds the warning
# policy, and clang's -Wdouble-promotion and unknown GCC-only options would
# fail these builds for reasons that are not the sanitizers' business.
# -Wno-pass-failed (in each stage's flags): the instrumented loops cannot
# be vectorised, and clang says so for every loop that asks to be
# (GWSIM_INDEPENDENT_ITERATIONS).
common=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
        -DGWSIM_BUILD_BENCH=OFF -DGWSIM_WERROR=OFF)

# Configure a build folder the first time, or when this script's settings
# for it change; otherwise leave it to the incremental build.
configure_once() {
  local dir=$1
  shift
  local settings="${common[*]} $*"
  if [ ! -f "$dir/CMakeCache.txt" ] || [ "$(cat "$dir/gwsim-settings" 2>/dev/null)" != "$settings" ]; then
    cmake -S "$GWSIM_ROOT" -B "$dir" "${common[@]}" "$@" >/dev/null
    printf '%s' "$settings" >"$dir/gwsim-settings"
  fi
}

stage() { echo "== $1 ($(date +%H:%M:%S))"; }

status=0
export ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:check_initialization_order=1

if want asan || want fuzz; then
  asan="$GWSIM_ROOT/build-asan"
  # GWSIM_FUZZ also adds libFuzzer's coverage instrumentation to gwsim_io
  # (the readers) only: on the solver it would slow the other tests tenfold.
  configure_once "$asan" -DGWSIM_FUZZ=ON \
    "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -Wno-unknown-warning-option -Wno-pass-failed" \
    "-DCMAKE_C_FLAGS=-fsanitize=address,undefined -fno-omit-frame-pointer" \
    "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined"
  stage "build-asan: build"
  cmake --build "$asan" -j "$(nproc)"
fi

if want asan; then
  stage "build-asan: unit, input and reliability tests, quick verification tests"
  # The two long transient verification tests (10-20 s in Release, about a
  # minute each under ASan) run in the Release stage only; the code they
  # cover is the same as the quicker water-table tests'.
  slow='UnconfinedLateTimeApproachesTheisWithSpecificYield|HantushJacobTransientLeakyDrawdown'
  # Label address_limit: tests run under `ulimit -v`, which ASan (terabytes
  # of shadow address space) cannot start under.
  ctest --test-dir "$asan" --output-on-failure -j 2 -L 'unit|input|verification|reliability' \
    -LE 'threaded|fuzz|address_limit' -E "${GWSIM_ASAN_EXCLUDE:-$slow}" || status=1
fi

if want fuzz; then
  stage "build-asan: libFuzzer, ${GWSIM_FUZZ_SECONDS:-30} s per target"
  cmake -DGWSIM_FUZZ_SECONDS="${GWSIM_FUZZ_SECONDS:-30}" "$asan" >/dev/null
  ctest --test-dir "$asan" --output-on-failure -j 2 -L fuzz || status=1
fi

if want tsan; then
  tsan="$GWSIM_ROOT/build-tsan"
  configure_once "$tsan" \
    "-DCMAKE_CXX_FLAGS=-fsanitize=thread -fno-omit-frame-pointer -Wno-unknown-warning-option -Wno-pass-failed" \
    "-DCMAKE_C_FLAGS=-fsanitize=thread -fno-omit-frame-pointer" \
    "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread"
  stage "build-tsan: build"
  cmake --build "$tsan" -j "$(nproc)" --target gwsim gwsim_unit_tests gwsim_verification_tests \
    gwsim_reliability_tests
  stage "build-tsan: threaded tests"
  # Archer (LLVM's OMPT tool) tells ThreadSanitizer about libomp's
  # barriers, tasks and reductions, so that they are not reported as races;
  # ignore_noninstrumented_modules=1 as Archer asks (libomp's own mutexes).
  # Suppressions (none at present) and the history: tests/reliability/tsan.supp.
  OMP_TOOL_LIBRARIES=/usr/lib/llvm-14/lib/libarcher.so \
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1:suppressions=$GWSIM_ROOT/tests/reliability/tsan.supp" \
    ctest --test-dir "$tsan" --output-on-failure -j 1 \
    -R 'SameHeadsWithOneAndTwoThreads|SameIteratesOnOneAndTwoThreads|RestrictionDuringSmoothingGivesTheSameValues|SameResultsOnOneAndTwoThreadsWithManyPumpCells|reliability\.threaded_run|^Restart\.' || status=1
fi
exit $status
