#!/bin/bash
# PID 1 of the validation guest for the live emulator's proof (run by guest-proof.sh through
# validate/guest/boot.sh). The emulator binary and the experiment come from the host through
# hostfs; the guest's own nvme-tcp host connects to the emulator on loopback. Environment (from
# the kernel command line): mpsim_bin, mpsim_exp, mpsim_results, mpsim_fio_s.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
R=$mpsim_results
NQN=nqn.2026-11.io.mpsim:loopback
EMU=

log() { printf '[guest %s] %s\n' "$EPOCHREALTIME" "$*" | tee -a "$R/guest.log"; }
finish() {
  [ -n "$EMU" ] && kill -INT "$EMU" 2>/dev/null && wait "$EMU"
  dmesg >"$R/dmesg.txt" 2>&1
  echo "$1" >"$R/guest-exit"
  sync
  echo o >/proc/sysrq-trigger
  sleep 10
}
fail() { log "FAILED: $*"; printf '%s\n' "$*" >"$R/guest-error.txt"; finish 1; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
[ -c /dev/null ] || mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
: >"$R/guest.log"
ip link set lo up || fail "lo up"
log "multipath=$(cat /sys/module/nvme_core/parameters/multipath)"

"$mpsim_bin" emulate "$mpsim_exp" --faults-after-signal --memory 96MiB --events "$R/events.csv" >"$R/emulator.log" 2>&1 &
EMU=$!
for _ in $(seq 1 300); do
  grep -q 'listening on 127.0.0.1:4421' "$R/emulator.log" && break
  sleep 0.1
done
grep -q 'listening on 127.0.0.1:4421' "$R/emulator.log" || fail "the emulator did not start: $(tail -3 "$R/emulator.log")"
log "emulator listening"

for svc in 4420 4421; do
  nvme connect -t tcp -a 127.0.0.1 -s $svc -n $NQN --reconnect-delay=1 --ctrl-loss-tmo=600 >>"$R/connect.txt" 2>&1 || fail "nvme connect $svc: $(cat "$R/connect.txt")"
done
for _ in $(seq 1 100); do [ -b /dev/nvme0n1 ] && break; sleep 0.1; done
[ -b /dev/nvme0n1 ] || fail "no multipath head /dev/nvme0n1"
log "connected"
nvme list-subsys >"$R/list-subsys.txt" 2>&1
nvme list-subsys /dev/nvme0n1 >"$R/list-subsys-ns.txt" 2>&1
for c in /sys/class/nvme/nvme*; do
  n=${c##*/}
  nvme ana-log "/dev/$n" >"$R/ana-log-$n.txt" 2>&1
  nvme id-ctrl "/dev/$n" >"$R/id-ctrl-$n.txt" 2>&1
  nvme id-ns "/dev/$n" -n 1 >"$R/id-ns-$n.txt" 2>&1   # the namespace through this path's controller
  echo "$n $(cat "$c/address") cntlid=$(cat "$c/cntlid") state=$(cat "$c/state")" >>"$R/controllers.txt"
done
nvme id-ns /dev/nvme0n1 >"$R/id-ns.txt" 2>&1
ls -d /sys/block/nvme0c*n1 >"$R/multipath-paths.txt" 2>&1
for p in /sys/block/nvme0c*n1; do
  echo "${p##*/} ana_state=$(cat "$p/ana_state")" >>"$R/paths-before.txt"
done
# The fault schedule's clock starts at the workload's first I/O (fio takes seconds to start in
# UML), as validate's own schedule does: a watcher sends the emulator SIGUSR1 then.
read -r base _ </sys/block/nvme0n1/stat
(
  while read -r ios _ </sys/block/nvme0n1/stat && [ "$ios" = "$base" ]; do sleep 0.05; done
  kill -USR1 "$EMU"
  # What the host shows while p1 is inaccessible (the flip is 3.5 s to 6 s after that).
  end=$((SECONDS + 12))
  while read -r st </sys/block/nvme0c0n1/ana_state && [ "$st" != inaccessible ] && ((SECONDS < end)); do sleep 0.05; done
  nvme list-subsys /dev/nvme0n1 >"$R/list-subsys-flip.txt" 2>&1
) &
log "fio: randrw 4k QD16 with crc32c verify for ${mpsim_fio_s}s"
# With mpsim_write_all=N a second job writes N 4 KiB blocks after the first 64 MiB at 64 per second
# (through every fault of a 30 s schedule) and then reads every one back and verifies it: no write lost.
write_all=()
if [ "${mpsim_write_all:-0}" -gt 0 ]; then
  write_all=(--name=writeall --filename=/dev/nvme0n1 --direct=1 --ioengine=libaio --rw=write --bs=4k --iodepth=4
    --offset=64M --size=$((mpsim_write_all * 4))k --rate_iops=64 --verify=crc32c --do_verify=1 --verify_fatal=1)
fi
fio --name=verify --filename=/dev/nvme0n1 --direct=1 --ioengine=libaio --rw=randrw --bs=4k --iodepth=16 \
  --size=48M --verify=crc32c --verify_backlog=64 --verify_fatal=1 --time_based --runtime="$mpsim_fio_s" \
  "${write_all[@]}" --output-format=json --output="$R/fio.json" >"$R/fio.out" 2>&1
echo $? >"$R/fio-rc"
for p in /sys/block/nvme0c*n1; do
  echo "${p##*/} ana_state=$(cat "$p/ana_state") stat=$(cat "$p/stat")" >>"$R/paths-after.txt"
done
nvme list-subsys /dev/nvme0n1 >"$R/list-subsys-after.txt" 2>&1
nvme disconnect -n $NQN >"$R/disconnect.txt" 2>&1
log "done"
finish 0
