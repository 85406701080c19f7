#!/usr/bin/env bash
# Array-task worker for the failure case of sweep_test.sh: `mpsim sweep-run` itself, except that
# task STANDIN_FAIL_TASK fails at once (exit 3) without writing a result, as a crashed or killed
# task would.
set -euo pipefail
[ "${1:-}" = sweep-run ] && [ "${3:-}" = --index ] || { echo "usage: failing_sweep_run.sh sweep-run DIR --index I ..." >&2; exit 2; }
if [ "${STANDIN_FAIL_TASK:-}" = "$4" ]; then
  echo "failing_sweep_run.sh: task $4 fails on purpose" >&2
  exit 3
fi
exec "$MPSIM_BIN" "$@"
