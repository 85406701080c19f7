#!/bin/bash
# PID 1 of the validation guest for the emulator's speed benchmark (run by guest-bench.sh): fio 4k
# randread QD16 for mpsim_fio_s seconds through one path to `mpsim emulate`, then the same through
# one path to the kernel's nvmet (TCP, null_blk namespace) in the same boot. Writes emulator.json
# and nvmet.json (fio), emulator-cpu.txt (the emulator's user+system ticks over its fio run),
# guest-cpu-emulator.txt and guest-cpu-nvmet.txt (the one guest CPU's busy and idle ticks over
# each run) and, with mpsim_strace=1, emulator-strace.txt: `strace -c` of the emulator over a
# further 2 s fio run (its system calls per I/O; strace slows that run, so it is not timed).
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
run_fio() {  # run_fio NAME DEVICE
  fio --name="$1" --filename="$2" --direct=1 --ioengine=libaio --rw=randread --bs=4k --iodepth=16 \
    --time_based --runtime="$mpsim_fio_s" --output-format=json --output="$R/$1.json" >/dev/null 2>&1
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
[ -c /dev/null ] || mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t configfs configfs /sys/kernel/config
ip link set lo up

# 1. The emulator (no fault: its schedule waits for a SIGUSR1 that never comes).
# mpsim_emu_idle=1: the emulator runs as SCHED_IDLE, so on the guest's one CPU it runs when fio and the host's
# nvme-tcp have nothing left to do, and finds a batch of commands per wake-up instead of one.
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
for _ in $(seq 1 100); do [ -b /dev/nvme0n1 ] && break; sleep 0.1; done
t0=$(ticks $EMU) c0=$(cpu_ticks)
run_fio emulator /dev/nvme0n1
c1=$(cpu_ticks)
echo "$(($(ticks $EMU) - t0)) $(getconf CLK_TCK)" >"$R/emulator-cpu.txt"
cpu_delta "$c0" "$c1" >"$R/guest-cpu-emulator.txt"
if [ "${mpsim_strace:-0}" = 1 ]; then
  strace -c -f -p $EMU -o "$R/emulator-strace.txt" &
  ST=$!
  sleep 1
  fio --name=strace --filename=/dev/nvme0n1 --direct=1 --ioengine=libaio --rw=randread --bs=4k --iodepth=16 \
    --time_based --runtime=2 --output-format=json --output="$R/emulator-strace-fio.json" >/dev/null 2>&1
  kill -INT $ST
  wait $ST
fi
nvme disconnect -n $NQN >/dev/null 2>&1
kill -INT $EMU
wait $EMU

# 2. nvmet on the same loopback, a null_blk namespace.
S=/sys/kernel/config/nvmet/subsystems/nqn.bench P=/sys/kernel/config/nvmet/ports/1
mkdir "$S" && echo 1 >"$S/attr_allow_any_host" || fail "nvmet subsystem"
mkdir "$S/namespaces/1" && echo /dev/nullb0 >"$S/namespaces/1/device_path" && echo 1 >"$S/namespaces/1/enable" || fail "nvmet namespace"
mkdir "$P" && echo tcp >"$P/addr_trtype" && echo ipv4 >"$P/addr_adrfam" && echo 127.0.0.1 >"$P/addr_traddr" &&
  echo 4430 >"$P/addr_trsvcid" && ln -s "$S" "$P/subsystems/nqn.bench" || fail "nvmet port"
nvme connect -t tcp -a 127.0.0.1 -s 4430 -n nqn.bench >/dev/null 2>&1 || fail "connect to nvmet"
dev=
for _ in $(seq 1 100); do
  for b in /sys/block/nvme*n1; do [ -e "$b" ] && dev=/dev/${b##*/}; done
  [ -n "$dev" ] && [ -b "$dev" ] && break
  sleep 0.1
done
c0=$(cpu_ticks)
run_fio nvmet "$dev"
cpu_delta "$c0" "$(cpu_ticks)" >"$R/guest-cpu-nvmet.txt"
nvme disconnect -n nqn.bench >/dev/null 2>&1
finish 0
