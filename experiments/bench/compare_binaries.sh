#!/usr/bin/env bash
# Side-by-side speed of two (or more) mpsim binaries on a shared machine: each case runs once per
# binary in turn, repeated REPS times, so load changes hit both alike. One line per run with the
# I/O phase's simulated I/Os per CPU-second, CPU ns per event and peak RSS; take medians.
#
#   experiments/bench/compare_binaries.sh REPS "CASE ..." BINARY_A BINARY_B [...]
#   BENCH_ARGS=--quick experiments/bench/compare_binaries.sh 3 "leaf-spine-1 leaf-spine-1024" old/mpsim build/mpsim
set -euo pipefail
reps=$1
cases=$2
shift 2
for _ in $(seq "$reps"); do
  for c in $cases; do
    for b in "$@"; do
      line=$("$b" bench --case "$c" ${BENCH_ARGS:-} | grep "^bench")
      pick() { grep -o "$1=[0-9.]*" <<<"$line"; }
      echo "$b $c $(pick ios_per_cpu_s) $(pick cpu_ns_per_event) $(pick peak_rss_kib) $(pick io_cpu_s)"
    done
  done
done
