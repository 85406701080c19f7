#!/usr/bin/env bash
# A throw-away one-node Slurm cluster on localhost, all state under one directory.
#
#   tests/slurm/cluster.sh start DIR   installs slurm-wlm + munge if missing, starts munged,
#                                      slurmctld and slurmd, waits until the node is idle;
#                                      then `. DIR/env` points the Slurm commands at it
#   tests/slurm/cluster.sh stop DIR    stops exactly the daemons `start` recorded in DIR/pids
#
# Exit codes of start: 0 up; 77 cannot install the packages (the caller skips, printing why);
# 1 anything else (the daemons' log tails are printed). Needs root: slurmd runs jobs as root.
# Facts behind the configuration: ../../../shared/reference/slurm-single-node.md (run on this
# kind of machine: Debian 12, slurm-wlm 22.05, no systemd).
set -euo pipefail

say() { printf 'cluster.sh: %s\n' "$*" >&2; }

install_packages() {
  local missing=() cmd
  for cmd in munged mungekey slurmctld slurmd sbatch squeue scontrol sinfo; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "SKIP: ${missing[*]} missing and not root, cannot apt-get install slurm-wlm munge"
    return 77
  fi
  say "installing slurm-wlm munge (missing: ${missing[*]})"
  if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
       slurm-wlm munge >&2; then
    apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
      slurm-wlm munge >&2 || { say "SKIP: apt-get install slurm-wlm munge failed"; return 77; }
  fi
}

# A TCP port on 127.0.0.1 nobody listens on (bash's /dev/tcp connects when someone does).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  say "no free TCP port found"
  return 1
}

write_conf() {
  local b=$1 node=$2 ctld_port=$3 slurmd_port=$4 mem_mb
  mem_mb=$(awk '/^MemAvailable:/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
  cat >"$b/etc/slurm.conf" <<EOF
ClusterName=mpsim-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$b/munge/munge.socket.2
StateSaveLocation=$b/state
SlurmdSpoolDir=$b/spool/slurmd
SlurmctldPidFile=$b/state/slurmctld.pid
SlurmdPidFile=$b/spool/slurmd.pid
SlurmctldLogFile=$b/log/slurmctld.log
SlurmdLogFile=$b/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
MailProg=/bin/true
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

# Starts one daemon in the background with its output in DIR/log, records its PID.
launch() {
  local b=$1 name=$2
  shift 2
  "$@" </dev/null >"$b/log/$name.out" 2>&1 &
  echo "$name $!" >>"$b/pids"
}

fail_with_logs() {
  local b=$1
  say "$2"
  for f in "$b"/log/*; do
    [ -s "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
  done
  return 1
}

# Polls `cmd` until it succeeds, at most `tries` times 0.1 s apart (a readiness check, not a timer).
await() {
  local tries=$1
  shift
  for _ in $(seq 1 "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

start() {
  local b=$1 node rc=0
  install_packages || rc=$?
  [ $rc -eq 0 ] || return $rc
  [ "$(id -u)" -eq 0 ] || { say "SKIP: not root (slurmd runs the jobs as root here)"; return 77; }
  mkdir -p "$b"/{etc,munge,log,state,spool/slurmd,out}
  b=$(cd "$b" && pwd)
  chmod 755 "$b" "$b/munge"  # munged refuses a socket directory others cannot traverse
  : >"$b/pids"
  node=$(hostname -s)
  local socket=$b/munge/munge.socket.2
  mungekey --create --keyfile="$b/munge/munge.key" 2>/dev/null || mungekey --create --force --keyfile="$b/munge/munge.key"
  launch "$b" munged munged -F --socket="$socket" --key-file="$b/munge/munge.key" --pid-file="$b/munge/munged.pid" \
    --seed-file="$b/munge/munged.seed" --log-file="$b/log/munged.log"
  await 100 sh -c "munge -n --socket='$socket' | unmunge --socket='$socket'" || fail_with_logs "$b" "munged did not start" || return 1

  write_conf "$b" "$node" "$(free_port)" "$(free_port)"
  printf 'export SLURM_CONF=%s\n' "$b/etc/slurm.conf" >"$b/env"
  export SLURM_CONF=$b/etc/slurm.conf
  launch "$b" slurmctld slurmctld -D -i -f "$SLURM_CONF"
  launch "$b" slurmd slurmd -D -N "$node" -f "$SLURM_CONF"
  # Idle = registered and schedulable; 1.6-1.9 s on the reference machine, allow 60 s under load.
  await 600 sh -c 'sinfo -h -N -o %T | grep -qx idle' || fail_with_logs "$b" "the node did not become idle" || return 1
  say "up: node $node, $(nproc) CPUs, SLURM_CONF=$SLURM_CONF"
}

# Running and not a zombie (an orphaned daemon's exit is reaped by PID 1, which may be slow).
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }

# Stops what start recorded: the Slurm daemons through slurmctld, then every recorded PID
# still alive (TERM, then KILL after 10 s). Never touches a process it did not start.
stop() {
  local b=$1
  [ -f "$b/pids" ] || return 0
  [ -f "$b/env" ] && SLURM_CONF=$b/etc/slurm.conf scontrol shutdown >/dev/null 2>&1 || true
  local name pid
  while read -r name pid; do
    [ "$name" = munged ] && continue
    for _ in $(seq 1 200); do alive "$pid" || break; sleep 0.1; done
  done <"$b/pids"
  while read -r name pid; do
    alive "$pid" || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done <"$b/pids"
  rm -f "$b/pids"
}

case "${1:-}" in
  start) start "${2:?usage: cluster.sh start DIR}" ;;
  stop) stop "${2:?usage: cluster.sh stop DIR}" ;;
  *) echo "usage: cluster.sh start|stop DIR" >&2; exit 2 ;;
esac
