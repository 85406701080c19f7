#!/usr/bin/env bash
# Sweep executor benchmark: a 64-point sweep of short quickstart runs (0.3 s simulated each),
# run with -j 1 and -j 2, and the same 64 points run by bare `mpsim run`. Prints the -j 2
# speed-up (target >= 1.8 on an idle 2-core machine) and the sweep's per-point overhead over
# a bare run (target < 5%). Wall-clock figures: run it on an otherwise idle machine.
#
#   experiments/bench/sweep_bench.sh [path/to/mpsim]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mpsim=${1:-$root/build/mpsim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/short.textproto" <<EOT
name: "sweep-bench"
topology_file: "$root/topologies/quickstart.textproto"
seed: 1
policy { name: "numa" }
jobs { name: "randread" host: "h0" nqn: "nqn.2026-11.io.mpsim:quickstart" nsid: 1 rw: "randread" bs: "4k" iodepth: 32 runtime: "300ms" }
faults { at: "100ms" duration: "100ms" down { target: "h0.nic0--sw-a" } }
EOT
seeds=$(seq -s, 1 64)
now() { date +%s.%N; }

"$mpsim" -q sweep "$work/short.textproto" --axis "seed=$seeds" --out "$work/plan" --plan-only >/dev/null
t0=$(now)
for f in "$work"/plan/points/*.textproto; do "$mpsim" -q run "$f" >/dev/null; done
t1=$(now)
"$mpsim" -q sweep "$work/short.textproto" --axis "seed=$seeds" -j 1 --out "$work/j1" >/dev/null
t2=$(now)
"$mpsim" -q sweep "$work/short.textproto" --axis "seed=$seeds" -j 2 --out "$work/j2" >/dev/null
t3=$(now)
cmp -s "$work/j1/sweep.csv" "$work/j2/sweep.csv" || { echo "sweep.csv differs between -j 1 and -j 2" >&2; exit 1; }
awk -v bare="$(echo "$t1 - $t0" | bc)" -v j1="$(echo "$t2 - $t1" | bc)" -v j2="$(echo "$t3 - $t2" | bc)" 'BEGIN {
  printf "64 points: bare runs %.2f s, sweep -j 1 %.2f s, sweep -j 2 %.2f s\n", bare, j1, j2
  printf "speed-up -j 2 over -j 1: %.2fx (target >= 1.8)\n", j1 / j2
  printf "per-point overhead of the sweep over a bare run: %.1f%% (target < 5%%)\n", 100 * (j1 - bare) / bare
}'
