#!/bin/bash
# `make demo': the main job, end to end. Installs what it needs, builds the
# module and fguardctl, assembles the nginx image from Debian packages,
# derives its policy with `fguardctl build', boots a QEMU guest and runs
# nginx there under the policy, showing a request served, attacks refused
# and `fguardctl status'.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
step() { printf '\n\033[1m>> %s\033[0m\n' "$*"; }

step "[1/5] Installing missing Debian packages (first run only)"
tests/deps.sh
step "[2/5] Building fguard.ko and fguardctl"
make -s all 2>&1 | grep -v 'Skipping BTF' || true
mkdir -p build/guest
gcc -static -O2 -o build/guest/fgprobe tests/guest/fgprobe.c

step "[3/5] Assembling the nginx image from Debian packages (cached after the first run)"
QUIET=1 tests/images/make-image.sh nginx build/nginx.tar --rootfs build/nginx-rootfs
ls -l build/nginx.tar | awk '{print "build/nginx.tar: " $5 " bytes"}'

step "[4/5] fguardctl build build/nginx.tar -o build/nginx.txt"
p=build/payload-demo
rm -rf "$p"
mkdir -p "$p/policies" "$p/images/nginx"
./fguardctl build build/nginx.tar -o "$p/policies/nginx.txt"
./fguardctl compile "$p/policies/nginx.txt" -o "$p/policies/nginx.bin"
cp "$p/policies/nginx.txt" build/nginx.txt
echo
echo "Policy summary: $(grep -c '^[rwx]' build/nginx.txt) rules," \
     "$(grep -c '^[rwx]*w' build/nginx.txt) writable," \
     "$(grep -c '^[rwx]*x' build/nginx.txt) executable; a few of them:"
grep -E '^(rx  /usr/sbin/nginx|r   /etc/nginx/mime.types|r   /usr/share/nginx/html|rw  /run/nginx.pid|rx  /usr/lib/x86_64-linux-gnu/libc.so)' build/nginx.txt
echo "(the whole policy: build/nginx.txt)"

step "[5/5] Booting a QEMU guest (TCG, about a minute) and running nginx under the policy"
cp fguard.ko fguardctl build/guest/fgprobe tests/guest/lib.sh tests/guest/demo-guest.sh "$p/"
cp -a build/nginx-rootfs/. "$p/images/nginx/"
tests/qemu/run-guest.sh --timeout 600 --log build/demo-guest.log --payload "$p" -- ./demo-guest.sh |
	sed -n '/FGUARD-GUEST-START/,/demo-done/{/FGUARD-GUEST-START\|demo-done\|^\[ *[0-9]/d;p}'
grep -q demo-done build/demo-guest.log || { echo "the demo did not finish; see build/demo-guest.log"; exit 1; }
