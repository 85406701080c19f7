#!/usr/bin/env bash
# report_in_chromium.sh MPSIM REPORT_CHECK EXPERIMENT OUT_DIR
# Runs EXPERIMENT with --report into OUT_DIR, loads report.html in headless Chromium (installing
# Debian's chromium first if it is missing), checks the charts against the result files
# (report_check) and saves OUT_DIR/report.png. Exit 77 (ctest: skipped) only when chromium cannot
# be installed, with the reason on stdout.
set -euo pipefail
mpsim=$1 check=$2 experiment=$3 out=$4

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
url="file://$(cd "$out/results" && pwd)/report.html"
timeout 180 "${browser[@]}" --dump-dom "$url" >"$out/dom.html" 2>"$out/console.log"
timeout 180 "${browser[@]}" --window-size=1500,1950 --screenshot="$out/report.png" "$url" >/dev/null 2>&1
[ -s "$out/report.png" ] || { echo "FAIL: chromium saved no screenshot"; exit 1; }
"$check" "$out/results" "$out/dom.html" "$out/console.log"
echo "screenshot: $out/report.png"
