#!/usr/bin/env bash
# The mpsim binary as a user runs it: exit codes (0 ok, 1 a check failed, 2 bad input, 3 results
# not written, 130/143 interrupted), --out semantics (a foreign directory refused, its own result
# replaced whole, no stale policy folders, a failed write or an interrupt leaving the previous
# result), and the sweep and size commands end to end (-j 1 = -j 2, resume, the boundary).
# Usage: cli_test.sh MPSIM WORK_DIR
set -uo pipefail
mpsim=$1
work=$2
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rm -rf "$work" && mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# expect CODE DESCRIPTION -- COMMAND...: runs it, output in $work/out, $work/err.
expect() {
  local want=$1 what=$2
  shift 3
  "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  if [ "$rc" -eq "$want" ]; then pass "$what (exit $rc)"; else fail "$what: exit $rc, wanted $want; stderr: $(head -c 600 "$work/err")"; fi
}
# A tree's listing and content, to see that a directory did not change.
digest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) 2>/dev/null | sha256sum; }
leftovers() { find "$(dirname "$1")" -maxdepth 1 -name ".$(basename "$1").mpsim-new-*" | wc -l; }

quick=(--set 'jobs[randread].runtime=300ms' --set 'faults[0].at=100ms' --set 'faults[0].duration=100ms')
qs=$src/experiments/quickstart.textproto
cat >"$work/one.textproto" <<EOT
name: "cli-one-policy"
topology_file: "$src/topologies/quickstart.textproto"
seed: 3
jobs { name: "randread" host: "h0" nqn: "nqn.2026-11.io.mpsim:quickstart" nsid: 1 rw: "randread" iodepth: 8 runtime: "100ms" }
policy { name: "numa" }
EOT

# --- exit codes ------------------------------------------------------------------------------
expect 0 "version" -- "$mpsim" version
expect 2 "unknown flag" -- "$mpsim" run --no-such-flag
expect 2 "missing experiment file" -- "$mpsim" run "$work/none.textproto"
expect 2 "unknown --set path" -- "$mpsim" run "$qs" --set 'jobss[0].bs=8k'
grep -q 'no field "jobss"' "$work/err" || fail "unknown --set path: message names the field: $(cat "$work/err")"
# The quickstart's fault is a `down`: this --set makes a flap the file does not have (issue 17 finding 24:
# its problems used to read "FILE: count: ..." with no field path).
expect 2 "a --set that creates a message" -- "$mpsim" run "$qs" --set 'faults[0].flap.count=100000'
grep -q 'quickstart.textproto: faults\[0\]\.flap\.count: ' "$work/err" ||
  fail "a --set that creates a message: problems name the full field path: $(cat "$work/err")"
# A bad connection_defaults value is the experiment's (line 6 here), not the topology file's: it used to be
# reported once per connection as "topologies/quickstart.textproto: kato_s: ..." (found with finding 24).
{ cat "$work/one.textproto"; echo 'connection_defaults { kato_s: 1e300 }'; } >"$work/defaults.textproto"
expect 2 "a bad connection_defaults value" -- "$mpsim" run "$work/defaults.textproto"
[ "$(grep -c 'defaults.textproto:6:1: connection_defaults.kato_s: must be a finite number' "$work/err")" = 1 ] && ! grep -q 'topologies/' "$work/err" ||
  fail "a bad connection_defaults value: once, at the experiment's line: $(cat "$work/err")"
expect 2 "unknown SLO metric" -- "$mpsim" run "$qs" "${quick[@]}" --slo 'p98<1ms'
expect 1 "an SLO that fails" -- "$mpsim" run "$qs" "${quick[@]}" --slo 'p99<1us'
expect 0 "an SLO that holds" -- "$mpsim" run "$qs" "${quick[@]}" --slo 'p99<10ms'
sed 's/ runtime: "100ms" }/ runtime: "100ms" numa_node: 3 }/' "$work/one.textproto" >"$work/numa.textproto"
expect 2 "a job pinned to a NUMA node its host lacks" -- "$mpsim" run "$work/numa.textproto" --out "$work/numa-out"
grep -q 'numa.textproto:4:[0-9]*: jobs\[0\].numa_node: host "h0" has no NUMA node 3' "$work/err" ||
  fail "NUMA node error: file:line:col and field: $(cat "$work/err")"
[ -e "$work/numa-out" ] && fail "a refused experiment left output"

# --- --out: refuses a foreign directory ------------------------------------------------------
mkdir -p "$work/foreign" && echo "my notes" >"$work/foreign/notes.txt"
before=$(digest "$work/foreign")
foreign_digest=$before
expect 2 "--out into a directory mpsim did not write" -- "$mpsim" run "$qs" "${quick[@]}" --out "$work/foreign"
grep -q "not an mpsim result" "$work/err" || fail "foreign --out: message: $(cat "$work/err")"
[ "$(digest "$work/foreign")" = "$before" ] || fail "foreign --out: the directory changed"
mkdir -p "$work/foreign2/numa" && echo "x" >"$work/foreign2/numa/mine.txt"
expect 2 "--out holding a policy-named folder with a file of the user's" -- \
  "$mpsim" run "$qs" "${quick[@]}" --out "$work/foreign2"
[ -f "$work/foreign2/numa/mine.txt" ] || fail "the user's numa/mine.txt was removed"
echo x >"$work/afile"
expect 2 "--out naming a file" -- "$mpsim" run "$qs" "${quick[@]}" --out "$work/afile"

# --- --out: its own result replaced whole -----------------------------------------------------
out=$work/results
expect 0 "run --out a new directory (three policies)" -- "$mpsim" run "$qs" "${quick[@]}" --out "$out"
for p in numa round-robin queue-depth; do
  [ -f "$out/$p/summary.json" ] || fail "no $p/summary.json"
done
[ -f "$out/comparison.json" ] || fail "no comparison.json after three policies"
expect 0 "run --out the same directory with one policy" -- "$mpsim" run "$work/one.textproto" --out "$out"
[ "$(ls "$out")" = "numa" ] || fail "stale entries beside the one-policy result: $(ls "$out" | tr '\n' ' ')"
[ "$(leftovers "$out")" -eq 0 ] || fail "a staging directory was left beside $out"
expect 0 "report on the result" -- "$mpsim" report "$out"
expect 0 "run --out over a result holding report.html" -- "$mpsim" run "$qs" "${quick[@]}" --out "$out"
[ -f "$out/report.html" ] && fail "the previous run's report.html survived the replacement"
python3 - "$out" <<'PY' || fail "a written JSON file is not valid JSON"
import json, pathlib, sys
for f in pathlib.Path(sys.argv[1]).rglob("*.json"):
    json.loads(f.read_bytes().decode("utf-8"))
PY

# --- a write that fails (file size limit, as a full disk) keeps the previous result --------------
before=$(digest "$out")
expect 3 "run --out when the files cannot be written" -- \
  bash -c 'ulimit -f 8; exec "$@"' _ "$mpsim" run "$qs" "${quick[@]}" --set 'jobs[randread].runtime=1s' --out "$out"
grep -q "keeps its previous results" "$work/err" || fail "failed write: message: $(cat "$work/err")"
[ "$(digest "$out")" = "$before" ] || fail "failed write: the previous result changed"
[ "$(leftovers "$out")" -eq 0 ] || fail "failed write: a staging directory was left"

# --- SIGINT / SIGTERM during a run -----------------------------------------------------------
# Waits until the process has run 0.3 s of CPU (the simulation is under way), never a fixed sleep.
wait_running() {
  local pid=$1 deadline=$((SECONDS + 120)) ticks
  while [ $SECONDS -lt $deadline ]; do
    [ -r "/proc/$pid/stat" ] || return 1
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    [ "${ticks:-0}" -ge 30 ] && return 0
    sleep 0.05
  done
  return 1
}
interrupt_run() {  # SIGNAL CODE
  local sig=$1 want=$2
  "$mpsim" run "$qs" --set 'jobs[randread].runtime=600s' --out "$out" >"$work/out" 2>"$work/err" &
  local pid=$!
  wait_running $pid || fail "$sig: the run did not start"
  kill -"$sig" $pid
  wait $pid
  local rc=$?
  [ $rc -eq "$want" ] && pass "$sig during a run (exit $rc)" || fail "$sig during a run: exit $rc, wanted $want: $(cat "$work/err")"
  grep -q "interrupted by SIG$sig: $out keeps its previous results" "$work/err" || fail "$sig: message: $(cat "$work/err")"
  [ "$(digest "$out")" = "$before" ] || fail "$sig: the previous result changed"
  [ "$(leftovers "$out")" -eq 0 ] || fail "$sig: a staging directory was left"
}
interrupt_run INT 130
interrupt_run TERM 143

# --- --progress on a pipe: simulated time and an ETA, not wall seconds only (issue 17) ----------
# Waits for the first progress line (the output itself, never a fixed sleep), then interrupts.
"$mpsim" run "$qs" --set 'jobs[randread].runtime=600s' --progress >"$work/out" 2>"$work/err" &
pid=$!
deadline=$((SECONDS + 120))
while [ $SECONDS -lt $deadline ] && kill -0 $pid 2>/dev/null && ! grep -q '^progress: .* simulated' "$work/err"; do sleep 0.1; done
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
grep -qE '^progress: numa \(1/3\): [0-9.]+ of 600\.00 s simulated \([0-9]+%\), .* I/O per wall second, ETA ' "$work/err" &&
  pass "--progress without a terminal: $(grep -m1 '^progress: ' "$work/err")" || fail "--progress line: $(head -c 600 "$work/err")"
[ $rc -eq 130 ] || fail "--progress run interrupted: exit $rc, wanted 130"

# --- names that are not UTF-8: every JSON written stays valid (issue 17) -------------------------
printf 'name: "bad\xff\xfename"\ntopology_file: "%s/topologies/quickstart.textproto"\nseed: 3\njobs { name: "r\xc3\x28d" host: "h0" nqn: "nqn.2026-11.io.mpsim:quickstart" nsid: 1 rw: "randread" iodepth: 8 runtime: "100ms" }\ncompare { name: "numa" }\ncompare { name: "round-robin" }\n' "$src" >"$work/utf8.textproto"
expect 0 "run an experiment whose names are not UTF-8" -- "$mpsim" run "$work/utf8.textproto" --out "$work/utf8"
python3 - "$work/utf8" <<'PY' && pass "every JSON of the non-UTF-8 run is valid" || fail "a JSON file of the non-UTF-8 run is not valid JSON"
import json, pathlib, sys
files = list(pathlib.Path(sys.argv[1]).rglob("*.json"))
assert len(files) >= 5, files  # comparison.json, summary.json and fio.json per policy
for f in files:
    json.loads(f.read_bytes().decode("utf-8"))
PY

# --- a sweep interrupted: exit 130, the finished points kept, nothing half written --------------
sed 's/runtime: "100ms"/runtime: "600s"/' "$work/one.textproto" >"$work/long.textproto"
"$mpsim" sweep "$work/long.textproto" --axis 'jobs[randread].iodepth=1,4' -j 1 --out "$work/sint" >"$work/out" 2>"$work/err" &
pid=$!
child=""
deadline=$((SECONDS + 120))
while [ $SECONDS -lt $deadline ] && [ -z "$child" ]; do child=$(pgrep -P $pid mpsim | head -n 1); sleep 0.05; done
[ -n "$child" ] && wait_running "$child" || fail "sweep SIGINT: the point did not start"
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] && pass "SIGINT during a sweep (exit 130)" || fail "SIGINT during a sweep: exit $rc: $(cat "$work/err")"
grep -q "interrupted by SIGINT: the finished points are kept in" "$work/err" || fail "sweep SIGINT: message: $(cat "$work/err")"
[ -z "$(find "$work/sint" -name '*.tmp-*')" ] ||
  fail "sweep SIGINT: a half-written file was left: $(find "$work/sint" -type f | tr '\n' ' ')"
[ ! -e "$work/sint/points/0000.result.json" ] || fail "sweep SIGINT: the interrupted point has a result"

# --- sweep end to end ------------------------------------------------------------------------
cp "$work/one.textproto" "$work/sweep.textproto"
axis=(--axis 'jobs[randread].iodepth=1,4,16' --axis 'policy=numa,round-robin')
expect 0 "sweep -j 1" -- "$mpsim" sweep "$work/sweep.textproto" "${axis[@]}" -j 1 --out "$work/s1"
expect 0 "sweep -j 2" -- "$mpsim" sweep "$work/sweep.textproto" "${axis[@]}" -j 2 --out "$work/s2"
cmp -s "$work/s1/sweep.csv" "$work/s2/sweep.csv" && pass "sweep.csv identical for -j 1 and -j 2" ||
  fail "sweep.csv differs between -j 1 and -j 2"
[ "$(tail -n +2 "$work/s1/sweep.csv" | wc -l)" -eq 6 ] || fail "sweep.csv: wanted 6 rows: $(cat "$work/s1/sweep.csv")"
stamp() { stat -c '%n %i %y' "$work/s1/points/"*.result.json; }
stamps=$(stamp)
rm "$work/s1/points/0004.result.json"
expect 0 "sweep rerun (resume)" -- "$mpsim" sweep "$work/sweep.textproto" "${axis[@]}" -j 2 --out "$work/s1"
[ "$(stamp | grep -v 0004)" = "$(echo "$stamps" | grep -v 0004)" ] && [ -f "$work/s1/points/0004.result.json" ] &&
  pass "resume ran only the missing point" || fail "resume rewrote finished points or missed 0004"
cmp -s "$work/s1/sweep.csv" "$work/s2/sweep.csv" || fail "resumed sweep.csv differs"
expect 1 "sweep with an SLO that fails" -- "$mpsim" sweep "$work/sweep.textproto" "${axis[@]}" --slo 'p99<100us' --out "$work/s3"
grep -q "SLO FAIL point" "$work/out" || fail "sweep SLO failure not printed: $(cat "$work/out")"
expect 2 "sweep with an empty axis value list" -- "$mpsim" sweep "$work/sweep.textproto" --axis 'jobs[randread].iodepth=' --out "$work/s4"
expect 2 "sweep into a foreign directory" -- "$mpsim" sweep "$work/sweep.textproto" "${axis[@]}" --out "$work/foreign"
[ "$(digest "$work/foreign")" = "$foreign_digest" ] || fail "sweep changed the foreign directory"

# --- size end to end -------------------------------------------------------------------------
expect 0 "size iodepth" -- "$mpsim" size "$work/sweep.textproto" --axis 'jobs[randread].iodepth' --integer --max 64 \
  --slo 'p99<=123us' --out "$work/size"
grep -qx 'boundary: largest passing jobs\[randread\]\.iodepth = 8, smallest failing = 9' "$work/out" &&
  pass "size prints the boundary: $(grep '^boundary' "$work/out")" || fail "size output: $(cat "$work/out")"
first=$(cat "$work/out")
expect 0 "size rerun" -- "$mpsim" size "$work/sweep.textproto" --axis 'jobs[randread].iodepth' --integer --max 64 \
  --slo 'p99<=123us' --out "$work/size"
[ "$(cat "$work/out")" = "$first" ] || fail "size rerun printed something else"
expect 1 "size whose SLO fails at --min" -- "$mpsim" size "$work/sweep.textproto" --axis 'jobs[randread].iodepth' \
  --integer --max 8 --slo 'p99<1us' --out "$work/size2"
grep -q "^boundary: none" "$work/out" || fail "size failing at --min: $(cat "$work/out")"
expect 2 "size into a foreign directory" -- "$mpsim" size "$work/sweep.textproto" --axis 'jobs[randread].iodepth' \
  --integer --slo 'p99<1ms' --out "$work/foreign"
[ "$(digest "$work/foreign")" = "$foreign_digest" ] || fail "size changed the foreign directory"

echo "$failures failure(s)"
[ $failures -eq 0 ]
