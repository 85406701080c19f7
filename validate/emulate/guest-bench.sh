#!/usr/bin/env bash
# The emulator's speed against nvmet in the same validation guest (issue 16, "Speed"): 4k randread
# QD16 through one path, the emulator first, then nvmet with a null_blk namespace, one boot.
# usage: validate/emulate/guest-bench.sh [RESULTS_DIR]   (MPSIM_EMULATE_FIO_S, default 5)
# MPSIM_BENCH_STRACE=1 adds a further 2 s emulator run under `strace -c` (system calls per I/O).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
results=$(realpath -m "${1:-/tmp/mpsim-emulate-bench}")
mkdir -p "$results"
rm -f "$results"/*.json "$results"/*.txt
kernel=$("$root/validate/guest/build-kernel.sh") || exit 1
MPSIM_GUEST_TIMEOUT=${MPSIM_GUEST_TIMEOUT:-180} bash "$root/validate/guest/boot.sh" "$kernel" \
  "$root/validate/emulate/guest-bench-init.sh" "$results" null_blk.nr_devices=1 null_blk.gb=1 \
  "mpsim_bin=${MPSIM_BIN:-$root/build/mpsim}" "mpsim_exp=$root/validate/emulate/ana-flip.textproto" \
  "mpsim_results=$results" "mpsim_fio_s=${MPSIM_EMULATE_FIO_S:-5}" "mpsim_strace=${MPSIM_BENCH_STRACE:-0}" || exit 1
python3 - "$results" <<'PY'
import json, os, sys
r = sys.argv[1]
def guest_cpu(name, ios):  # the guest's one CPU: busy share of the run, busy time per I/O
    f = open(f"{r}/guest-cpu-{name}.txt").read().split()
    busy, idle = int(f[1]), int(f[3])
    return busy / max(1, busy + idle), busy / os.sysconf("SC_CLK_TCK") / ios * 1e6
def job(name):
    j = json.load(open(f"{r}/{name}.json"))["jobs"][0]["read"]
    return j["iops"], j["clat_ns"]["percentile"]["50.000000"] / 1e3, j["total_ios"]
e, n = job("emulator"), job("nvmet")
ticks, hz = map(int, open(f"{r}/emulator-cpu.txt").read().split())
print(f"4k randread QD16, one path, same guest boot")
ge, gn = guest_cpu("emulator", e[2]), guest_cpu("nvmet", n[2])
print(f"  emulator: {e[0]:8.0f} IOPS  p50 {e[1]:7.0f} us  guest CPU {ge[0]:4.0%} busy, {ge[1]:5.0f} us per I/O"
      f"  (the emulator process: {ticks / hz / e[2] * 1e6:.0f} us per I/O)")
print(f"  nvmet:    {n[0]:8.0f} IOPS  p50 {n[1]:7.0f} us  guest CPU {gn[0]:4.0%} busy, {gn[1]:5.0f} us per I/O")
print(f"  emulator / nvmet: {e[0] / n[0]:.2f} (target: >= 0.50)")
if os.path.exists(f"{r}/emulator-strace.txt"):
    ios = json.load(open(f"{r}/emulator-strace-fio.json"))["jobs"][0]["read"]["total_ios"]
    rows = [l.split() for l in open(f"{r}/emulator-strace.txt") if l.strip() and l.split()[0][0].isdigit()]
    calls = {row[-1]: int(row[3]) for row in rows if len(row) >= 5 and row[-1] != "total"}
    total = sum(calls.values())
    print(f"  emulator system calls under strace: {total / max(1, ios):.2f} per I/O over {ios} I/Os: " +
          ", ".join(f"{k} {v / max(1, ios):.2f}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1])[:6]))
PY
