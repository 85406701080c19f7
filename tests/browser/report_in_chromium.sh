#!/usr/bin/env bash
# report_in_chromium.sh MPSIM REPORT_CHECK EXPERIMENT VALIDATE_FIXTURE OUT_DIR
# Writes report.html for each view and loads it in headless Chromium (installing Debian's chromium
# first if it is missing), checks the charts against the result files (report_check) and saves a
# screenshot: the run view (EXPERIMENT with --report, OUT_DIR/report.png), the sweep view (a
# 2x2 sweep of a short EXPERIMENT with an SLO that fails, sweep.png), the sizing view (sizing.png)
# and the validate view (a copy of VALIDATE_FIXTURE, validate.png). Then bad input: a missing or
# stale results directory exits 2 and writes no page. Exit 77 (ctest: skipped) only when chromium
# cannot be installed, with the reason on stdout.
set -euo pipefail
mpsim=$1 check=$2 experiment=$3 fixture=$4 out=$5

if ! command -v chromium >/dev/null; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo -n true 2>/dev/null || { echo "SKIPPED: chromium is not installed and apt-get needs root (apt-get install chromium)"; exit 77; }
    sudo=(sudo -n)
  fi
  echo "installing chromium (apt-get)"
  if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
           --no-install-recommends chromium; } >"${TMPDIR:-/tmp}/mpsim-chromium-install.log" 2>&1; then
    echo "SKIPPED: chromium cannot be installed; apt-get said:"
    tail -n 5 "${TMPDIR:-/tmp}/mpsim-chromium-install.log"
    exit 77
  fi
fi

rm -rf "$out"
mkdir -p "$out"
"$mpsim" -q run "$experiment" --report --out "$out/results" >"$out/run.txt"
[ -s "$out/results/report.html" ] || { echo "FAIL: mpsim run --report wrote no report.html"; exit 1; }

# root (CI) needs --no-sandbox; the profile stays in OUT_DIR so runs do not share state.
browser=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$out/profile"
         --enable-logging=stderr --v=0 --virtual-time-budget=10000)
check_page() {  # check_page NAME RESULTS_DIR HEIGHT
  local name=$1 dir=$2 height=$3
  local url="file://$(cd "$dir" && pwd)/report.html"
  timeout 180 "${browser[@]}" --dump-dom "$url" >"$out/$name.dom.html" 2>"$out/$name.console.log"
  timeout 180 "${browser[@]}" --window-size=1500,"$height" --screenshot="$out/$name.png" "$url" >/dev/null 2>&1
  [ -s "$out/$name.png" ] || { echo "FAIL: chromium saved no screenshot of the $name view"; exit 1; }
  "$check" "$dir" "$out/$name.dom.html" "$out/$name.console.log"
  echo "screenshot: $out/$name.png"
}
check_page report "$out/results" 1950

# A short quickstart (0.3 s, the fault at 0.1 s) for the sweep and sizing views.
short=(--set 'jobs[randread].runtime=300ms' --set 'faults[0].at=100ms')
status=0
"$mpsim" -q sweep "$experiment" "${short[@]}" --axis 'jobs[randread].iodepth=4,16' --axis 'connection_defaults.kato_s=1,5' \
  --slo 'p99<=110us' -j 2 --report --out "$out/sweep" >"$out/sweep.txt" || status=$?
[ "$status" -eq 1 ] || { echo "FAIL: mpsim sweep --report exited $status, expected 1 (its SLO fails)"; exit 1; }
check_page sweep "$out/sweep" 2400
"$mpsim" -q size "$experiment" "${short[@]}" --axis 'jobs[randread].iodepth' --integer --min 4 --max 64 \
  --slo 'p99<=130us' --out "$out/sizing" >"$out/sizing.txt"
"$mpsim" -q report "$out/sizing"
check_page sizing "$out/sizing" 1400
cp -r "$fixture" "$out/validate"
"$mpsim" -q report "$out/validate"
check_page validate "$out/validate" 1600

# Bad input: exit 2, a message naming the directory or file, and no page.
expect_bad() {  # expect_bad DIR WHAT
  local code=0
  "$mpsim" -q report "$1" 2>"$out/bad.err" || code=$?
  [ "$code" -eq 2 ] || { echo "FAIL: mpsim report of $2 exited $code, expected 2"; exit 1; }
  grep -q "$3" "$out/bad.err" || { echo "FAIL: $2: the message does not name $3:"; cat "$out/bad.err"; exit 1; }
  [ ! -e "$1/report.html" ] || { echo "FAIL: $2: report.html written"; exit 1; }
  echo "bad input ($2): exit 2: $(head -n 1 "$out/bad.err")"
}
expect_bad "$out/missing" "a missing directory" "no such directory"
mkdir -p "$out/stale" && cp -r "$out/sweep/." "$out/stale/" && rm "$out/stale/report.html"
sed -i 's/"format": 2/"format": 1/' "$out/stale/points/0001.result.json"
expect_bad "$out/stale" "a sweep with a point result of another version" "0001.result.json"
