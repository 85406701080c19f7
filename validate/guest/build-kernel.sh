#!/usr/bin/env bash
# Builds the User-Mode-Linux kernel for the validation guest from Debian's linux-source package
# and caches it, keyed by source version and the sha of uml.config + patches/*.patch, so a
# rerun is instant.
# Prints the path of the binary on stdout; progress goes to stderr, the build output to a log.
#
# Environment: MPSIM_CACHE (default ~/.cache/mpsim), MPSIM_UML_SOURCE (default linux-source-6.12),
#              MPSIM_JOBS (default: nproc), MPSIM_NICE (default 10).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fragment=$here/uml.config
patches=("$here"/patches/*.patch)
source_pkg=${MPSIM_UML_SOURCE:-linux-source-6.12}
cache=${MPSIM_CACHE:-$HOME/.cache/mpsim}/uml
jobs=${MPSIM_JOBS:-$(nproc)}
niceness=${MPSIM_NICE:-10}

# flex/bison/bc build the kconfig and kernel tools; xz-utils unpacks the source;
# nvme-cli and fio are the guest's user space (it runs the host's binaries through hostfs).
packages=(build-essential flex bison bc xz-utils patch "$source_pkg" nvme-cli fio iproute2 util-linux)

say() { printf 'build-kernel: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

install_missing() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  say "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

source_version() { dpkg-query -W -f='${Version}' "$source_pkg"; }

# The configuration and the patches decide what gets built, so they are part of the cache key.
recipe_sha() { cat "$fragment" "${patches[@]}" | sha256sum | cut -c1-12; }
patches_sha() { cat "${patches[@]}" | sha256sum | cut -c1-12; }

# The tarball unpacks to a directory named after the package; unpack once per source version
# and apply validate/guest/patches/*.patch. A tree patched differently is unpacked afresh.
unpack_source() {
  local version=$1 dest=$cache/src/$version want p
  want=$(patches_sha)
  if [ ! -f "$dest/.unpacked" ] || { [ -s "$dest/.patched" ] && [ "$(cat "$dest/.patched")" != "$want" ]; }; then
    say "unpacking /usr/src/$source_pkg.tar.xz into $dest"
    rm -rf "$dest" && mkdir -p "$dest"
    tar -C "$dest" -xf "/usr/src/$source_pkg.tar.xz"
    touch "$dest/.unpacked"
  fi
  if [ "$(cat "$dest/.patched" 2>/dev/null)" != "$want" ]; then
    for p in "${patches[@]}"; do
      say "applying ${p##*/}"
      patch -d "$dest/$source_pkg" -p1 --forward --quiet <"$p" >&2 || die "patch ${p##*/} does not apply"
    done
    echo "$want" >"$dest/.patched"
  fi
  echo "$dest/$source_pkg"
}

# defconfig, then the fragment, then olddefconfig resolves what the fragment left open.
configure() {
  local src=$1 out=$2
  make -C "$src" O="$out" ARCH=um defconfig
  "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment"
  make -C "$src" O="$out" ARCH=um olddefconfig
}

# merge_config only warns when a dependency drops an option; a guest missing one is useless.
check_config() {
  local config=$1 line missing=0
  while IFS= read -r line; do
    case $line in CONFIG_*=*) ;; *) continue ;; esac
    grep -qx "$line" "$config" || { say "option not applied: $line"; missing=1; }
  done <"$fragment"
  return $missing
}

build() {
  local src=$1 out=$2 log=$3
  {
    configure "$src" "$out" && check_config "$out/.config" &&
      nice -n "$niceness" make -C "$src" O="$out" ARCH=um -j"$jobs" linux
  } >"$log" 2>&1
}

main() {
  install_missing
  local version key binary out log src start
  version=$(source_version)
  key=$version-$(recipe_sha)
  binary=$cache/linux-$key
  if [ -x "$binary" ]; then
    say "cached: $binary"
    echo "$binary"
    return 0
  fi
  mkdir -p "$cache"
  src=$(unpack_source "$version")
  out=$cache/build-$key
  log=$cache/build-$key.log
  say "building $source_pkg $version for ARCH=um with -j$jobs (log: $log)"
  start=$(date +%s)
  if ! build "$src" "$out" "$log"; then
    tail -n 40 "$log" >&2
    die "kernel build failed (log: $log)"
  fi
  # Copy, then rename: a concurrent or interrupted run never sees a half-written binary.
  cp "$out/linux" "$binary.tmp" && mv "$binary.tmp" "$binary"
  say "built in $(($(date +%s) - start)) s: $binary"
  echo "$binary"
}

main "$@"
