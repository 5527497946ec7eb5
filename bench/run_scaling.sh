#!/usr/bin/env bash
# Regenerate the tables of bench/README.md: builds the solver benchmarks,
# the scaling driver and gwsim in build-mg, then runs
#   1. bench_solver (STREAM triad, operator apply, preconditioner, solve),
#   2. solver_scaling table (solver on synthetic systems, 1 and 2 threads),
#      and growth (1 -> 4 M cells, the two sizes solved alternately),
#   3. solver_scaling runs (whole `gwsim run` of generated scenarios) and
#      run-growth (1 -> 4 M cells, whole runs of the two sizes alternately),
# and writes the results between the markers in bench/README.md.
# Usage: bench/run_scaling.sh [reps]     (from anywhere; ~8 min with 3 reps)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-mg"
reps="${1:-5}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" -j2 --target bench_solver solver_scaling gwsim > /dev/null
out="$(mktemp -d)"
# The STREAM triad of each core on its own (taskset): the cores of a shared
# VM need not be alike (bench/HISTORY.md, 2026-11-28 after 15:20), and a
# 1-thread benchmark runs on whichever the kernel gives it.
per_core=""
if command -v taskset > /dev/null; then
  for ((c = 0; c < $(nproc); ++c)); do
    gbps=$(taskset -c "$c" "$build/bench/bench_solver" --benchmark_filter='BM_StreamTriad/1/' \
             --benchmark_format=csv 2> /dev/null | awk -F, '/StreamTriad/ {printf "%.1f", $NF}')
    per_core="$per_core${per_core:+, }cpu $c ${gbps:-?}"
  done
fi
"$build/bench/bench_solver" --benchmark_counters_tabular=true --benchmark_min_time=0.5 \
  --benchmark_format=console 2> /dev/null | sed 's/\x1b\[[0-9;]*m//g' > "$out/bench.txt"
"$build/bench/solver_scaling" table "$reps" > "$out/table.md"
"$build/bench/solver_scaling" growth 9 > "$out/growth.md"
"$build/bench/solver_scaling" runs "$build/sim/cli/gwsim" "$reps" > "$out/runs.md"
"$build/bench/solver_scaling" run-growth "$build/sim/cli/gwsim" 7 > "$out/run-growth.md"
{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p');"
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  [ -n "$per_core" ] && echo "STREAM triad of each core alone before the run, GB/s: $per_core."
  echo
  echo "### Solver on synthetic systems (\`solver_scaling table $reps\`)"
  echo
  cat "$out/table.md"
  echo
  echo "### 1 -> 4 M cells, solve alone, paired (\`solver_scaling growth 9\`)"
  echo
  cat "$out/growth.md"
  echo
  echo "### Whole \`gwsim run\` (\`solver_scaling runs build-mg/sim/cli/gwsim $reps\`)"
  echo
  cat "$out/runs.md"
  echo
  echo "### 1 -> 4 M cells, whole run, paired (\`solver_scaling run-growth build-mg/sim/cli/gwsim 7\`)"
  echo
  cat "$out/run-growth.md"
  echo
  echo "### Google Benchmark (\`bench_solver\`)"
  echo
  echo '```'
  cat "$out/bench.txt"
  echo '```'
} > "$out/all.md"
/usr/bin/python3 - "$root/bench/README.md" "$out/all.md" <<'PY'
import sys
readme, new = sys.argv[1], open(sys.argv[2]).read()
text = open(readme).read()
a, b = "<!-- tables:begin -->", "<!-- tables:end -->"
i, j = text.index(a) + len(a), text.index(b)
open(readme, "w").write(text[:i] + "\n" + new + text[j:])
PY
echo "tables written to $root/bench/README.md (raw output in $out)"
