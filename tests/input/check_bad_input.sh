#!/usr/bin/env bash
# One case of the bad-input catalogue, through the real command line.
#
# usage: check_bad_input.sh GWSIM FILE.yaml TMPDIR
#
# Runs `gwsim validate FILE` and `gwsim run FILE -o TMPDIR/out.h5` (from inside
# TMPDIR, which is emptied first) and checks that each
#   - exits with exactly 65 (ExitCode::input), not a crash or a signal,
#   - prints the text after `# expect: ` on the file's first line to stderr,
#   - locates the error as FILE:LINE:COL:,
#   - leaves no result behind (no out.h5, out.h5.*, nor any other *.h5).
set -u
gwsim=$1
yaml=$2
tmp=$3

rm -rf "$tmp" && mkdir -p "$tmp" || exit 1
expect=$(head -n 1 "$yaml" | sed -n 's/^# expect: //p')
if [ -z "$expect" ]; then
  echo "FAIL: $yaml: the first line must be '# expect: <text of the message>'"
  exit 1
fi
# The file name as a regular expression, for the FILE:LINE:COL: check.
yaml_re=$(printf '%s' "$yaml" | sed 's/[][\.*^$/+?(){}|]/\\&/g')
status=0

check() {
  local label=$1
  shift
  (cd "$tmp" && ulimit -c 0 && timeout 120 "$@") >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$?
  if [ "$rc" -ne 65 ]; then
    echo "FAIL ($label): exit code $rc, expected 65"
    [ "$rc" -gt 128 ] && echo "  (killed by signal $((rc - 128)))"
    [ "$rc" -eq 124 ] && echo "  (timed out)"
    status=1
  fi
  if ! grep -qF -- "$expect" "$tmp/stderr"; then
    echo "FAIL ($label): stderr does not contain: $expect"
    status=1
  fi
  if ! grep -qE -- "${yaml_re}:[0-9]+:[0-9]+: " "$tmp/stderr"; then
    echo "FAIL ($label): stderr has no '$yaml:LINE:COL: ' location"
    status=1
  fi
  local left
  left=$(find "$tmp" -name '*.h5*' -o -name 'core*')
  if [ -n "$left" ]; then
    echo "FAIL ($label): left behind: $left"
    status=1
  fi
  if [ "$status" -ne 0 ]; then
    echo "--- stderr of: $*"
    cat "$tmp/stderr"
  fi
}

check validate "$gwsim" validate "$yaml"
check run "$gwsim" run "$yaml" -o "$tmp/out.h5"
[ "$status" -eq 0 ] && echo "ok: $(basename "$yaml"): $expect"
exit "$status"
