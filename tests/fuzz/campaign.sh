#!/bin/bash
# A resumable fuzz campaign: tests/fuzz/campaign.sh TARGET GOAL_EXECS SECONDS [DIR]
# Runs build-fuzz's fuzz_TARGET with the options `./mpsim fuzz` uses, for at most SECONDS, on the
# persistent corpus DIR/TARGET (default /work/tmp-val/fuzz17-corpus) plus the repository seeds, and
# appends the executions of this invocation to DIR/TARGET.ledger, so invocations add up until the
# ledger's sum reaches GOAL_EXECS (tests/README.md "Campaign figures"). Exit 1 on a crash, with the
# input in DIR/TARGET-crashes/. FUZZ_TIMEOUT (default 10 s, as `./mpsim fuzz`) is libFuzzer's
# per-input limit in wall seconds: on a machine where this runs at nice 19 behind a load of 16-20,
# the largest seed (0.7 s of CPU) took 12-16 s of wall and was reported as a timeout.
set -u
target=$1 goal=$2 seconds=$3 dir=${4:-/work/tmp-val/fuzz17-corpus}
root=$(cd "$(dirname "$0")/../.." && pwd)
fbuild=${MPSIM_FUZZ_BUILD_DIR:-$root/build-fuzz}
corpus=$dir/$target crashes=$dir/$target-crashes ledger=$dir/$target.ledger
mkdir -p "$corpus" "$crashes"
done_so_far=$(awk '{s += $2} END {print s + 0}' "$ledger" 2>/dev/null || echo 0)
remaining=$((goal - done_so_far))
if [ "$remaining" -le 0 ]; then
  echo "$target: $done_so_far executions recorded, goal $goal reached"
  exit 0
fi
log=$dir/$target-$(date -u +%Y%m%dT%H%M%S).log
start=$(date +%s)
ASAN_OPTIONS=alloc_dealloc_mismatch=0:detect_leaks=1 "$fbuild/tests/fuzz/fuzz_$target" \
  -runs="$remaining" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "$fbuild/fuzz/seeds/$target" >"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ -z "$execs" ]; then  # a crash ends libFuzzer without final stats: take the last status line
  execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
fi
cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)
echo "$(date -u +%FT%TZ) ${execs:-0} rc=$rc wall=$(( $(date +%s) - start ))s ${cov} load=$(cut -d' ' -f1-3 /proc/loadavg) log=$log" >>"$ledger"
echo "$target: +${execs:-0} executions, total $(awk '{s += $2} END {print s + 0}' "$ledger") of $goal; $cov; rc=$rc"
exit $rc
