#!/usr/bin/env bash
# The emulator's speed against nvmet in the same validation guest (issue 16, "Speed"): 4k randread
# QD16 through one path, the emulator first, then nvmet with a null_blk namespace, one boot.
# usage: validate/emulate/guest-bench.sh [RESULTS_DIR]   (MPSIM_EMULATE_FIO_S, default 5)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
results=$(realpath -m "${1:-/tmp/mpsim-emulate-bench}")
mkdir -p "$results"
rm -f "$results"/*.json "$results"/emulator-cpu.txt
kernel=$("$root/validate/guest/build-kernel.sh") || exit 1
MPSIM_GUEST_TIMEOUT=${MPSIM_GUEST_TIMEOUT:-180} bash "$root/validate/guest/boot.sh" "$kernel" \
  "$root/validate/emulate/guest-bench-init.sh" "$results" null_blk.nr_devices=1 null_blk.gb=1 \
  "mpsim_bin=${MPSIM_BIN:-$root/build/mpsim}" "mpsim_exp=$root/validate/emulate/ana-flip.textproto" \
  "mpsim_results=$results" "mpsim_fio_s=${MPSIM_EMULATE_FIO_S:-5}" || exit 1
python3 - "$results" <<'PY'
import json, sys
r = sys.argv[1]
def job(name):
    j = json.load(open(f"{r}/{name}.json"))["jobs"][0]["read"]
    return j["iops"], j["clat_ns"]["percentile"]["50.000000"] / 1e3, j["total_ios"]
e, n = job("emulator"), job("nvmet")
ticks, hz = map(int, open(f"{r}/emulator-cpu.txt").read().split())
print(f"4k randread QD16, one path, same guest boot")
print(f"  emulator: {e[0]:8.0f} IOPS  p50 {e[1]:7.0f} us  emulator CPU {ticks / hz / e[2] * 1e6:.0f} us per I/O")
print(f"  nvmet:    {n[0]:8.0f} IOPS  p50 {n[1]:7.0f} us")
print(f"  emulator / nvmet: {e[0] / n[0]:.2f} (target: >= 0.50)")
PY
