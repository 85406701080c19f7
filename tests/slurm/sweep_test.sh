#!/usr/bin/env bash
# ctest: `mpsim sweep --slurm` runs a sweep as ONE real Slurm array job on a one-node cluster this
# script starts (cluster.sh) and always stops (trap), and its sweep.csv equals a local `-j 2` run
# byte for byte.
#
#   sweep_test.sh MPSIM DRIVER WORKDIR
#
# The sweep: a very short experiment on a generated leaf-spine fabric, axis
# topology.generator.leaf_spine.hosts = 1..6, two policies, 2 points per array task. Also checked:
# a failed array task's points are marked failed with the reason (slurm_array_driver, the
# executor library with a worker that fails task 1 and runs `mpsim sweep-run` otherwise); sbatch
# missing and the controller down give exit 2 with a clear message.
# Exit 77 (ctest: skipped) only when slurm-wlm/munge cannot be installed; the reason is printed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mpsim=$1 driver=$2 work=$3
export MPSIM_BIN=$mpsim
axis=topology.generator.leaf_spine.hosts=1,2,3,4,5,6
started=$(date +%s.%N)

fail() { echo "FAIL: $*"; exit 1; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cluster=$work/cluster
trap '"$here/cluster.sh" stop "$cluster"' EXIT
trap 'exit 1' TERM INT  # so the EXIT trap stops the daemons on a ctest timeout too

cat >"$work/exp.textproto" <<'EOT'
name: "slurm-sweep"
seed: 7
topology { generator { leaf_spine { hosts: 1 } } }
jobs { name: "randread" host: "h0" nqn: "nqn.2026-11.io.mpsim:leaf-spine" nsid: 1 rw: "randread" iodepth: 4 runtime: "20ms" }
compare { name: "numa" }
compare { name: "round-robin" }
EOT

rc=0
"$here/cluster.sh" start "$cluster" || rc=$?
if [ $rc -eq 77 ]; then
  echo "SKIPPED: no Slurm cluster: slurm-wlm and munge cannot be installed here (reason above)"
  exit 77
fi
[ $rc -eq 0 ] || fail "the one-node cluster did not start (logs above)"
. "$cluster/env"

# 1. Local reference, then the same sweep as one array job of 3 tasks.
"$mpsim" -q sweep "$work/exp.textproto" --axis "$axis" -j 2 --out "$work/local" >/dev/null || fail "local sweep: exit $?"
submitted=$(date +%s.%N)
out=$("$mpsim" sweep "$work/exp.textproto" --axis "$axis" --slurm --tasks-per-job 2 --out "$work/slurm" 2>&1) ||
  fail "slurm sweep: exit $? ($out)"
echo "slurm sweep: $(since "$submitted") s from planning to collected"
[[ $out == *"submitted Slurm array job"*"(3 tasks of up to 2 points)"* ]] || fail "not one array of 3 tasks: $out"
cmp "$work/local/sweep.csv" "$work/slurm/sweep.csv" || fail "sweep.csv differs between the local and the Slurm run"
[ "$(wc -l <"$work/slurm/sweep.csv")" -gt 6 ] || fail "sweep.csv has too few rows"
ls "$work"/slurm/slurm/task_*_2.out >/dev/null || fail "no output of array task 2"
echo "ok: sweep.csv identical, local -j 2 vs Slurm array ($(wc -l <"$work/slurm/sweep.csv") lines)"

# 2. --no-wait, then --collect: the same bytes again.
out=$("$mpsim" sweep "$work/exp.textproto" --axis "$axis" --slurm --no-wait --out "$work/later" 2>&1) || fail "--no-wait: $out"
job=$(cat "$work/later/slurm/job_id")
while [ -n "$(squeue --noheader --jobs="$job" 2>/dev/null)" ]; do sleep 0.2; done
"$mpsim" -q sweep --collect "$work/later" >/dev/null || fail "--collect after --no-wait: exit $?"
cmp "$work/local/sweep.csv" "$work/later/sweep.csv" || fail "sweep.csv after --no-wait/--collect differs"
echo "ok: --no-wait then --collect gives the same sweep.csv"

# 3. A failed array task: its two points are failed rows with the reason, the others have results.
"$mpsim" -q sweep "$work/exp.textproto" --axis "$axis" --plan-only --out "$work/failing" >/dev/null || fail "plan-only"
rc=0
out=$(STANDIN_FAIL_TASK=1 "$driver" "$work/failing" 6 2 "$here/failing_sweep_run.sh") || rc=$?
[ $rc -eq 1 ] || fail "a failed task should give exit 1, got $rc ($out)"
rc=0
"$mpsim" -q sweep --collect "$work/failing" >/dev/null || rc=$?
[ $rc -eq 1 ] || fail "collecting a sweep with failed points should exit 1, got $rc"
failed_rows=$(grep -c "Slurm array task 1 of job [0-9]* ended FAILED (exit 3:0" "$work/failing/sweep.csv")
[ "$failed_rows" -ge 2 ] || fail "sweep.csv lacks the failed task's points: $(cat "$work/failing/sweep.csv")"
grep -q "fails on purpose" "$work"/failing/slurm/task_*_1.out || fail "the failed task's output is not kept"
echo "ok: failed task 1 -> $failed_rows failed rows in sweep.csv, e.g. $(grep -m1 -o 'Slurm array task 1[^,"]*' "$work/failing/sweep.csv")"

# 4. sbatch missing: exit 2, says so.
mkdir -p "$work/no-bin"
rc=0
msg=$(PATH=$work/no-bin "$mpsim" sweep "$work/exp.textproto" --axis "$axis" --slurm --out "$work/nobin" 2>&1) || rc=$?
[ $rc -eq 2 ] && [[ $msg == *"sbatch not found on PATH"* ]] || fail "sbatch missing: exit $rc, $msg"
echo "ok: sbatch missing -> exit 2: $msg"

# 5. Controller down: exit 2 with sbatch's own reason.
"$here/cluster.sh" stop "$cluster"
rc=0
msg=$("$mpsim" sweep "$work/exp.textproto" --axis "$axis" --slurm --out "$work/down" 2>&1) || rc=$?
[ $rc -eq 2 ] && [[ $msg == *"sbatch failed"* ]] || fail "controller down: exit $rc, $msg"
echo "ok: controller down -> exit 2: $msg"
echo "wall time: $(since "$started") s"
