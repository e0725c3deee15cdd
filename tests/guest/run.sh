#!/bin/bash
# Host side of the guest tests: build the module for the chosen kernel,
# assemble the payload and run the suites in a QEMU guest.
#
# Usage: tests/guest/run.sh stock|debug [SUITE...]
#   SUITE: suite-*.sh names in tests/guest (default: all of them)
# Prints the guest's TAP lines and its "N passed, N failed" line; exits
# non-zero on any failure, timeout or kernel splat.
set -euo pipefail
kernel=${1:?usage: run.sh stock|debug [SUITE...]}
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
suites=("$@")
if [ ${#suites[@]} = 0 ]; then
	for s in tests/guest/suite-*.sh; do suites+=("$(basename "$s")"); done
fi

[ -n "${FGUARD_NO_MAKE:-}" ] || make -s fguardctl
mkdir -p build/guest
gcc -static -O2 -Wall -Wextra -o build/guest/fgprobe tests/guest/fgprobe.c

# Build the module out of tree in a directory of its own per kernel, so the
# stock and debug builds do not overwrite each other.
kbuild=build/kmod-$kernel
rm -rf "$kbuild"
mkdir -p "$kbuild"
cp -r Kbuild kmod include "$kbuild/"
if [ "$kernel" = debug ]; then
	dbg=$(tests/debug-kernel/build.sh | tail -n 1)
	kdir=$dbg/build
	timeout=1500
	export FGUARD_DEBUG_KERNEL_DIR=$dbg
else
	kdir=/lib/modules/$(tests/kernel-version.sh)/build
	timeout=600
fi
make -s -C "$kdir" M="$top/$kbuild" FGUARD_DEBUG=y modules > "$kbuild/build.log" 2>&1 ||
	{ cat "$kbuild/build.log"; exit 1; }

payload=build/payload-$kernel
tests/guest/mkpayload.sh "$payload" "$kbuild/fguard.ko" ./fguardctl build/guest/fgprobe

# The real nginx image: its policy is built on the host by fguardctl build,
# its root goes into the payload (suite-image.sh).
if printf '%s\n' "${suites[@]}" | grep -qE '^suite-(image|ocihook|runc).sh$'; then
	QUIET=1 tests/images/make-image.sh nginx build/nginx.tar --rootfs build/nginx-rootfs
	./fguardctl build build/nginx.tar -o "$payload/policies/nginx.txt" 2>/dev/null
	./fguardctl compile "$payload/policies/nginx.txt" -o "$payload/policies/nginx.bin"
	mkdir -p "$payload/images/nginx"
	cp -a build/nginx-rootfs/. "$payload/images/nginx/"
fi
# A real runtime (suite-runc.sh): Debian's runc and jq (run-guest.sh adds
# their shared libraries), and the contrib/oci files for podman, CRI-O and
# Docker.
if printf '%s\n' "${suites[@]}" | grep -qx 'suite-runc.sh'; then
	mkdir -p "$payload/bin" "$payload/contrib"
	for c in runc jq; do
		p=$(PATH=$PATH:/usr/sbin:/sbin command -v $c) ||
			{ echo "run.sh: no $c on this machine (apt-get install $c, or tests/deps.sh)" >&2; exit 2; }
		cp "$p" "$payload/bin/$c"
	done
	cp -r contrib/oci "$payload/contrib/oci"
fi
{
	echo '#!/bin/sh'
	echo 'rc=0'
	for s in "${suites[@]}"; do
		echo "echo '# suite $s'"
		echo "./$s || rc=1"
	done
	echo 'exit $rc'
} > "$payload/run-suites.sh"
chmod +x "$payload/run-suites.sh"
exec tests/qemu/run-guest.sh --kernel "$kernel" --quiet --timeout "$timeout" \
	--log "build/guest-$kernel.log" --payload "$payload" -- ./run-suites.sh
