#!/bin/bash
# Installs the Debian packages the QEMU guest tests need (run-guest.sh, and
# tests/debug-kernel/build.sh for the debug kernel). Idempotent; root only.
#
# Usage: install-deps.sh [--debug-kernel]
set -eu

pkgs=(qemu-system-x86 busybox-static cpio gzip xz-utils zstd kmod binutils
	util-linux bc linux-image-amd64 linux-headers-amd64 gcc make libc-bin
	runc jq)
if [ "${1:-}" = --debug-kernel ]; then
	pkgs+=(linux-source flex bison libelf-dev libssl-dev dwarves perl)
elif [ $# -gt 0 ]; then
	echo "usage: $0 [--debug-kernel]" >&2
	exit 2
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps.sh: all present"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "install-deps.sh: need root to install: ${missing[*]}" >&2; exit 1; }
echo "install-deps.sh: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
