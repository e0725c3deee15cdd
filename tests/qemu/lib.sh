# shellcheck shell=bash
# Shared helpers for tests/qemu/run-guest.sh and tests/debug-kernel/build.sh.
# Sourced, not executed. Bash.

# modinfo and friends live in sbin, which a non-login PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

fguard_die() {
	printf '%s: error: %s\n' "${0##*/}" "$*" >&2
	exit 2
}

fguard_log() {
	printf '[%s] %s\n' "${0##*/}" "$*" >&2
}

# Prints the release of the stock Debian kernel to test against: the newest
# /boot/vmlinuz-*-amd64 that has a matching /lib/modules/<release>/.
# FGUARD_STOCK_KERNEL=<release> pins it.
fguard_stock_release() {
	local f rel best=
	if [ -n "${FGUARD_STOCK_KERNEL:-}" ]; then
		[ -r "/boot/vmlinuz-$FGUARD_STOCK_KERNEL" ] ||
			fguard_die "FGUARD_STOCK_KERNEL=$FGUARD_STOCK_KERNEL: no readable /boot/vmlinuz-$FGUARD_STOCK_KERNEL"
		[ -d "/lib/modules/$FGUARD_STOCK_KERNEL" ] ||
			fguard_die "FGUARD_STOCK_KERNEL=$FGUARD_STOCK_KERNEL: no /lib/modules/$FGUARD_STOCK_KERNEL"
		printf '%s\n' "$FGUARD_STOCK_KERNEL"
		return 0
	fi
	best=$(
		for f in /boot/vmlinuz-*-amd64; do
			[ -r "$f" ] || continue
			rel=${f#/boot/vmlinuz-}
			[ -d "/lib/modules/$rel" ] || continue
			printf '%s\n' "$rel"
		done | sort -V | tail -n 1
	)
	[ -n "$best" ] ||
		fguard_die "no stock kernel found: need /boot/vmlinuz-<rel>-amd64 and /lib/modules/<rel>/ (apt-get install linux-image-amd64)"
	printf '%s\n' "$best"
}

# Fails listing the missing commands and the Debian packages that provide them.
# Arguments: pairs "command:package".
fguard_require() {
	local pair missing='' pkgs=''
	for pair in "$@"; do
		if ! command -v "${pair%%:*}" >/dev/null 2>&1; then
			missing="$missing ${pair%%:*}"
			case " $pkgs " in *" ${pair#*:} "*) ;; *) pkgs="$pkgs ${pair#*:}" ;; esac
		fi
	done
	[ -z "$missing" ] ||
		fguard_die "missing commands:$missing (apt-get install$pkgs, or run tests/qemu/install-deps.sh)"
}
