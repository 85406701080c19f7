#!/usr/bin/env bash
# The emulator's speed against nvmet in the same validation guest (issue 16, "Speed"): 4k randread
# QD16 through one path to each, both set up in one boot and run in alternating order
# (guest-bench-init.sh), then the report (bench-report.py) with the host's load before and after.
# usage: validate/emulate/guest-bench.sh [RESULTS_DIR]
# Environment: MPSIM_EMULATE_FIO_S (seconds per run, default 5), MPSIM_BENCH_ROUNDS (default 3),
# MPSIM_BIN (the mpsim binary the guest runs, default build/mpsim), MPSIM_BENCH_STRACE=1 (a further
# 2 s emulator run under `strace -c`: system calls per I/O), MPSIM_BENCH_IDLE=1 (the emulator as
# SCHED_IDLE in the guest).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
results=$(realpath -m "${1:-/tmp/mpsim-emulate-bench}")
mkdir -p "$results"
rm -f "$results"/*.json "$results"/*.txt
kernel=$("$root/validate/guest/build-kernel.sh") || exit 1
{ date -u +%FT%TZ; uptime; } >"$results/host-load-before.txt"
MPSIM_GUEST_TIMEOUT=${MPSIM_GUEST_TIMEOUT:-300} bash "$root/validate/guest/boot.sh" "$kernel" \
  "$root/validate/emulate/guest-bench-init.sh" "$results" null_blk.nr_devices=1 null_blk.gb=1 \
  "mpsim_bin=${MPSIM_BIN:-$root/build/mpsim}" "mpsim_exp=$root/validate/emulate/ana-flip.textproto" \
  "mpsim_results=$results" "mpsim_fio_s=${MPSIM_EMULATE_FIO_S:-5}" "mpsim_rounds=${MPSIM_BENCH_ROUNDS:-3}" \
  "mpsim_strace=${MPSIM_BENCH_STRACE:-0}" "mpsim_emu_idle=${MPSIM_BENCH_IDLE:-0}" || exit 1
{ date -u +%FT%TZ; uptime; } >"$results/host-load-after.txt"
python3 "$root/validate/emulate/bench-report.py" "$results"
