# The emulator engine of `mpsim validate --engines` (validate/three_way.*): sourced by a generated
# scenario init after validate/guest/lib.sh, it swaps nvmet for `mpsim emulate` and leaves the rest
# of lib.sh as it is (sampler, connect through /dev/nvme-fabrics, fio, the marks in faults.csv),
# so the same scenario's real-kernel run is measured the same way against either target.
#
# The init sets, besides lib.sh's SCN_* variables:
#   EMU_BIN         the host's mpsim binary (reached through hostfs)
#   EMU_EXPERIMENT  the scenario's experiment file; the emulator runs its fault schedule itself
#
# Differences from the nvmet engine, each because the emulator does the job itself:
# - ports listen on loopback (the topology's 127.x addresses): a silent loss is the emulator's
#   black hole, not netem on a veth pair; a static link delay (slow-path scenarios) is not applied;
# - the fault clock is the emulator's own: the fault runner sends it SIGUSR1 at the first
#   completed I/O (where lib.sh starts its own schedule) and performs only host-side actions
#   (ctrl_reset); the emulator's events log gives the target-side actions' times, which
#   validate/three_way.cpp merges into faults.csv after the boot.

SCN_NET=loopback
EMU_PID=

setup_subsystem() {
  "$EMU_BIN" emulate "$EMU_EXPERIMENT" --faults-after-signal --memory 64MiB \
    --events "$SCN_RESULTS/emulator-events.csv" >"$SCN_RESULTS/emulator.log" 2>&1 &
  EMU_PID=$!
  local p svc i
  for p in $SCN_PORTS; do
    svc=$(port_var "$p" SVC)
    for i in $(seq 1 300); do
      grep -q "listening on .*:$svc\$" "$SCN_RESULTS/emulator.log" && break
      kill -0 "$EMU_PID" 2>/dev/null || fail "mpsim emulate exited: $(tail -3 "$SCN_RESULTS/emulator.log")"
      nap 0.1
    done
    grep -q "listening on .*:$svc\$" "$SCN_RESULTS/emulator.log" || fail "mpsim emulate: port $p not listening"
  done
  log "mpsim emulate $EMU_EXPERIMENT listening (pid $EMU_PID)"
}

setup_port() { :; }   # the emulator opened every listener at start
net_set() { :; }      # no veth pair: nothing to delay

# Target-side actions are the emulator's; the guest keeps the host-side reset.
ana_set() { :; }
port_down() { :; }
port_up() { :; }
ctrl_fatal() { :; }

fault_runner() {
  wait_for_io
  now_us SCHED_T0_US
  kill -USR1 "$EMU_PID"
  record io_start
  scn_faults
}

# The emulator stops (SIGINT, its exit code kept) only after lib.sh's finish collected the run:
# stopped earlier, the connected host's error recovery reached the sampler and dmesg after fio's
# exit, and a fault the host never notices (random loss) showed a "detection" at the run's end.
eval "lib_collect() $(declare -f collect | tail -n +2)"
collect() {
  lib_collect
  if [ -n "$EMU_PID" ]; then
    kill -INT "$EMU_PID" 2>/dev/null
    wait "$EMU_PID"
    echo "$?" >"$SCN_RESULTS/emulator-exit"
    EMU_PID=
  fi
}
