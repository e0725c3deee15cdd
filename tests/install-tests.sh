#!/bin/bash
# Installation tests (TAP): `make install DESTDIR=...' into a staging
# directory, and the DKMS package built (never installed, never loaded)
# against the installed Debian headers: dkms add + dkms build, then
# dkms remove. Needs root for dkms.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
n=0
fail=0
t() {	# name cmd...
	local name=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
		fail=$((fail + 1))
	fi
}

stage=$(mktemp -d /tmp/fguard-install.XXXXXX)
trap 'rm -rf "$stage"' EXIT
t "make install DESTDIR=... PREFIX=/usr" make -s install DESTDIR="$stage" PREFIX=/usr
t "fguardctl installed and runs" "$stage/usr/sbin/fguardctl" --version
t "man page installed" test -s "$stage/usr/share/man/man8/fguardctl.8"
t "bash completion installed" test -s "$stage/usr/share/bash-completion/completions/fguardctl"
t "man page has its sections" sh -c "for s in NAME SYNOPSIS DESCRIPTION COMMANDS 'POLICY FORMAT' 'EXIT STATUS' EXAMPLES 'SEE ALSO'; do grep -q \"^.SH \$s\" '$stage/usr/share/man/man8/fguardctl.8' || exit 1; done"
t "make dkms-source DESTDIR=... stages the module source" make -s dkms-source DESTDIR="$stage"

kver=$(tests/kernel-version.sh)
ver=ci-$$
src=/usr/src/fguard-$ver
cleanup_dkms() {
	dkms remove -m fguard -v "$ver" --all > /dev/null 2>&1
	rm -rf "$src"
}
cleanup_dkms
mkdir -p "$src"
cp -r Kbuild kmod include "$src/"
sed "s/@VERSION@/$ver/" dkms.conf > "$src/dkms.conf"
t "dkms add" dkms add -m fguard -v "$ver"
t "dkms build for $kver (built, not loaded)" dkms build -m fguard -v "$ver" -k "$kver"
t "dkms produced fguard.ko for $kver" sh -c "ls /var/lib/dkms/fguard/$ver/$kver/*/module/fguard.ko*"
cleanup_dkms
t "dkms remove leaves nothing behind" sh -c "! ls -d /var/lib/dkms/fguard/$ver 2>/dev/null"
echo "$((n - fail)) passed, $fail failed"
[ "$fail" = 0 ]
