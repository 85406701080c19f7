#!/bin/bash
# PID 1 of the validation guest for the emulator's speed benchmark (run by guest-bench.sh): the
# emulator and the kernel's nvmet (TCP, null_blk namespace) are both set up and connected on the
# same loopback, one path each, and fio 4k randread QD16 runs mpsim_fio_s seconds against each in
# turn, mpsim_rounds rounds, the order alternating (E N, N E, E N, ...) so a drift of the host's
# load over the boot falls on both alike. Per run RUN (emulator-rK / nvmet-rK): RUN.json (fio),
# RUN-cpu.txt (the one guest CPU's busy and idle ticks over the run) and, for the emulator's runs,
# RUN-proc.txt (the emulator process's user+system ticks and CLK_TCK). With mpsim_strace=1 a
# further 2 s emulator run under `strace -c -f` gives emulator-strace.txt (not timed: strace slows it).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
R=$mpsim_results
NQN=nqn.2026-11.io.mpsim:loopback
EMU=
finish() {
  echo "$1" >"$R/guest-exit"
  sync
  echo o >/proc/sysrq-trigger
  sleep 10
}
fail() { printf '%s\n' "$*" >"$R/guest-error.txt"; finish 1; }
ticks() { local f; read -r -a f <"/proc/$1/stat"; echo $((f[13] + f[14])); }
# The guest CPU's busy and idle ticks (/proc/stat: user nice system idle iowait irq softirq steal).
cpu_ticks() { local c; read -r -a c </proc/stat; echo "$((c[1] + c[2] + c[3] + c[6] + c[7] + c[8])) $((c[4] + c[5]))"; }
cpu_delta() { local a b; read -r -a a <<<"$1"; read -r -a b <<<"$2"; echo "busy $((b[0] - a[0])) idle $((b[1] - a[1]))"; }
run_fio() {  # run_fio NAME DEVICE SECONDS
  fio --name="$1" --filename="$2" --direct=1 --ioengine=libaio --rw=randread --bs=4k --iodepth=16 \
    --time_based --runtime="$3" --output-format=json --output="$R/$1.json" >/dev/null 2>&1
}
# The multipath head of subsystem NQN (native multipath: nvme<subsystem instance>n1).
head_of() {
  local s
  for s in /sys/class/nvme-subsystem/nvme-subsys*; do
    [ "$(cat "$s/subsysnqn" 2>/dev/null)" = "$1" ] && { echo "/dev/nvme${s##*nvme-subsys}n1"; return; }
  done
}
wait_head() {  # wait_head NQN -> device path
  local d
  for _ in $(seq 1 100); do
    d=$(head_of "$1")
    [ -n "$d" ] && [ -b "$d" ] && { echo "$d"; return 0; }
    sleep 0.1
  done
  return 1
}
timed_run() {  # timed_run ENGINE ROUND DEVICE
  local name=$1-r$2 c0 t0
  c0=$(cpu_ticks)
  [ "$1" = emulator ] && t0=$(ticks $EMU)
  run_fio "$name" "$3" "$mpsim_fio_s"
  cpu_delta "$c0" "$(cpu_ticks)" >"$R/$name-cpu.txt"
  [ "$1" = emulator ] && echo "$(($(ticks $EMU) - t0)) $(getconf CLK_TCK)" >"$R/$name-proc.txt"
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
[ -c /dev/null ] || mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t configfs configfs /sys/kernel/config
ip link set lo up

# The emulator (no fault: its schedule waits for a SIGUSR1 that never comes).
# mpsim_emu_idle=1: the emulator runs as SCHED_IDLE (measured before: no better, once starved).
sched=()
[ "${mpsim_emu_idle:-0}" = 1 ] && sched=(chrt --idle 0)
"${sched[@]}" "$mpsim_bin" emulate "$mpsim_exp" --faults-after-signal --memory 64MiB >"$R/emulator.log" 2>&1 &
EMU=$!
for _ in $(seq 1 300); do
  grep -q 'listening on 127.0.0.1:4421' "$R/emulator.log" && break
  kill -0 $EMU 2>/dev/null || fail "the emulator exited: $(tail -2 "$R/emulator.log")"
  sleep 0.1
done
nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN >/dev/null 2>&1 || fail "connect to the emulator"
emu_dev=$(wait_head $NQN) || fail "no block device for the emulator"

# nvmet on the same loopback, a null_blk namespace, one port.
S=/sys/kernel/config/nvmet/subsystems/nqn.bench P=/sys/kernel/config/nvmet/ports/1
mkdir "$S" && echo 1 >"$S/attr_allow_any_host" || fail "nvmet subsystem"
mkdir "$S/namespaces/1" && echo /dev/nullb0 >"$S/namespaces/1/device_path" && echo 1 >"$S/namespaces/1/enable" || fail "nvmet namespace"
mkdir "$P" && echo tcp >"$P/addr_trtype" && echo ipv4 >"$P/addr_adrfam" && echo 127.0.0.1 >"$P/addr_traddr" &&
  echo 4430 >"$P/addr_trsvcid" && ln -s "$S" "$P/subsystems/nqn.bench" || fail "nvmet port"
nvme connect -t tcp -a 127.0.0.1 -s 4430 -n nqn.bench >/dev/null 2>&1 || fail "connect to nvmet"
nvmet_dev=$(wait_head nqn.bench) || fail "no block device for nvmet"
echo "emulator $emu_dev nvmet $nvmet_dev" >"$R/devices.txt"

for r in $(seq 1 "${mpsim_rounds:-3}"); do
  if [ $((r % 2)) = 1 ]; then
    timed_run emulator "$r" "$emu_dev"
    timed_run nvmet "$r" "$nvmet_dev"
  else
    timed_run nvmet "$r" "$nvmet_dev"
    timed_run emulator "$r" "$emu_dev"
  fi
done

if [ "${mpsim_strace:-0}" = 1 ]; then
  strace -c -f -p $EMU -o "$R/emulator-strace.txt" &
  ST=$!
  sleep 1
  run_fio emulator-strace "$emu_dev" 2
  kill -INT $ST
  wait $ST
fi
nvme disconnect -n nqn.bench >/dev/null 2>&1
nvme disconnect -n $NQN >/dev/null 2>&1
kill -INT $EMU
wait $EMU
finish 0
