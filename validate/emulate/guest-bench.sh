#!/usr/bin/env bash
# The emulator's speed against nvmet in the same validation guest (issue 16, "Speed"): 4k randread
# QD16 through one path, the emulator first, then nvmet with a null_blk namespace, one boot.
# usage: validate/emulate/guest-bench.sh [RESULTS_DIR]   (MPSIM_EMULATE_FIO_S, default 5)
# MPSIM_BENCH_STRACE=1 adds a further 2 s emulator run under `strace -c` (system calls per I/O);
# MPSIM_BENCH_IDLE=1 runs the emulator as SCHED_IDLE in the guest (`chrt --idle 0`).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
results=$(realpath -m "${1:-/tmp/mpsim-emulate-bench}")
mkdir -p "$results"
rm -f "$results"/*.json "$results"/*.txt
kernel=$("$root/validate/guest/build-kernel.sh") || exit 1
MPSIM_GUEST_TIMEOUT=${MPSIM_GUEST_TIMEOUT:-180} bash "$root/validate/guest/boot.sh" "$kernel" \
  "$root/validate/emulate/guest-bench-init.sh" "$results" null_blk.nr_devices=1 null_blk.gb=1 \
  "mpsim_bin=${MPSIM_BIN:-$root/build/mpsim}" "mpsim_exp=$root/validate/emulate/ana-flip.textproto" \
  "mpsim_results=$results" "mpsim_fio_s=${MPSIM_EMULATE_FIO_S:-5}" "mpsim_strace=${MPSIM_BENCH_STRACE:-0}" \
  "mpsim_emu_idle=${MPSIM_BENCH_IDLE:-0}" || exit 1
python3 "$root/validate/emulate/bench-report.py" "$results"
