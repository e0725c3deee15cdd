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

# An unsupported kernel is refused at build time with the reason (never
# loaded: nothing is). Each case builds against a copy of the installed
# headers' arch part (its .config, include/config/auto.conf and generated
# headers; the common part and the kbuild scripts are shared, read only)
# edited the way another kernel would differ. Edits keep the mtimes: a
# .config newer than auto.conf would ask for a config sync.
hsrc=$(readlink -f "/lib/modules/$kver/build")
kcopy() {	# DIR
	cp -a "$hsrc" "$1" || return 1
	local l
	for l in scripts tools; do
		if [ -L "$hsrc/$l" ]; then ln -sfn "$(readlink -f "$hsrc/$l")" "$1/$l" || return 1; fi
	done
}
kedit() {	# FILE SED-EXPRESSION...
	local f=$1 ref
	shift
	ref=$(mktemp) && touch -r "$f" "$ref" && sed -i "$@" "$f" && touch -r "$ref" "$f" && rm -f "$ref"
}
config_off() {	# DIR OPTION: OPTION unset, as Kconfig writes it
	kedit "$1/.config" -e "s/^CONFIG_$2=y\$/# CONFIG_$2 is not set/" &&
	kedit "$1/include/config/auto.conf" -e "/^CONFIG_$2=y\$/d" &&
	kedit "$1/include/generated/autoconf.h" -e "/^#define CONFIG_$2 1\$/d" &&
	! grep -q "CONFIG_$2[= ]" "$1/include/config/auto.conf" "$1/include/generated/autoconf.h"
}
kbuild() {	# HEADERS-DIR SRC-DIR: build the module; output in SRC-DIR/build.out
	mkdir -p "$2" && cp -r Kbuild kmod include "$2/" &&
	make -j2 -C "$1" M="$2" modules > "$2/build.out" 2>&1
}
refused() {	# SRC-DIR MESSAGE: the build failed, said MESSAGE, made no module
	grep -F -- "$2" "$1/build.out" && [ ! -e "$1/fguard.ko" ] ||
		{ tail -n 20 "$1/build.out"; return 1; }
}
control_build() {	# DIR
	kcopy "$1" && kbuild "$1" "$1-src" && test -s "$1-src/fguard.ko" ||
		{ tail -n 20 "$1-src/build.out"; return 1; }
}
copy_without() {	# DIR OPTION
	kcopy "$1" && config_off "$1" "$2"
}
copy_as_62() {	# DIR
	local v=$1/include/generated/uapi/linux/version.h
	kcopy "$1" &&
	kedit "$v" -e 's/^#define LINUX_VERSION_CODE .*/#define LINUX_VERSION_CODE 393728/' \
		-e 's/^#define LINUX_VERSION_PATCHLEVEL .*/#define LINUX_VERSION_PATCHLEVEL 2/' &&
	grep -q '^#define LINUX_VERSION_CODE 393728$' "$v"
}
kt=$stage/kernels
mkdir -p "$kt"
t "control: the module builds against a copy of the $kver headers" control_build "$kt/same"
for opt in KPROBES DYNAMIC_FTRACE_WITH_REGS SECURITY_PATH; do
	t "headers with CONFIG_$opt off: the copy is edited" copy_without "$kt/no-$opt" "$opt"
	kbuild "$kt/no-$opt" "$kt/no-$opt-src"
	t "headers with CONFIG_$opt off: the build stops and names it" \
		refused "$kt/no-$opt-src" "fguard: unsupported kernel: CONFIG_$opt not set"
done
t "headers of a 6.2 kernel (version.h says 6.2.0): the copy is edited" copy_as_62 "$kt/v62"
kbuild "$kt/v62" "$kt/v62-src"
t "headers of a 6.2 kernel: the build stops with compat.h's message" \
	refused "$kt/v62-src" "fguard: unsupported kernel version: fguard supports Linux 6.1.x only"

echo "$((n - fail)) passed, $fail failed"
[ "$fail" = 0 ]
