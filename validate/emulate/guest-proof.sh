#!/usr/bin/env bash
# The live emulator against the real Linux NVMe/TCP host: boots the validation guest (UML) with
# guest-init.sh, which runs `mpsim emulate ana-flip.textproto` inside it, connects the guest's
# nvme-tcp to both ports, checks what nvme-cli reports and runs fio randrw with crc32c verify
# through the ANA flip. Then checks the results on the host side.
#
# usage: validate/emulate/guest-proof.sh [RESULTS_DIR]   (default /tmp/mpsim-emulate-proof)
# MPSIM_EMULATE_EXP (default ana-flip.textproto) and MPSIM_EMULATE_FIO_S (default 10) choose another
# run, e.g. fault-sequence.textproto with 34 s; every fault file starts with the same ANA flip.
# MPSIM_EMULATE_WRITE_ALL=N adds a job writing N blocks at 64/s beside it, then verifying every one.
# Runs $MPSIM_BIN (default ./build/mpsim) in the guest. Exit 0 when every check passed, 1 otherwise.
# `mpsim validate --emulate-smoke` runs this script with its own binary.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
results=$(realpath -m "${1:-/tmp/mpsim-emulate-proof}")
fio_s=${MPSIM_EMULATE_FIO_S:-10}
experiment=$(realpath "${MPSIM_EMULATE_EXP:-$root/validate/emulate/ana-flip.textproto}")
mkdir -p "$results"
rm -f "$results"/*.txt "$results"/fio.json "$results"/events.csv
kernel=$("$root/validate/guest/build-kernel.sh") || exit 1
MPSIM_GUEST_TIMEOUT=${MPSIM_GUEST_TIMEOUT:-180} bash "$root/validate/guest/boot.sh" "$kernel" \
  "$root/validate/emulate/guest-init.sh" "$results" \
  "mpsim_bin=${MPSIM_BIN:-$root/build/mpsim}" "mpsim_exp=$experiment" \
  "mpsim_results=$results" "mpsim_fio_s=$fio_s" "mpsim_write_all=${MPSIM_EMULATE_WRITE_ALL:-0}" || exit 1

failed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}" >/dev/null 2>&1; then echo "PASS $1"; else echo "FAIL $1"; failed=1; fi
}
check "two controllers, one multipath head with two paths" \
  test "$(wc -l <"$results/multipath-paths.txt")" = 2
check "both paths optimized before the flip" \
  test "$(grep -c 'ana_state=optimized' "$results/paths-before.txt")" = 2
check "nvme list-subsys shows both ports live" \
  test "$(grep -cE 'traddr=127.0.0.1,? ?trsvcid=442[01].* live' "$results/list-subsys-ns.txt")" = 2
check "id-ctrl: cmic 0xb (multi-port, multi-controller, ANA)" grep -qE '^cmic +: 0xb' "$results/id-ctrl-nvme0.txt"
check "id-ctrl: anacap 31, anatt 10" grep -qzE 'anatt +: 10.anacap +: 31' "$results/id-ctrl-nvme0.txt"
check "id-ns: nmic shared, anagrpid 1, same nguid on both paths" bash -c "
  grep -qE '^nmic +: 0x1' '$results/id-ns.txt' && grep -qE '^anagrpid: 1' '$results/id-ns.txt' &&
  test \"\$(grep -h nguid '$results'/id-ns-nvme?.txt | sort -u | wc -l)\" = 1"
check "ana-log: group 1 optimized with nsid 1 before the flip" grep -qE 'state\s+:\s+optimized' "$results/ana-log-nvme0.txt"
# numa sends everything to the first optimized path (p1); p2 carries I/O only while p1 is not.
check "both paths carried I/O (p2 during the flip)" awk '$4 + $8 > 0 {n++} END {exit n == 2 ? 0 : 1}' "$results/paths-after.txt"
check "the host saw p1 inaccessible, p2 optimized during the flip" bash -c "
  grep -qE 'trsvcid=4420.* live inaccessible' '$results/list-subsys-flip.txt' &&
  grep -qE 'trsvcid=4421.* live optimized' '$results/list-subsys-flip.txt'"
check "the emulator sent ANA change notices" grep -q ',aen,' "$results/events.csv"
check "p1 went inaccessible and came back" grep -q 'group 1 inaccessible' "$results/events.csv"
check "fio exited 0" test "$(cat "$results/fio-rc")" = 0
check "fio: no verify or I/O error" python3 -c "
import json,sys; j=json.load(open('$results/fio.json'))['jobs'][0]
sys.exit(0 if j['error']==0 and j['read']['total_ios']>0 and j['write']['total_ios']>0 else 1)"
if grep -q ',fault,.*down' "$results/events.csv"; then  # the longer fault sequence
  check "p1 reconnected after the down, the silent loss and the reset" \
    test "$(grep -c 'nvmet.p1/cntlid[0-9]*,"connected' "$results/events.csv")" -ge 4
  check "fio reported no error over the whole sequence" grep -q '"error" : 0' "$results/fio.json"
fi
if [ "${MPSIM_EMULATE_WRITE_ALL:-0}" -gt 0 ]; then  # the second job: every block written read back
  check "no write lost: all ${MPSIM_EMULATE_WRITE_ALL} blocks written through the faults read back and verified" python3 -c "
import json,sys; j=json.load(open('$results/fio.json'))['jobs'][1]; n=${MPSIM_EMULATE_WRITE_ALL}
sys.exit(0 if j['error']==0 and j['write']['total_ios']==n and j['read']['total_ios']==n else 1)"
fi
echo "results: $results"
exit $failed
