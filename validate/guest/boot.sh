#!/usr/bin/env bash
# Boots the UML validation kernel with the host's / as root (hostfs) and INIT as PID 1, which
# writes its results into RESULTS_DIR through hostfs. The console goes to RESULTS_DIR/console.log.
#
# usage: boot.sh KERNEL INIT RESULTS_DIR [extra kernel args...]
# Environment: MPSIM_GUEST_MEM (default 384M), MPSIM_GUEST_TIMEOUT (seconds, default 300),
# MPSIM_GUEST_TCP_TRACE_S (diagnostic, off by default: the guest samples its host-side TCP
# sockets to the target ports every that many seconds into RESULTS_DIR/tcp.csv).
# Exit: 0 when the guest's init reported success (RESULTS_DIR/guest-exit is 0), 1 otherwise,
# with the reason and the tail of the console log on stderr.
set -uo pipefail

[ $# -ge 3 ] || { echo "usage: boot.sh KERNEL INIT RESULTS_DIR [kernel args...]" >&2; exit 2; }
kernel=$1 init=$2 results=$3
shift 3
# A name=value kernel argument without a dot reaches init as an environment variable.
[ -n "${MPSIM_GUEST_TCP_TRACE_S:-}" ] && set -- "$@" "mpsim_tcp_trace_s=$MPSIM_GUEST_TCP_TRACE_S"
mem=${MPSIM_GUEST_MEM:-384M}
limit=${MPSIM_GUEST_TIMEOUT:-300}

say() { printf 'boot: %s\n' "$*" >&2; }

why_failed() {
  say "$1 (console: $results/console.log)"
  tail -n 30 "$results/console.log" >&2
  [ -f "$results/guest-error.txt" ] && say "guest error: $(cat "$results/guest-error.txt")"
  exit 1
}

# An init line "# host-packages: a b" names host packages whose programs the guest runs through
# hostfs (dm mode: multipath-tools for multipathd); missing ones are installed with apt.
install_host_packages() {
  local wanted missing=() p sudo=()
  wanted=$(sed -n 's/^# host-packages: //p' "$init")
  for p in $wanted; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  say "installing host packages the guest needs: ${missing[*]}"
  if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"; } >&2; then
    say "CANNOT INSTALL ${missing[*]}: the guest needs it (install it with apt-get, then run again)"
    exit 1
  fi
}

[ -x "$kernel" ] || { say "no kernel binary at $kernel"; exit 2; }
[ -f "$init" ] || { say "no init script at $init"; exit 2; }
[ -w /dev/shm ] || { say "/dev/shm is not writable: UML keeps its memory file there"; exit 2; }
install_host_packages
mkdir -p "$results"
rm -f "$results/guest-exit" "$results/guest-error.txt"
chmod +x "$init"

# Only console 0 exists (stdin from /dev/null, output to the log); no other UML console
# may try to open an xterm. umid/uml_dir keep UML's pid files out of $HOME.
# `timeout` puts itself and the guest in a process group of their own, so a signal to the
# caller's group (Ctrl-C, `kill -- -PGID` of `mpsim validate`) would miss the guest and leave it
# running for up to $limit seconds: pass INT/TERM/HUP on to timeout, which passes them to UML.
start=$(date +%s%N)
TMPDIR=/dev/shm timeout --kill-after=10 "$limit" "$kernel" \
  mem="$mem" umid="mpsim-$$" uml_dir=/dev/shm \
  rootfstype=hostfs rootflags=/ rw init="$init" \
  con=null con0=fd:0,fd:1 printk.time=1 "$@" \
  </dev/null >"$results/console.log" 2>&1 &
guest=$!
interrupted=""
trap 'interrupted=1; kill -TERM "$guest" 2>/dev/null' INT TERM HUP
rc=0
wait "$guest" || rc=$?
# A trapped signal ends `wait` early: wait again until the guest is really gone.
while kill -0 "$guest" 2>/dev/null; do rc=0; wait "$guest" || rc=$?; done
trap - INT TERM HUP
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
echo "$elapsed_ms" >"$results/boot-wall-ms"
# UML can leave its terminal in raw mode or its memory file behind; neither matters here.
rm -rf "/dev/shm/mpsim-$$"
[ -n "$interrupted" ] && { say "interrupted: the guest was stopped after ${elapsed_ms} ms ($results is incomplete)"; exit 130; }

[ $rc -eq 124 ] || [ $rc -eq 137 ] && why_failed "guest timed out after ${limit}s"
[ -f "$results/guest-exit" ] || why_failed "guest stopped without reporting (kernel exit code $rc)"
[ "$(cat "$results/guest-exit")" = 0 ] || why_failed "guest init failed"
say "guest finished in ${elapsed_ms} ms: $results"
