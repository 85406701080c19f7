#!/usr/bin/env bash
# Stand-in for `mpsim sweep-run DIR --index I --count K` until the sweep executor (issue 12,
# item 3) is merged: runs points I*K .. I*K+K-1 of DIR with `$MPSIM_BIN run`, writing each
# point's report to DIR/points/NNNN.result.json atomically (temporary file, then rename), as the
# contract says. STANDIN_FAIL_TASK=I makes task I fail without writing anything.
set -euo pipefail
[ "${1:-}" = sweep-run ] && [ "${3:-}" = --index ] && [ "${5:-}" = --count ] || {
  echo "usage: standin_sweep_run.sh sweep-run DIR --index I --count K" >&2
  exit 2
}
dir=$2 index=$4 count=$6
if [ "${STANDIN_FAIL_TASK:-}" = "$index" ]; then
  echo "stand-in: task $index fails on purpose" >&2
  exit 3
fi
for ((p = index * count; p < (index + 1) * count; p++)); do
  point=$(printf '%s/points/%04d' "$dir" "$p")
  [ -f "$point.textproto" ] || continue
  "$MPSIM_BIN" -q run "$point.textproto" >"$point.result.json.tmp"
  mv "$point.result.json.tmp" "$point.result.json"
done
