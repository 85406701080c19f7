#!/usr/bin/env python3
"""The emulator-vs-nvmet benchmark's figures from a guest-bench.sh results directory.

One row per fio run (the engines alternate within one boot), then per engine the median IOPS
and the ratio of the medians, and the ratio within each round (the two runs next to each other).
CPU per I/O: the guest's one CPU busy share over the run divided by its IOPS (everything the guest
spent per I/O: fio, the host's nvme-tcp, the target), and for the emulator its own process's
user+system time per I/O.

usage: validate/emulate/bench-report.py RESULTS_DIR
"""
import glob, json, os, re, statistics, sys

r = sys.argv[1]


def run(name):
    j = json.load(open(f"{r}/{name}.json"))["jobs"][0]["read"]
    c = open(f"{r}/{name}-cpu.txt").read().split()
    busy, idle = int(c[1]), int(c[3])
    share = busy / max(1, busy + idle)
    out = {"iops": j["iops"], "p50": j["clat_ns"]["percentile"]["50.000000"] / 1e3, "ios": j["total_ios"],
           "share": share, "guest_us": share / max(1e-9, j["iops"]) * 1e6, "proc_us": None}
    if os.path.exists(f"{r}/{name}-proc.txt"):
        ticks, hz = map(int, open(f"{r}/{name}-proc.txt").read().split())
        out["proc_us"] = ticks / hz / max(1, j["total_ios"]) * 1e6
    return out


for f in ("host-load-before.txt", "host-load-after.txt"):
    if os.path.exists(f"{r}/{f}"):
        print(f"host {f[10:-4]}: " + " ".join(open(f"{r}/{f}").read().split()))
rounds = sorted({int(m.group(1)) for p in glob.glob(f"{r}/*-r*.json") if (m := re.search(r"-r(\d+)\.json$", p))})
print("4k randread QD16, one path each, one guest boot, engines alternating")
print(f"{'round':>5} {'engine':9} {'IOPS':>8} {'p50_us':>8} {'guest CPU':>9} {'guest us/IO':>11} {'emulator us/IO':>14}")
per = {"emulator": [], "nvmet": []}
ratios = []
for k in rounds:
    got = {}
    for engine in ("emulator", "nvmet"):
        if not os.path.exists(f"{r}/{engine}-r{k}.json"):
            continue
        x = got[engine] = run(f"{engine}-r{k}")
        per[engine].append(x)
        proc = f"{x['proc_us']:14.0f}" if x["proc_us"] is not None else f"{'-':>14}"
        print(f"{k:5d} {engine:9} {x['iops']:8.0f} {x['p50']:8.0f} {x['share']:9.0%} {x['guest_us']:11.0f} {proc}")
    if len(got) == 2:
        ratios.append(got["emulator"]["iops"] / max(1e-9, got["nvmet"]["iops"]))
if per["emulator"] and per["nvmet"]:
    med = {e: statistics.median(x["iops"] for x in v) for e, v in per.items()}
    cpu = {e: statistics.median(x["guest_us"] for x in v) for e, v in per.items()}
    proc = statistics.median(x["proc_us"] for x in per["emulator"])
    print(f"median IOPS: emulator {med['emulator']:.0f}, nvmet {med['nvmet']:.0f}; "
          f"emulator / nvmet {med['emulator'] / med['nvmet']:.2f} (target >= 0.50); "
          f"per round: {', '.join(f'{x:.2f}' for x in ratios)}")
    print(f"median CPU per I/O: guest {cpu['emulator']:.0f} us (emulator) vs {cpu['nvmet']:.0f} us (nvmet); "
          f"the emulator process itself {proc:.0f} us")
if os.path.exists(f"{r}/emulator-strace.txt"):
    ios = json.load(open(f"{r}/emulator-strace.json"))["jobs"][0]["read"]["total_ios"]
    rows = [l.split() for l in open(f"{r}/emulator-strace.txt") if l.strip() and l.split()[0][0].isdigit()]
    calls = {row[-1]: int(row[3]) for row in rows if len(row) >= 5 and row[-1] != "total"}
    total = sum(calls.values())
    print(f"emulator system calls under strace: {total / max(1, ios):.2f} per I/O over {ios} I/Os: " +
          ", ".join(f"{k} {v / max(1, ios):.2f}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1])[:6]))
# The emulator's own count of its loop's system calls over its whole life (connects, all runs).
for line in open(f"{r}/emulator.log"):
    m = re.search(r"loop-calls emulator: (\d+) I/Os: (\d+) system calls \((\d+) io_uring enters, (\d+) clock reads, "
                  r"(\d+) others\); (\d+) recv and (\d+) send", line)
    if m:
        n, calls, enters, clock, other, recv, send = map(int, m.groups())
        print(f"emulator loop: {calls / max(1, n):.2f} system calls per I/O over {n} I/Os ({enters / max(1, n):.2f} "
              f"io_uring enters, {clock / max(1, n):.2f} clock reads, {other / max(1, n):.3f} others); "
              f"{n / max(1, recv):.1f} I/Os per recv completion")
