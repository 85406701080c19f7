# dm-multipath mode of the validation guest (sourced by lib.sh; used when the init sets SCN_DM=1).
#
# The kernel runs with nvme_core.multipath=N, so each controller has its own namespace device
# (nvme0n1, nvme1n1, ...) and the host's multipathd (Debian's multipath-tools, through hostfs)
# builds one dm map, /dev/dm-0, over them from the generated SCN_DM_CONF. multipathd only takes
# block devices udev has initialised (and reads their ID_WWN from udev's database), so the
# host's systemd-udevd runs in the guest too, with its database in the guest's /run;
# libdevmapper creates its own /dev/mapper nodes (DM_DISABLE_UDEV) rather than wait for udev.
#
# The guest's root is the host's /, so multipathd's files (/etc/multipath.conf, /etc/multipath/
# wwids and bindings) must never reach the host: /etc is replaced, in the guest only, by a tmpfs
# of symlinks to the host's entries plus the guest's own multipath.conf and multipath/.

# /etc in the guest: host entries as symlinks through a private bind of the host's /etc.
dm_private_etc() {
  local mine=$RUN/etc host=$RUN/host-etc
  mkdir -p "$mine" "$host" || fail "dm: mkdir $mine"
  mount --bind /etc "$host" || fail "dm: bind /etc"
  ln -s -t "$mine" "$host"/* || fail "dm: symlink /etc entries"
  rm -rf "$mine/multipath.conf" "$mine/multipath"
  mkdir "$mine/multipath"
  printf '%s' "$SCN_DM_CONF" >"$mine/multipath.conf"
  mount --bind "$mine" /etc || fail "dm: bind the guest's /etc"
  [ -L /etc/passwd ] && [ -f /etc/multipath.conf ] || fail "dm: the guest's /etc is not in place"
}

# Waits until dm-0 exists with every connected path under it (multipathd's first scan).
dm_wait_for_map() {
  local i n want=0 p
  for p in $SCN_PATHS; do want=$((want + 1)); done
  for i in $(seq 1 600); do
    n=0
    if [ -d /sys/block/dm-0/slaves ]; then
      for p in /sys/block/dm-0/slaves/*; do [ -e "$p" ] && n=$((n + 1)); done
    fi
    ((n == want)) && [ -b "$SCN_DEVICE" ] && return 0
    nap 0.05
  done
  dm_snapshot setup
  fail "dm: no map over $want paths 30 s after multipathd started (multipathd.log, dm-setup.txt)"
}

# The daemon's view and the kernel's table, for the results (forks: only outside the workload).
dm_snapshot() {
  {
    echo "== $1: dmsetup table"; dmsetup table
    echo "== $1: dmsetup status"; dmsetup status
    echo "== $1: multipathd show topology"; multipathd show topology
  } >"$RUN/dm-$1.txt" 2>&1
}

# udevd with the host's rules; the block devices that exist already are replayed to it.
dm_start_udev() {
  local udevd
  for udevd in /lib/systemd/systemd-udevd /usr/lib/systemd/systemd-udevd; do [ -x "$udevd" ] && break; done
  [ -x "$udevd" ] || fail "dm: no systemd-udevd (multipathd needs udev's database)"
  "$udevd" --daemon >"$RUN/udevd.log" 2>&1 || fail "dm: systemd-udevd did not start"
  udevadm trigger --action=add --subsystem-match=block >>"$RUN/udevd.log" 2>&1
  udevadm settle -t 60 >>"$RUN/udevd.log" 2>&1 || log "dm: udevadm settle timed out"
}

dm_setup() {
  command -v multipathd >/dev/null || fail "dm: multipathd not found (host package multipath-tools)"
  [ "$(cat /sys/module/nvme_core/parameters/multipath 2>/dev/null)" = N ] || fail "dm: native NVMe multipath is on"
  dm_private_etc
  dm_start_udev
  export DM_DISABLE_UDEV=1
  multipathd -d -v3 >"$RUN/multipathd.log" 2>&1 &
  MULTIPATHD_PID=$!
  dm_wait_for_map
  # The map's own uevents go through udev (rules, blkid, multipathd's "add map"): let them
  # finish before the workload, so they do not take the one CPU from it.
  udevadm settle -t 30 >>"$RUN/udevd.log" 2>&1 || log "dm: udevadm settle timed out after the map"
  dm_snapshot setup
  log "dm: map $(cat /sys/block/dm-0/dm/name) over $(ls /sys/block/dm-0/slaves | tr '\n' ' ')"
}

# Kernel time at T0, so dmesg's dm lines ("Failing path") can be put on the workload's clock.
dm_mark_t0() {
  local up
  read -r up _ </proc/uptime
  echo "$up" >"$RUN/t0_uptime"
}

dm_collect() {
  dm_snapshot end
  cp "$RUN"/dm-*.txt "$RUN"/multipathd.log "$RUN"/udevd.log "$RUN"/t0_uptime /etc/multipath.conf "$SCN_RESULTS"/ 2>/dev/null
}

dm_stop() {
  [ -n "$MULTIPATHD_PID" ] && kill "$MULTIPATHD_PID" 2>/dev/null
  udevadm control --exit 2>/dev/null
}
