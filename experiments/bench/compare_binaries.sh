#!/usr/bin/env bash
# Side-by-side speed of two (or more) mpsim binaries on a shared machine: each case runs once per
# binary in turn, repeated REPS times, so load changes hit both alike. One line per run with the
# I/O phase's simulated I/Os per CPU-second, CPU ns per event and peak RSS; take medians.
# With leaf-spine-1024 among the cases, one memory line per binary at the end: its smallest peak
# RSS there against issue 18's 64 MB, and, with leaf-spine-1 too, KiB per host
# ((RSS at 1,024 hosts - RSS at 1 host) / 1,023) against the 48 KiB budget.
#
#   experiments/bench/compare_binaries.sh REPS "CASE ..." BINARY_A BINARY_B [...]
#   BENCH_ARGS=--quick experiments/bench/compare_binaries.sh 3 "leaf-spine-1 leaf-spine-1024" old/mpsim build/mpsim
set -euo pipefail
reps=$1
cases=$2
shift 2
declare -A rss  # "binary case" -> smallest peak RSS (KiB) over the repetitions
for _ in $(seq "$reps"); do
  for c in $cases; do
    for b in "$@"; do
      line=$("$b" bench --case "$c" ${BENCH_ARGS:-} | grep "^bench")
      pick() { grep -o "$1=[0-9.]*" <<<"$line"; }
      echo "$b $c $(pick ios_per_cpu_s) $(pick cpu_ns_per_event) $(pick peak_rss_kib) $(pick io_cpu_s)"
      kib=$(pick peak_rss_kib | cut -d= -f2)
      key="$b $c"
      if [ -z "${rss[$key]:-}" ] || [ "$kib" -lt "${rss[$key]}" ]; then rss[$key]=$kib; fi
    done
  done
done
for b in "$@"; do
  big=${rss["$b leaf-spine-1024"]:-}
  [ -n "$big" ] || continue
  verdict=$([ "$big" -lt 65536 ] && echo met || echo MISSED)
  out="memory $b: peak_rss leaf-spine-1024 $big KiB (limit 65536: $verdict)"
  one=${rss["$b leaf-spine-1"]:-}
  if [ -n "$one" ]; then
    per_host=$(awk -v a="$big" -v b="$one" 'BEGIN { printf "%.1f", (a - b) / 1023 }')
    host_verdict=$(awk -v p="$per_host" 'BEGIN { print (p <= 48 ? "met" : "MISSED") }')
    out+=" per_host $per_host KiB (limit 48: $host_verdict)"
  fi
  echo "$out"
done
