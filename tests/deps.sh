#!/bin/sh
# Install the Debian packages fguard builds and tests with, if missing.
# Safe to run again: it only calls apt-get when something is absent.
set -eu
PKGS="gcc make pkg-config libc6-dev
libnl-3-dev libnl-genl-3-dev libarchive-dev libelf-dev libjansson-dev
libssl-dev libcmocka-dev zlib1g-dev libzstd-dev
linux-image-amd64 linux-headers-amd64 linux-source
qemu-system-x86 busybox-static cpio gzip zstd xz-utils kmod
bc flex bison binutils rsync strace clang libclang-rt-14-dev jq runc
dkms"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing packages:$missing" >&2
	echo "Hint: run as root, or apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
