#!/usr/bin/env bash
# ctest: a sweep's points run as ONE real Slurm array job on a one-node cluster this script starts
# (cluster.sh) and always stops (trap), compared byte for byte with the same points run locally.
#
#   sweep_test.sh MPSIM DRIVER WORKDIR
#
# The points are a very short experiment on a generated leaf-spine fabric, hosts 1..6 (the
# `topology.generator.leaf_spine.hosts` axis). Until `mpsim sweep-run` is merged, the array tasks
# run standin_sweep_run.sh (the sweep-run contract over `mpsim run`), driven through the Slurm
# executor by slurm_array_driver. Also checked: a failed array task's points are marked failed
# with the reason; sbatch missing and the controller down give exit 2 with a clear message.
# Exit 77 (ctest: skipped) only when slurm-wlm/munge cannot be installed; the reason is printed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mpsim=$1 driver=$2 work=$3
export MPSIM_BIN=$mpsim
worker=$here/standin_sweep_run.sh
points=6 per_task=2
started=$(date +%s.%N)

fail() { echo "FAIL: $*"; exit 1; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cluster=$work/cluster
trap '"$here/cluster.sh" stop "$cluster"' EXIT
trap 'exit 1' TERM INT  # so the EXIT trap stops the daemons on a ctest timeout too

# The points, as `mpsim sweep --plan-only` would write them.
plan() {
  mkdir -p "$1/points"
  for ((p = 0; p < points; p++)); do
    cat >"$(printf '%s/points/%04d.textproto' "$1" "$p")" <<EOT
name: "slurm-sweep-point"
seed: 7
topology { generator { leaf_spine { hosts: $((p + 1)) } } }
jobs { name: "randread" host: "h$p" nqn: "nqn.2026-11.io.mpsim:leaf-spine" nsid: 1 rw: "randread" iodepth: 4 runtime: "20ms" }
compare { name: "numa" }
compare { name: "round-robin" }
EOT
  done
}

rc=0
"$here/cluster.sh" start "$cluster" || rc=$?
if [ $rc -eq 77 ]; then
  echo "SKIPPED: no Slurm cluster: slurm-wlm and munge cannot be installed here (reason above)"
  exit 77
fi
[ $rc -eq 0 ] || fail "the one-node cluster did not start (logs above)"
. "$cluster/env"

# 1. Local reference: every task index run in this process, one after the other.
plan "$work/local"
for ((t = 0; t < points / per_task; t++)); do
  "$worker" sweep-run "$work/local" --index "$t" --count "$per_task" || fail "local point run failed"
done

# 2. The same points as one array job of 3 tasks.
plan "$work/slurm"
submitted=$(date +%s.%N)
out=$("$driver" "$work/slurm" "$points" "$per_task" "$worker") || fail "array run: exit $? ($out)"
echo "array run: $out ($(since "$submitted") s from submission to collected)"
[[ $out == *"tasks 3 failed 0"* ]] || fail "expected 3 tasks and no failure: $out"
for ((p = 0; p < points; p++)); do
  f=$(printf 'points/%04d.result.json' "$p")
  cmp "$work/local/$f" "$work/slurm/$f" || fail "$f differs between the local and the Slurm run"
  grep -q "IOPS" "$work/slurm/$f" || fail "$f holds no report"
done
grep -q -- "--array=\|sweep-run" "$work/slurm/slurm/array.sh" || fail "array.sh does not run sweep-run"
echo "ok: $points points identical, local vs Slurm array"

# 3. A failed task: its two points are marked failed with the reason, the others have results.
plan "$work/failing"
rc=0
out=$(STANDIN_FAIL_TASK=1 "$driver" "$work/failing" "$points" "$per_task" "$worker") || rc=$?
[ $rc -eq 1 ] || fail "a failed task should give exit 1, got $rc ($out)"
for p in 2 3; do
  reason=$(cat "$(printf '%s/failing/points/%04d.failed' "$work" "$p")") || fail "point $p not marked failed"
  [[ $reason == *"Slurm array task 1 of job "*" ended FAILED (exit 3:0"*"task_"*"_1.out" ]] || fail "reason: $reason"
done
for p in 0 1 4 5; do
  [ -f "$(printf '%s/failing/points/%04d.result.json' "$work" "$p")" ] || fail "point $p has no result"
done
grep -q "fails on purpose" "$work"/failing/slurm/task_*_1.out || fail "the failed task's output is not kept"
echo "ok: failed task 1 -> points 2, 3 failed: $reason"

# 4. sbatch missing: exit 2, says so.
mkdir -p "$work/no-bin"
rc=0
msg=$(PATH=$work/no-bin "$driver" "$work/slurm" "$points" "$per_task" "$worker" 2>&1) || rc=$?
[ $rc -eq 2 ] && [[ $msg == *"sbatch not found on PATH"* ]] || fail "sbatch missing: exit $rc, $msg"
echo "ok: sbatch missing -> exit 2: $msg"

# 5. Controller down: exit 2 with sbatch's own reason.
"$here/cluster.sh" stop "$cluster"
rc=0
msg=$("$driver" "$work/slurm" "$points" "$per_task" "$worker" 2>&1) || rc=$?
[ $rc -eq 2 ] && [[ $msg == *"sbatch failed"* ]] || fail "controller down: exit $rc, $msg"
echo "ok: controller down -> exit 2: $msg"
echo "wall time: $(since "$started") s"
