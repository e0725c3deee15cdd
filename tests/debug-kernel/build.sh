#!/bin/bash
# Builds the fguard debug kernel (DESIGN.md section 5) from Debian's
# linux-source, the same version as the stock kernel's package.
#
# Usage: build.sh [--print-dir] [--jobs N]
#
#   --print-dir  print the cache directory for the current config and exit
#                (builds nothing; the directory may not exist yet)
#   --jobs N     parallel make jobs (default 2; this machine has 2 cores)
#
# Config: `make allnoconfig`, then debug.config (next to this script) merged
# with scripts/kconfig/merge_config.sh -m, then `make olddefconfig`; every
# option of the fragment must have survived or the build stops listing the
# dropped ones. Then `make bzImage modules_prepare`, then `make modules`:
# even with nothing =m (the fragment keeps it so), that step is what writes
# Module.symvers from vmlinux.symvers, and external module builds want it.
#
# Cache: $FGUARD_CACHE/debug-kernel/<source-version>-<hash> where FGUARD_CACHE
# defaults to /var/cache/fguard and <hash> covers debug.config, the compiler
# version and RECIPE below. A complete build is reused; an interrupted one is
# resumed (make is incremental). Concurrent callers serialise on a lock file.
# The directory holds:
#   bzImage         -> build/arch/x86/boot/bzImage
#   build/          the whole configured and built source tree; build an
#                   external module with: make -C <dir>/build M=$PWD modules
#   kernelrelease   `uname -r` of the debug kernel
#   build.log       full make output
#   .fguard-complete  stamp written last, with the build time
# Directories of older configs (about 2 GB each) are left alone; delete them
# by hand.
#
# The cache directory is printed as the last line of stdout; progress goes to
# stderr. Exit status: 0 built or cached, 1 build/config failure, 2 usage or
# environment error.
set -eu
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../qemu/lib.sh
. "$here/../qemu/lib.sh"

# Bump when the build procedure changes in a way that affects the output.
RECIPE=1
fragment=$here/debug.config
jobs=2
print_dir=0

while [ $# -gt 0 ]; do
	case $1 in
	--print-dir) print_dir=1 ;;
	--jobs) [ $# -ge 2 ] || fguard_die "--jobs needs a number"; jobs=$2; shift ;;
	--jobs=*) jobs=${1#--jobs=} ;;
	-h|--help) sed -n '2,/^set -eu/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	*) fguard_die "unknown argument: $1 (see --help)" ;;
	esac
	shift
done
case $jobs in ''|*[!0-9]*|0) fguard_die "--jobs: not a positive number: $jobs" ;; esac
[ -r "$fragment" ] || fguard_die "missing config fragment $fragment"

fguard_require gcc:gcc make:make bc:bc flex:flex bison:bison xz:xz-utils \
	tar:tar sha256sum:coreutils flock:util-linux dpkg-query:dpkg \
	perl:perl
[ -e /usr/include/libelf.h ] || fguard_die "missing libelf headers (apt-get install libelf-dev)"
[ -e /usr/include/openssl/ssl.h ] || fguard_die "missing OpenSSL headers (apt-get install libssl-dev)"

stock=$(fguard_stock_release)
series=$(printf '%s\n' "$stock" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p')
[ -n "$series" ] || fguard_die "cannot derive the kernel series from stock release '$stock'"
srcpkg=linux-source-$series
tarball=/usr/src/$srcpkg.tar.xz
srcver=$(dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null || true)
if [ -z "$srcver" ] || [ ! -r "$tarball" ]; then
	fguard_die "need $tarball from package $srcpkg (apt-get install $srcpkg)"
fi
imgver=$(dpkg-query -W -f='${Version}' "linux-image-$stock" 2>/dev/null ||
	dpkg-query -W -f='${Version}' "linux-image-$stock-unsigned" 2>/dev/null || true)
if [ -n "$imgver" ] && [ "$imgver" != "$srcver" ]; then
	fguard_die "$srcpkg is $srcver but linux-image-$stock is $imgver; install matching versions (apt-get install $srcpkg=$imgver, or upgrade linux-image-amd64)"
fi

hash=$( {
	printf 'recipe %s\n' "$RECIPE"
	gcc --version | head -n 1
	cat "$fragment"
} | sha256sum | cut -c1-12)
root=${FGUARD_CACHE:-/var/cache/fguard}/debug-kernel
dir=$root/$srcver-$hash

if [ "$print_dir" = 1 ]; then
	printf '%s\n' "$dir"
	exit 0
fi

complete() {
	[ -f "$dir/.fguard-complete" ] && [ -f "$dir/build/arch/x86/boot/bzImage" ] &&
		[ -f "$dir/build/Module.symvers" ] && [ -f "$dir/build/.config" ] &&
		[ -d "$dir/build/include/generated" ]
}

mkdir -p "$root" || fguard_die "cannot create cache directory $root (set FGUARD_CACHE)"
exec 9>"$dir.lock"
if ! flock -n 9; then
	fguard_log "waiting for another build of $dir"
	flock 9
fi

if complete; then
	fguard_log "cached: $dir ($(cat "$dir/kernelrelease"))"
	printf '%s\n' "$dir"
	exit 0
fi

start=$(date +%s)
step() { fguard_log "[$(( $(date +%s) - start ))s] $*"; }
mkdir -p "$dir"
tree=$dir/build
log=$dir/build.log

# make output goes to build.log; stderr gets errors, the link steps and a
# line every 100 compiled files.
progress() {
	local line n=0
	while IFS= read -r line; do
		case $line in
		'  CC '*) n=$((n + 1)); [ $((n % 100)) != 0 ] || printf '  ... %d files compiled (%s)\n' "$n" "${line##* }" ;;
		*error:*|*'Error '[0-9]*|*'***'*|'  LD '*|*'is ready'*) printf '%s\n' "$line" ;;
		esac
	done
}
kmake() {
	printf '\n### make %s\n' "$*" >>"$log"
	local rc
	set +e
	make -C "$tree" "$@" 2>&1 | tee -a "$log" | progress >&2
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" != 0 ]; then
		fguard_log "make $* failed (exit $rc); last lines of $log:"
		tail -n 40 "$log" >&2
		exit 1
	fi
}

if [ ! -f "$dir/.extracted" ]; then
	step "extracting $tarball ($srcpkg $srcver) into $tree"
	rm -rf "$tree"
	mkdir -p "$tree"
	tar -xJf "$tarball" -C "$tree" --strip-components=1
	touch "$dir/.extracted"
fi

if [ ! -f "$dir/.configured" ] || ! cmp -s "$fragment" "$dir/debug.config"; then
	step "configuring: allnoconfig + debug.config + olddefconfig"
	: >"$log"
	kmake allnoconfig
	(cd "$tree" && ./scripts/kconfig/merge_config.sh -m .config "$fragment") >>"$log" 2>&1 ||
		{ tail -n 40 "$log" >&2; fguard_die "merge_config.sh failed"; }
	kmake olddefconfig

	# Every fragment line must be in the final .config exactly as written.
	dropped=
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			opt=${line%%=*}
			grep -qxF -- "$line" "$tree/.config" || {
				got=$(grep -E "^$opt=|^# $opt is not set" "$tree/.config" || true)
				dropped="$dropped
  $line  (got: ${got:-absent})"
			}
			;;
		'# CONFIG_'*' is not set')
			opt=${line#\# }
			opt=${opt%% *}
			if grep -qE "^$opt=" "$tree/.config"; then
				dropped="$dropped
  $line  (got: $(grep -E "^$opt=" "$tree/.config"))"
			fi
			;;
		esac
	done <"$fragment"
	if [ -n "$dropped" ]; then
		fguard_log "Kconfig dropped or changed these options of $fragment:$dropped"
		fguard_log "(a missing dependency, or an option renamed in this kernel; fix debug.config)"
		exit 1
	fi
	cp "$fragment" "$dir/debug.config"
	touch "$dir/.configured"
fi

step "building bzImage + modules_prepare with -j$jobs (log: $log)"
kmake -j"$jobs" bzImage modules_prepare
step "make modules ($(grep -c '=m$' "$tree/.config") options are =m; this also writes Module.symvers)"
kmake -j"$jobs" modules
[ -f "$tree/Module.symvers" ] || fguard_die "build finished without $tree/Module.symvers"

make -s -C "$tree" kernelrelease >"$dir/kernelrelease"
ln -sfn build/arch/x86/boot/bzImage "$dir/bzImage"
secs=$(( $(date +%s) - start ))
printf 'built %s in %ss with -j%s\n' "$(cat "$dir/kernelrelease")" "$secs" "$jobs" >"$dir/.fguard-complete"
step "done: $(cat "$dir/kernelrelease") in $dir"
printf '%s\n' "$dir"
