#!/usr/bin/env bash
# gwsim batch and gwsim compare through the real command line.
#
# usage: check_batch_compare.sh GWSIM TESTS_INPUT_DIR TMPDIR
#
# A base scenario, a composed scenario that pumps less (base: + a well merged
# by name) and a broken one run as one batch of 2 jobs: the batch reports the
# two good runs ok and the broken one failed with its first error line, and
# exits 65. compare then ranks the one zone and writes comparison.h5; a
# result of another grid is refused with exit code 65.
set -u
gwsim=$1
src=$2
tmp=$3
rm -rf "$tmp" && mkdir -p "$tmp/in" || exit 1
status=0
fail() {
  echo "FAIL: $*"
  status=1
}

cp "$src/bad/bases/good_base.yaml" "$tmp/in/base.yaml"
printf 'base: base.yaml\nname: less pumping\nstresses:\n  wel:\n    - {name: w1, rate: {2: -50.0}}\n' >"$tmp/in/less.yaml"
printf 'base: base.yaml\naquifer: {k: -1}\n' >"$tmp/in/broken.yaml"

"$gwsim" batch "$tmp/in/base.yaml" "$tmp/in/less.yaml" "$tmp/in/broken.yaml" -j 2 -o "$tmp/out" >"$tmp/batch.txt" 2>&1
rc=$?
[ "$rc" -eq 65 ] || fail "batch exit code $rc, expected 65 (the broken scenario's)"
grep -qE "^\[[0-9]/3\] ok +.*/base.yaml -> .*/out/base.h5" "$tmp/batch.txt" || fail "no ok line for base.yaml"
grep -qE "^\[[0-9]/3\] ok +.*/less.yaml" "$tmp/batch.txt" || fail "no ok line for less.yaml"
grep -qF "broken.yaml (exit code 65): error: $tmp/in/broken.yaml:2:" "$tmp/batch.txt" ||
  fail "no failed line with the first error of broken.yaml"
grep -qF "2 of 3 scenarios ok" "$tmp/batch.txt" || fail "no final count"
[ -f "$tmp/out/base.h5" ] && [ -f "$tmp/out/less.h5" ] || fail "results missing"
[ -f "$tmp/out/broken.h5" ] && fail "a result for the broken scenario"

# More threads at once than processors: a warning (the heads are the same
# for any thread count: python/tests/test_reliability.py).
procs=$(nproc)
"$gwsim" batch "$tmp/in/base.yaml" "$tmp/in/less.yaml" -j 2 --threads-per-job "$procs" -o "$tmp/over" \
  >"$tmp/over.txt" 2>"$tmp/over.err"
rc=$?
[ "$rc" -eq 0 ] || fail "oversubscribed batch exit code $rc"
grep -qE "^warning: 2 runs at once with $procs thread\(s\) each on $procs processors? available" "$tmp/over.err" ||
  fail "no warning of 2 x $procs threads on $procs processors"
"$gwsim" batch "$tmp/in/base.yaml" -o "$tmp/one" >/dev/null 2>"$tmp/one.err" || fail "batch of one scenario failed"
[ -s "$tmp/one.err" ] && fail "a warning for one run of one thread: $(cat "$tmp/one.err")"

"$gwsim" compare "$tmp/out/base.h5" "$tmp/out/less.h5" -o "$tmp/comparison.h5" >"$tmp/compare.txt" 2>&1
rc=$?
[ "$rc" -eq 0 ] || fail "compare exit code $rc"
grep -qE "^less vs base at t = 31 " "$tmp/compare.txt" || fail "no table heading at the last common time"
grep -qE "^ +1  model +layer_1 +-?[0-9.]+" "$tmp/compare.txt" || fail "no ranked row for zone 'model'"
[ -f "$tmp/comparison.h5" ] || fail "no comparison.h5"
if command -v ncdump >/dev/null; then
  ncdump -h "$tmp/comparison.h5" >"$tmp/ncdump.txt" 2>&1 || fail "ncdump cannot read comparison.h5"
  grep -qF "double volume_saved(scenario, time, zone, aquifer)" "$tmp/ncdump.txt" || fail "volume_saved dimensions"
fi

# Another grid: refused, naming the file.
printf 'base: base.yaml\ngrid: {ncol: 6}\n' >"$tmp/in/wide.yaml"
"$gwsim" run "$tmp/in/wide.yaml" -q -o "$tmp/out/wide.h5" >/dev/null 2>&1 || fail "wide.yaml does not run"
"$gwsim" compare "$tmp/out/base.h5" "$tmp/out/wide.h5" -o "$tmp/c2.h5" >"$tmp/c2.txt" 2>&1
rc=$?
[ "$rc" -eq 65 ] || fail "compare of different grids: exit code $rc, expected 65"
grep -qF "error: $tmp/out/wide.h5: not the same grid as the base" "$tmp/c2.txt" || fail "no grid message"

if [ "$status" -ne 0 ]; then
  for f in batch.txt over.txt over.err compare.txt c2.txt; do echo "--- $f" && cat "$tmp/$f"; done
else
  echo "ok: batch and compare"
fi
exit "$status"
