# Guest-side library for the validation guest (bash; sourced by the generated init, which runs as PID 1).
#
# The generated init sets the SCN_* variables (see scenario_vars in validate/guest_script.cpp),
# defines scn_faults (the fault schedule as `at_ms T; <action>` lines) and calls scn_main.
# Process starts cost tens of ms in UML, so everything on a hot path is a bash builtin:
# time comes from $EPOCHREALTIME, sleeping is `read -t` on a fifo that never gets data, and
# sysfs files are read with redirections.

. "${BASH_SOURCE[0]%/*}/dm.sh"   # the dm-multipath mode (SCN_DM=1)

CFG=/sys/kernel/config/nvmet
RUN=/run/mpsim
TGT_NS=tgt                      # the network namespace holding target ports in veth mode

log() { printf '[guest %s] %s\n' "$EPOCHREALTIME" "$*"; }
fail() { log "FAILED: $*"; printf '%s\n' "$*" >"$SCN_RESULTS/guest-error.txt"; finish 1; }

now_us() { local t=${EPOCHREALTIME/./}; printf -v "$1" '%s' "$t"; }

# Sleep without a fork: nothing ever writes the fifo, so `read -t` simply times out.
open_sleeper() { mkfifo "$RUN/sleep.fifo" && exec 8<>"$RUN/sleep.fifo"; }
nap() { read -r -t "$1" -u 8 _ || :; }

# Blocks until $1 ms after the workload's first completed I/O (SCHED_T0_US), then returns.
at_ms() {
  local due=$((SCHED_T0_US + $1 * 1000)) now left frac
  while now_us now; ((now < due)); do
    left=$((due - now))
    # printf -v, not $(printf): a command substitution forks, and a fork of this bash holds the
    # one CPU for tens of ms (validate/README.md, "The harness's own CPU at each action")
    printf -v frac '%06d' $((left % 1000000))
    nap "$((left / 1000000)).$frac"
  done
}

# Every fault action is logged with the time it took effect, relative to T0.
record() {
  local now
  now_us now
  printf '%s,%s\n' "$(((now - T0_US) / 1000))" "$*" >>"$RUN/faults.csv"
}

mount_filesystems() {
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  [ -c /dev/null ] || mount -t devtmpfs devtmpfs /dev   # DEVTMPFS_MOUNT usually did it already
  mount -t tmpfs tmpfs /run
  # No tmpfs over /tmp: the host's / is the guest's root, and the repository or the results
  # directory may live under the host's /tmp (CI clones there); hiding it loses every result.
  mount -t configfs configfs /sys/kernel/config
  mount -t debugfs debugfs /sys/kernel/debug
  mkdir -p "$RUN"
}

# Runs "$@" inside the target namespace when ports live there, else directly.
in_target_ns() {
  if [ "$SCN_NET" = veth ]; then nsenter --net=/run/netns/$TGT_NS "$@"; else "$@"; fi
}

# veth mode: each port i gets a pair vh<i> (host side, 10.0.<i>.1) <-> vt<i> (target ns, 10.0.<i>.2).
setup_network() {
  ip link set lo up || fail "lo up"
  [ "$SCN_NET" = veth ] || return 0
  ip netns add $TGT_NS || fail "netns add"
  ip -n $TGT_NS link set lo up
  local p i=0
  for p in $SCN_PORTS; do
    ip link add "vh$i" type veth peer name "vt$i" netns $TGT_NS || fail "veth $i"
    ip addr add "10.0.$i.1/24" dev "vh$i"
    ip link set "vh$i" up
    ip -n $TGT_NS addr add "10.0.$i.2/24" dev "vt$i"
    ip -n $TGT_NS link set "vt$i" up
    i=$((i + 1))
  done
}

port_var() { local v="PORT_${1}_$2"; printf '%s' "${!v}"; }
port_index() { local p i=0; for p in $SCN_PORTS; do [ "$p" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; }
port_addr() { if [ "$SCN_NET" = veth ]; then echo "10.0.$(port_index "$1").2"; else port_var "$1" ADDR; fi; }

setup_subsystem() {
  local s=$CFG/subsystems/$SCN_NQN ns dev grp
  mkdir "$s" || fail "mkdir subsystem"
  echo 1 >"$s/attr_allow_any_host"
  for ns in $SCN_NAMESPACES; do          # "nsid:grpid:device"
    IFS=: read -r nsid grp dev <<<"$ns"
    mkdir "$s/namespaces/$nsid"
    echo "$dev" >"$s/namespaces/$nsid/device_path"
    echo "$grp" >"$s/namespaces/$nsid/ana_grpid"
    echo 1 >"$s/namespaces/$nsid/enable" || fail "enable namespace $nsid ($dev)"
  done
}

# ANA groups other than 1 must be created on a port before their state can be set.
setup_port() {
  local name=$1 d=$CFG/ports/$(port_var "$1" ID) g grp state
  mkdir "$d" || fail "mkdir port $name"
  echo tcp >"$d/addr_trtype"
  echo ipv4 >"$d/addr_adrfam"
  port_addr "$name" >"$d/addr_traddr"
  port_var "$name" SVC >"$d/addr_trsvcid"
  for g in $(port_var "$name" ANA); do   # "grpid:state"
    IFS=: read -r grp state <<<"$g"
    [ "$grp" = 1 ] || mkdir -p "$d/ana_groups/$grp"
    echo "$state" >"$d/ana_groups/$grp/ana_state" || fail "ana state $name $g"
  done
  port_link "$name"
}

# Linking a subsystem to a port starts the listener, in the namespace of the writer.
port_link() { in_target_ns ln -s "$CFG/subsystems/$SCN_NQN" "$CFG/ports/$(port_var "$1" ID)/subsystems/$SCN_NQN"; }
port_unlink() { rm "$CFG/ports/$(port_var "$1" ID)/subsystems/$SCN_NQN"; }

# Connects through /dev/nvme-fabrics directly (what nvme-cli does, without its start-up cost).
connect_port() {
  local name=$1 opts reply
  opts="transport=tcp,traddr=$(port_addr "$name"),trsvcid=$(port_var "$name" SVC),nqn=$SCN_NQN"
  # An explicit hostid: the kernel refuses its default hostid paired with a non-default hostnqn.
  opts+=",hostnqn=$SCN_HOSTNQN,hostid=$SCN_HOSTID$(port_var "$name" CONNECT)"
  exec 7<>/dev/nvme-fabrics || fail "open /dev/nvme-fabrics"
  printf '%s' "$opts" >&7 || fail "connect $name: $opts"
  read -r reply <&7
  exec 7>&-
  now_us CONNECTED_US[$name]
  log "connected $name: $reply"
}

# paths.csv maps each port to its controller and path device, by the controller's address.
map_paths() {
  local c addr p svc dev ta
  : >"$RUN/paths.csv"
  for p in $SCN_PATHS; do
    svc=$(port_var "$p" SVC)
    ta=$(port_addr "$p")
    for c in /sys/class/nvme/nvme*; do
      read -r addr <"$c/address"
      case ",$addr," in *",traddr=$ta,trsvcid=$svc,"*) ;; *) continue ;; esac
      # nvmeXcYnZ under native multipath, nvmeXnZ when it is off (dm mode)
      for dev in "$c"/nvme*c*n* "$c"/nvme*n*; do [ -e "$dev" ] && break; done
      printf '%s,%s,%s\n' "$p" "${c##*/}" "${dev##*/}" >>"$RUN/paths.csv"
      PATH_CTRL[$p]=${c##*/}
      PATH_DEV[$p]=${dev##*/}
    done
  done
}

wait_for_head() {
  local i
  for i in $(seq 1 200); do
    [ -b /dev/nvme0n1 ] && return 0
    nap 0.01
  done
  fail "no /dev/nvme0n1 after connect"
}

set_iopolicy() {
  local f
  for f in /sys/class/nvme-subsystem/nvme-subsys*/iopolicy; do
    echo "$SCN_IOPOLICY" >"$f" || fail "iopolicy $SCN_IOPOLICY"
  done
}

# ---- sampler: per-path I/O counters, controller state and ANA state, no fork per sample ----
# One CSV row per sample: t_ms, then per connected port (in SCN_PATHS order) reads,writes,ctrl_state,ana_state.
sample_once() {
  local p row st io ana now
  now_us now
  row=$(((now - T0_US) / 1000))
  for p in $SCN_PATHS; do
    io=(0 0 0 0 0) st=deleted ana=none
    read -r -a io <"/sys/block/${PATH_DEV[$p]}/stat" 2>/dev/null
    read -r st <"/sys/class/nvme/${PATH_CTRL[$p]}/state" 2>/dev/null
    # (braces: a failed input redirection reports before a 2>/dev/null after it applies;
    # dm mode has no ana_state, native multipath being off)
    { read -r ana <"/sys/block/${PATH_DEV[$p]}/ana_state"; } 2>/dev/null
    row+=",${io[0]},${io[4]},$st,$ana"
  done
  printf '%s\n' "$row" >&6
}

sampler() {
  local p header=t_ms
  for p in $SCN_PATHS; do header+=",${p}_reads,${p}_writes,${p}_ctrl,${p}_ana"; done
  exec 6>"$RUN/samples.csv"
  printf '%s\n' "$header" >&6
  while :; do
    sample_once
    nap "$SCN_SAMPLE_S"
  done
}

# The fault clock starts when the first I/O completes (fio takes a while to start in UML),
# so `at` means the same as in the simulator: time since the workload started.
# The counters already hold the kernel's partition scan, so wait for them to move past it.
io_total() {
  local p io
  IO_TOTAL=0
  for p in $SCN_PATHS; do
    io=(0 0 0 0 0)
    read -r -a io <"/sys/block/${PATH_DEV[$p]}/stat" 2>/dev/null
    IO_TOTAL=$((IO_TOTAL + io[0] + io[4]))
  done
}

wait_for_io() {
  local base
  io_total
  base=$IO_TOTAL
  while io_total; ((IO_TOTAL == base)); do nap 0.001; done
}

fault_runner() {
  wait_for_io
  now_us SCHED_T0_US
  record io_start
  scn_faults
}

# ---- diagnostic (boot.sh MPSIM_GUEST_TCP_TRACE_S): host-side TCP sockets to the target ports ----
# One row per change of a socket's send queue: t_ms,local,remote,tx_queue (hex bytes not yet
# acknowledged). A keep-alive that the network swallows shows as 0x48 (one 72-byte command
# capsule) on the admin socket, from when it was sent until the controller gives up.
tcp_trace() {
  local now p ports='' f
  declare -A last
  for p in $SCN_PORTS; do printf -v f ':%04X ' "$(port_var "$p" SVC)"; ports+="$f"; done
  exec 5>"$RUN/tcp.csv"
  printf 't_ms,local,remote,tx_queue\n' >&5
  while :; do
    now_us now
    while read -r -a f; do
      [[ $ports == *":${f[2]#*:} "* ]] || continue
      [ "${last[${f[1]}]}" = "${f[4]%%:*}" ] && continue
      last[${f[1]}]=${f[4]%%:*}
      printf '%s,%s,%s,%s\n' "$(((now - T0_US) / 1000))" "${f[1]}" "${f[2]}" "${f[4]%%:*}" >&5
    done </proc/net/tcp
    nap "$mpsim_tcp_trace_s"
  done
}

# ---- fault actions (the generated scn_faults calls these at their scheduled times) ----
ana_set() {
  echo "$3" >"$CFG/ports/$(port_var "$1" ID)/ana_groups/$2/ana_state"
  record "ana,$1,$2,$3,$?"
}

port_down() { port_unlink "$1"; record "unlink,$1,$?"; }
port_up() { port_link "$1"; record "link,$1,$?"; }

# netem on both ends of a port's veth pair: one-way delay (us), loss (%) and, if given, a rate
# (kbit/s); 0 0 without a rate removes it.
net_set() {
  local i rc=0 rate=()
  i=$(port_index "$1")
  [ -n "$4" ] && rate=(rate "${4}kbit")
  if [ "$2" = 0 ] && [ "$3" = 0 ] && [ -z "$4" ]; then
    tc qdisc del dev "vh$i" root 2>/dev/null
    nsenter --net=/run/netns/$TGT_NS tc qdisc del dev "vt$i" root 2>/dev/null
  else
    tc qdisc replace dev "vh$i" root netem delay "$2us" loss "$3%" "${rate[@]}" limit 100000 || rc=1
    nsenter --net=/run/netns/$TGT_NS tc qdisc replace dev "vt$i" root netem delay "$2us" loss "$3%" "${rate[@]}" limit 100000 || rc=1
  fi
  record "net,$1,$2,$3,$rc${4:+,${4}kbit}"
}

# Target-side fatal error on the controller connected through port $1 (blktests nvme/060's hook).
ctrl_fatal() {
  local id c port rc=1
  id=$(port_var "$1" ID)
  for c in /sys/kernel/debug/nvmet/"$SCN_NQN"/ctrl*; do
    read -r port <"$c/port" || continue
    [ "$port" = "$id" ] || continue
    echo fatal >"$c/state" && rc=0
  done
  record "fatal,$1,$rc"
}

# Host-side reset of the controller connected through port $1 (nvme_reset_ctrl). The sysfs
# write returns only once the controller is set up again, so the action's row carries the time
# the write began (when the reset took effect) and a reset_done row the time it returned.
ctrl_reset() {
  local start rc=0
  now_us start
  echo 1 >"/sys/class/nvme/${PATH_CTRL[$1]}/reset_controller" || rc=1
  printf '%s,%s\n' "$(((start - T0_US) / 1000))" "reset,$1,$rc" >>"$RUN/faults.csv"
  record "reset_done,$1"
}

# ---- workload ----
run_fio() {
  local rc
  fio --output-format=json --output="$RUN/fio.json" $SCN_FIO_GLOBAL $SCN_FIO_JOBS >"$RUN/fio.stdout" 2>"$RUN/fio.stderr"
  rc=$?
  record "fio_exit,$rc"
}

# ---- orchestration ----
collect() {
  cp "$RUN"/*.csv "$RUN"/fio.* "$RUN"/t0_us "$SCN_RESULTS"/ 2>/dev/null
  cp "$RUN"/*_lat.*.log "$RUN"/*_clat.*.log "$SCN_RESULTS"/ 2>/dev/null
  nvme list-subsys -o json /dev/nvme0n1 >"$SCN_RESULTS/list-subsys.json" 2>&1
  [ -n "${SCN_DM:-}" ] && dm_collect
  dmesg >"$SCN_RESULTS/dmesg.txt"
}

# Ends the scenario with exit code $1: its results are collected and guest-exit written. A
# shared boot (scn_main_shared) runs each scenario in a subshell, which then simply exits;
# otherwise the guest powers off.
finish() {
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
  [ -n "$TCP_TRACE_PID" ] && kill "$TCP_TRACE_PID" 2>/dev/null
  [ -n "$FAULTS_PID" ] && kill "$FAULTS_PID" 2>/dev/null
  collect
  dm_stop
  echo "$1" >"$SCN_RESULTS/guest-exit"
  [ -n "${SCN_SHARED_BOOT:-}" ] && exit "$1"
  power_off
}

power_off() {
  sync
  echo o >/proc/sysrq-trigger
  sleep 10
}

setup() {
  local p
  declare -gA PATH_CTRL PATH_DEV CONNECTED_US
  setup_network
  setup_subsystem
  for p in $SCN_PORTS; do setup_port "$p"; done
  for p in $SCN_PORTS; do
    [ "$(port_var "$p" DELAY_US)" = 0 ] || net_set "$p" "$(port_var "$p" DELAY_US)" 0
  done
  for p in $SCN_PATHS; do connect_port "$p"; done
  wait_for_head
  map_paths
  if [ -n "${SCN_DM:-}" ]; then dm_setup; else set_iopolicy; fi
  scn_cgroups      # the generated init's cgroups with io.max (validate/guest_cgroup.h)
}

boot_once() {
  export PATH=/usr/sbin:/usr/bin:/sbin:/bin
  mount_filesystems
  open_sleeper || fail "fifo"
}

scn_main() {
  boot_once
  run_scenario
}

# Several scenarios in one boot (validate/README.md "Ratios"): "$@" are functions that each set
# one scenario's SCN_* variables and functions. Each runs in a subshell (its variables, background
# jobs and a failure stay there), then everything it set up is taken down for the next (not after
# the last: a dm map still holds its paths, and the controllers would take teardown's 10 s to go).
scn_main_shared() {
  local s n=$#
  boot_once
  SCN_SHARED_BOOT=1
  for s in "$@"; do
    ( "$s" && run_scenario )
    n=$((n - 1))
    ((n == 0)) || teardown
  done
  power_off
}

# Back to a freshly booted guest: host controllers deleted (and their subsystem gone), nvmet's
# configuration, the target network namespace and veth pairs removed, the run's files and the
# kernel log cleared (each scenario's dmesg.txt holds its own lines).
teardown() {
  local c i x
  for c in /sys/class/nvme/nvme*; do [ -e "$c/delete_controller" ] && echo 1 >"$c/delete_controller" 2>/dev/null; done
  for i in $(seq 1 500); do  # up to ~10 s for the controllers and their subsystem to go
    compgen -G '/sys/class/nvme/nvme*' >/dev/null || compgen -G '/sys/class/nvme-subsystem/nvme-subsys*' >/dev/null || break
    nap 0.02
  done
  for x in "$CFG"/ports/*/subsystems/*; do [ -L "$x" ] && rm "$x"; done
  for x in "$CFG"/ports/*/ana_groups/*; do [ -d "$x" ] && [ "${x##*/}" != 1 ] && rmdir "$x"; done
  for x in "$CFG"/ports/*; do [ -d "$x" ] && rmdir "$x"; done
  for x in "$CFG"/subsystems/*/namespaces/*; do [ -d "$x" ] && { echo 0 >"$x/enable"; rmdir "$x"; }; done
  for x in "$CFG"/subsystems/*; do [ -d "$x" ] && rmdir "$x"; done
  [ -e /run/netns/$TGT_NS ] && ip netns del $TGT_NS
  for x in /sys/class/net/vh*; do [ -e "$x" ] && ip link del "${x##*/}" 2>/dev/null; done
  rm -f "$RUN"/*.csv "$RUN"/fio.* "$RUN"/*.log "$RUN"/t0_us
  dmesg -C
  log "teardown done"
}

run_scenario() {
  log "scenario $SCN_NAME: setup"
  now_us T0_US
  setup
  : >"$RUN/faults.csv"
  log "scenario $SCN_NAME: setup done"
  now_us T0_US
  echo "$T0_US" >"$RUN/t0_us"
  [ -n "${SCN_DM:-}" ] && dm_mark_t0
  # When each controller connected (before T0, so negative): the simulator replays the idle
  # time before the first I/O, in which keep-alives arm the admin queue's timer.
  local p
  for p in $SCN_PATHS; do
    printf '%s,connected,%s\n' "$(((CONNECTED_US[$p] - T0_US) / 1000))" "$p" >>"$RUN/faults.csv"
  done
  sampler &
  SAMPLER_PID=$!
  if [ -n "${mpsim_tcp_trace_s:-}" ]; then
    tcp_trace &
    TCP_TRACE_PID=$!
  fi
  fault_runner &
  FAULTS_PID=$!
  run_fio
  scn_cgroups_done
  # Actions due at the very end may still be running; one that waits for I/O never will.
  local i
  for i in $(seq 1 40); do kill -0 "$FAULTS_PID" 2>/dev/null || break; nap 0.05; done
  log "scenario $SCN_NAME: done"
  finish 0
}
