#!/usr/bin/env bash
# Runs Debian's fio tools on what mpsim writes and checks what they make of it:
#   1. fio.json has the keys a real fio 3.33 json+ run writes (a real `fio --ioengine=null` run is
#      the reference), and fio_jsonplus_clat2csv turns its bins into CSV rows that match them;
#   2. fio2gnuplot reads the iops/clat/bw logs, and the statistics it computes agree with fio.json
#      (Debian's fiologparser.py is not used: it reads fio's older 4-column logs and fails on the
#      5-column logs fio 3.33 itself writes);
#   3. a job that failed I/O stops with "error": 5 (EIO), as fio reports it.
# Usage: fio_tools_test.sh MPSIM WORKDIR. Exit 77 (skipped) only where fio cannot be installed.
set -euo pipefail
mpsim=$1
work=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)

if ! command -v fio_jsonplus_clat2csv >/dev/null || ! command -v fio2gnuplot >/dev/null || ! python3 -c 'import six' 2>/dev/null; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "SKIPPED: Debian's fio and python3-six are missing and cannot be installed here (not root or no apt-get)"
    exit 77
  fi
  echo "installing Debian's fio and python3-six"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fio python3-six >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fio python3-six >/dev/null 2>&1 || {
      echo "SKIPPED: apt-get could not install fio python3-six"
      exit 77
    }
  fi
fi

rm -rf "$work"
mkdir -p "$work"
cd "$work"

echo "== mpsim run --fio db.fio on the quickstart fabric"
"$mpsim" run --fio "$here/db.fio" --fabric "$src/topologies/quickstart.textproto" \
  --map /dev/nvme0n1=h0:nqn.2026-11.io.mpsim:quickstart:1 --out out >run.txt 2>run.err
cat run.err
ls out/numa

echo "== reference: a real fio 3.33 json+ run (ioengine=null)"
fio --output=ref.json --output-format=json+ --ioengine=null --time_based --runtime=1s --size=16m \
  --name=ref --rw=randrw --iodepth=4 >/dev/null

echo "== fio.json has real fio's keys and consistent bins"
python3 - out/numa/fio.json ref.json <<'PY'
import json, sys
sim, ref = (json.load(open(p)) for p in sys.argv[1:3])
rj, sj = ref["jobs"][0], sim["jobs"]
def keys(o): return set(k for k in o if k not in ("job options", "desc"))
missing = keys(rj) - keys(sj[0])
assert not missing, f"job keys real fio writes that fio.json lacks: {sorted(missing)}"
for d in ("read", "write", "trim"):
    m = keys(rj[d]) - keys(sj[0][d])
    assert not m, f"{d}: keys real fio writes that fio.json lacks: {sorted(m)}"
    for lat in ("slat_ns", "clat_ns", "lat_ns"):
        m = set(rj[d][lat]) - set(sj[1][d][lat]) - ({"percentile", "bins"} if sj[1][d][lat]["N"] == 0 else set())
        assert not m, f"{d}.{lat}: keys missing {sorted(m)}"
for k in ("iodepth_level", "iodepth_submit", "iodepth_complete", "latency_ns", "latency_us", "latency_ms"):
    assert list(rj[k]) == list(sj[0][k]), f"{k}: buckets {list(sj[0][k])} != fio's {list(rj[k])}"
for job in sj:
    assert job["error"] == 0, job["jobname"]
    for d in ("read", "write"):
        c = job[d]["clat_ns"]
        if c["N"] == 0:
            continue
        assert sum(c["bins"].values()) == c["N"] == job[d]["total_ios"], (job["jobname"], d)
        values = sorted(int(v) for v in c["bins"])
        assert values[0] <= c["min"] * 1.01 + 1 and values[-1] >= c["max"] * 0.99 - 1, (values[0], values[-1], c["min"], c["max"])
        assert job[d]["iops_samples"] == job[d]["runtime"] // 100, job[d]["iops_samples"]  # sampled every log_avg_msec (100 ms)
        assert abs(job[d]["iops_mean"] - job[d]["iops"]) < 0.02 * job[d]["iops"], (job[d]["iops_mean"], job[d]["iops"])
    share = sum(job["latency_us"].values()) + sum(job["latency_ns"].values()) + sum(job["latency_ms"].values())
    assert 99.9 < share < 100.5, share
print("fio.json: every key of fio 3.33's json+ job object; bins sum to N; iops/bw samples agree with iops")
PY

echo "== fio_jsonplus_clat2csv"
fio_jsonplus_clat2csv out/numa/fio.json clat.csv
fio_jsonplus_clat2csv out/numa/fio.json clat.csv --validate
python3 - out/numa/fio.json clat_job0.csv clat_job1.csv <<'PY'
import csv, json, sys
doc = json.load(open(sys.argv[1]))
for n, path in enumerate(sys.argv[2:]):
    rows = list(csv.reader(open(path), skipinitialspace=True))
    header, body = rows[0], rows[1:]
    job = doc["jobs"][n]
    for d in ("read", "write"):
        bins = job[d]["clat_ns"].get("bins", {})
        col = header.index(f"{d}_clat_ns_count")
        got = {r[0]: int(r[col]) for r in body if r[col] != ""}
        assert got == {k: v for k, v in bins.items()}, f"{path} {d}: CSV rows differ from the bins"
        if bins:
            last = [r for r in body if r[col] != ""][-1]
            assert int(last[col + 1]) == job[d]["clat_ns"]["N"] and float(last[col + 2]) == 1.0
    print(f"{path}: {len(body)} rows, e.g. {body[len(body) // 2][:7]}")
PY

echo "== fio2gnuplot on the iops, clat and bw logs"
ls out/numa/*.log
for kind in iops clat bw; do
  mkdir -p "gnuplot-$kind"
  (cd out/numa && fio2gnuplot -p "reads_$kind.*.log" -d "$work/gnuplot-$kind" -t mpsim) >"fio2gnuplot-$kind.txt" 2>&1 || {
    cat "fio2gnuplot-$kind.txt"
    exit 1
  }
  grep -q "reads_$kind.1.log" "fio2gnuplot-$kind.txt"
done
cat gnuplot-iops/*.global
python3 - out/numa/fio.json gnuplot-iops gnuplot-clat gnuplot-bw <<'PY'
import glob, json, sys
job = json.load(open(sys.argv[1]))["jobs"][0]["read"]
def stats(d):
    (path,) = glob.glob(d + "/*.global")
    return {k: float(v) for k, v in (l.strip().split("=") for l in open(path) if "=" in l)}
iops, clat, bw = (stats(d) for d in sys.argv[2:5])
windows = job["runtime"] // 100  # log_avg_msec=100
assert iops["values_count"] == clat["values_count"] == bw["values_count"] == windows, (iops, windows)
assert abs(iops["avg"] - job["iops"]) < 0.01 * job["iops"], (iops["avg"], job["iops"])
assert abs(iops["avg"] - job["iops_mean"]) < 1, (iops["avg"], job["iops_mean"])
assert abs(bw["avg"] - job["bw_mean"]) < 1, (bw["avg"], job["bw_mean"])
assert abs(clat["avg"] - job["clat_ns"]["mean"]) < 0.01 * job["clat_ns"]["mean"], (clat["avg"], job["clat_ns"]["mean"])
print(f"fio2gnuplot: {windows} values per log; IOPS avg {iops['avg']:.0f} (fio.json iops {job['iops']:.0f}), "
      f"clat avg {clat['avg']:.0f} ns (fio.json {job['clat_ns']['mean']:.0f}), bw avg {bw['avg']:.0f} KiB/s")
PY

echo "== a job stopped by failed I/O reports error 5 (EIO)"
"$mpsim" run "$src/experiments/all-paths-down.textproto" --set 'topology.connections[*].options.ctrl_loss_tmo_s=1' \
  --out failed >failed.txt 2>failed.err || true
python3 - failed <<'PY'
import glob, json, sys
docs = [json.load(open(p)) for p in sorted(glob.glob(sys.argv[1] + "/*/fio.json"))]
assert docs, "no fio.json written"
errors = [j["error"] for d in docs for j in d["jobs"]]
assert errors and all(e == 5 for e in errors), errors
print(f"{len(errors)} jobs stopped with error 5 (EIO)")
PY
echo "PASS"
