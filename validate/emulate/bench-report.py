#!/usr/bin/env python3
"""The emulator-vs-nvmet benchmark's figures from a guest-bench.sh results directory.

usage: validate/emulate/bench-report.py RESULTS_DIR   (MPSIM_BENCH_IDLE=1: say the emulator ran as SCHED_IDLE)
"""
import json, os, sys
r = sys.argv[1]
def guest_cpu(name, iops):  # the guest's one CPU: busy share over fio's run, busy time per I/O at that share
    f = open(f"{r}/guest-cpu-{name}.txt").read().split()
    share = int(f[1]) / max(1, int(f[1]) + int(f[3]))
    return share, share / iops * 1e6
def job(name):
    j = json.load(open(f"{r}/{name}.json"))["jobs"][0]["read"]
    return j["iops"], j["clat_ns"]["percentile"]["50.000000"] / 1e3, j["total_ios"]
e, n = job("emulator"), job("nvmet")
ticks, hz = map(int, open(f"{r}/emulator-cpu.txt").read().split())
print(f"4k randread QD16, one path, same guest boot; emulator scheduling: "
      f"{'SCHED_IDLE' if os.environ.get('MPSIM_BENCH_IDLE') == '1' else 'normal'}")
ge, gn = guest_cpu("emulator", e[0]), guest_cpu("nvmet", n[0])
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
# The emulator's own count of its loop's system calls over its whole life (connects, the run, the strace run).
import re
for line in open(f"{r}/emulator.log"):
    m = re.search(r"loop-calls emulator: (\d+) I/Os: (\d+) epoll waits, (\d+) recv, (\d+) send, (\d+) clock reads", line)
    if m:
        n, wait, recv, send, clock = map(int, m.groups())
        print(f"  emulator loop: {(wait + recv + send + clock) / max(1, n):.2f} system calls per I/O over {n} I/Os "
              f"({wait / max(1, n):.2f} epoll waits, {recv / max(1, n):.2f} recv, {send / max(1, n):.2f} send, "
              f"{clock / max(1, n):.2f} clock reads; {n / max(1, wait):.1f} I/Os per wake-up)")
