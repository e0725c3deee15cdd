#!/bin/bash
# Boots a kernel in QEMU (TCG) with a busybox initramfs, runs one command in
# the guest and fails on anything but a clean run (STYLE.md item 15, DESIGN.md
# section 5).
#
# Usage: run-guest.sh [options] [--payload DIR] -- GUEST_COMMAND [ARG...]
#
#   --kernel stock|debug  stock: the newest /boot/vmlinuz-*-amd64 that has a
#                         /lib/modules/<release>/ (FGUARD_STOCK_KERNEL=<release>
#                         pins one); debug: the kernel of
#                         tests/debug-kernel/build.sh, built first if it is not
#                         cached (FGUARD_DEBUG_KERNEL_DIR=<dir> uses a given
#                         build.sh output directory). Default stock.
#   --payload DIR         copied to /payload in the guest; the command runs
#                         there. Default: an empty /payload.
#   --timeout SECS        host-side limit for the whole boot (default 600).
#   --mem MB              guest RAM (default 2048).
#   --smp N               guest CPUs (default 2).
#   --module NAME         (repeatable) load this module of the stock kernel,
#                         with its dependencies, before the command. Default
#                         list: overlay. Built-in modules are skipped; on the
#                         debug kernel everything needed is built in.
#   --env NAME=VALUE      (repeatable) export into the guest command.
#   --append ARGS         extra kernel command line.
#   --log FILE            keep the guest console log (CR stripped) in FILE.
#   --print-build-dir     print the kernel build tree to build a module for
#                         the selected kernel against (make -C <dir> M=...)
#                         and exit: /lib/modules/<release>/build for stock,
#                         <build.sh dir>/build for debug.
#   --quiet               stream only the test lines (`ok N - ...`,
#                         `not ok N - ...`, `N passed, N failed`, `# ...`)
#                         instead of the whole console; the whole console log
#                         is printed to stderr on failure.
#
# Payload: copied as is (cpio newc, gzip, owner root). Dynamically linked ELF
# files in it (fguardctl, test programs) get their shared libraries and ELF
# interpreter copied from the host to the same paths, found with ldd. Any
# subdirectory that has an `etc` or `usr` directory is taken for a container
# root filesystem and is not scanned: its programs bring their own libraries.
#
# Guest: /init (busybox sh) moves the root from the initramfs to a tmpfs (so
# pivot_root(2) works in the guest), mounts proc, sysfs, devtmpfs, devpts,
# tmpfs on /tmp /run /dev/shm, debugfs, tracefs and cgroup2 on
# /sys/fs/cgroup, brings lo up, loads the modules, and runs the command with
# cwd /payload, stdin /dev/null, PATH starting with /payload and the
# environment FGUARD_GUEST=1, FGUARD_KERNEL=stock|debug plus --env. Should
# the command still run 30 s before the host timeout (at 3/4 of it when that
# is under 120 s), a guest watchdog prints blocked tasks, held locks and CPU
# backtraces (sysrq w, d, l). On a kernel with kmemleak, /init scans and
# clears the suspects before the command and scans twice (5 s apart) after
# it, printing the report between FGUARD-KMEMLEAK-BEGIN/END. It then prints
# dmesg between FGUARD-DMESG-BEGIN/END, writes `FGUARD-GUEST-EXIT <rc>`
# through /dev/kmsg (printk reaches the console synchronously, before the
# power-off) and runs `poweroff -f`. /init keeps a busybox-only PATH so that
# payload files cannot shadow its tools.
#
# Kernel command line: console=ttyS0 (the only console), panic=-1 (reboot at
# once on panic; with -no-reboot QEMU then exits), oops=panic (an oops ends
# the run instead of leaving a half-dead guest until the timeout),
# ignore_loglevel (every printk reaches the console), printk.time=1 (the host
# recognises kernel lines by their timestamp), printk.devkmsg=on (no rate limit
# on /dev/kmsg, so the exit marker is never dropped).
#
# The run fails (exit 1) when the command exits non-zero, the exit marker is
# missing (guest panic, crashed init), a kmemleak report has an `unreferenced
# object`, or a kernel line (one with a printk timestamp) contains BUG:,
# WARNING:, Oops, Call Trace, kernel BUG at, UBSAN:, KASAN:, possible circular
# locking, suspicious RCU usage, sleeping function called from invalid
# context, general protection fault or Kernel panic. Exit 124: the timeout hit
# (QEMU killed, log tail printed). Exit 2: usage or environment error.
# The console is streamed to stdout as it comes, CR stripped; the verdict and
# the offending lines go to stderr.
set -eu
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

kernel=stock
payload=
timeout=600
mem=2048
smp=2
modules=
modules_set=0
envs=()
append=
logcopy=
quiet=0
print_build_dir=0

need_arg() { [ "$2" -ge 2 ] || fguard_die "$1 needs an argument (see --help)"; }
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kernel=$2; shift ;;
	--payload) need_arg "$1" $#; payload=$2; shift ;;
	--timeout) need_arg "$1" $#; timeout=$2; shift ;;
	--mem) need_arg "$1" $#; mem=$2; shift ;;
	--smp) need_arg "$1" $#; smp=$2; shift ;;
	--module) need_arg "$1" $#; modules="$modules $2"; modules_set=1; shift ;;
	--env) need_arg "$1" $#; envs+=("$2"); shift ;;
	--append) need_arg "$1" $#; append="$append $2"; shift ;;
	--log) need_arg "$1" $#; logcopy=$2; shift ;;
	--quiet) quiet=1 ;;
	--print-build-dir) print_build_dir=1 ;;
	-h|--help) sed -n '2,/^set -eu/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	--) shift; break ;;
	*) fguard_die "unknown argument: $1 (the guest command goes after --; see --help)" ;;
	esac
	shift
done
[ $# -gt 0 ] || [ "$print_build_dir" = 1 ] || fguard_die "no guest command (usage: run-guest.sh [options] --payload DIR -- CMD [ARG...])"
for n in "$timeout" "$mem" "$smp"; do
	case $n in ''|*[!0-9]*|0) fguard_die "not a positive number: '$n'" ;; esac
done
[ "$modules_set" = 1 ] || modules=overlay
[ -z "$payload" ] || [ -d "$payload" ] || fguard_die "--payload $payload: not a directory"
for e in "${envs[@]+"${envs[@]}"}"; do
	case $e in
	[A-Za-z_]*=*) n=${e%%=*}; case $n in *[!A-Za-z0-9_]*) fguard_die "--env $e: bad name" ;; esac ;;
	*) fguard_die "--env $e: expected NAME=VALUE" ;;
	esac
done

fguard_require qemu-system-x86_64:qemu-system-x86 cpio:cpio gzip:gzip \
	ldd:libc-bin readelf:binutils tail:coreutils sed:sed modinfo:kmod
busybox=${FGUARD_BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || fguard_die "no $busybox (apt-get install busybox-static)"
if LC_ALL=C readelf -l "$busybox" 2>/dev/null | grep -q 'Requesting program interpreter'; then
	fguard_die "$busybox is dynamically linked; the initramfs needs busybox-static (apt-get install busybox-static)"
fi

case $kernel in
stock)
	release=$(fguard_stock_release)
	image=/boot/vmlinuz-$release
	moddir=/lib/modules/$release
	builddir=$moddir/build
	;;
debug)
	if [ -n "${FGUARD_DEBUG_KERNEL_DIR:-}" ]; then
		kdir=$FGUARD_DEBUG_KERNEL_DIR
	else
		kdir=$("$here/../debug-kernel/build.sh" | tail -n 1) ||
			fguard_die "tests/debug-kernel/build.sh failed"
	fi
	image=$kdir/bzImage
	if [ ! -r "$image" ] || [ ! -r "$kdir/kernelrelease" ]; then
		fguard_die "no debug kernel in $kdir (run tests/debug-kernel/build.sh)"
	fi
	release=$(cat "$kdir/kernelrelease")
	moddir=
	builddir=$kdir/build
	;;
*) fguard_die "--kernel: expected stock or debug, got '$kernel'" ;;
esac
[ -r "$image" ] || fguard_die "cannot read kernel image $image"
if [ "$print_build_dir" = 1 ]; then
	[ -e "$builddir/Makefile" ] ||
		fguard_die "no kernel build tree at $builddir (apt-get install linux-headers-$release)"
	printf '%s\n' "$builddir"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/fguard-guest.XXXXXX")
qpid=
tpid=
cleanup() {
	# Only the QEMU and tail processes this script started, by PID.
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -KILL "$qpid" 2>/dev/null || true
	fi
	if [ -n "$tpid" ] && kill -0 "$tpid" 2>/dev/null; then
		kill "$tpid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs_since() { local d=$(( $(now_ms) - $1 )); printf '%d.%d' $((d / 1000)) $((d % 1000 / 100)); }
t0=$(now_ms)
root=$work/root
mkdir -p "$root"
(cd "$root" && mkdir -p bin sbin usr/bin usr/sbin etc/fguard proc sys dev tmp run root newroot payload)
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

# busybox; /init makes the other applet links with `busybox --install -s`.
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# Payload, plus the shared libraries of its dynamic ELF files.
if [ -n "$payload" ]; then
	cp -a "$payload/." "$root/payload/"
fi
copy_host_file() {
	[ -e "$root$1" ] && return 0
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
}
is_dynamic_elf() {
	LC_ALL=C readelf -d "$1" 2>/dev/null | grep -q '(NEEDED)'
}
libs_missing=
while IFS= read -r -d '' f; do
	is_dynamic_elf "$f" || continue
	out=$(LC_ALL=C ldd "$f" 2>&1) || fguard_die "ldd ${f#"$root"} failed: $out"
	while read -r a b c _; do
		if [ "$b" = "=>" ] && [ "$c" = "not" ]; then
			libs_missing="$libs_missing ${f#"$root"}:$a"
		elif [ "$b" = "=>" ] && [ "${c#/}" != "$c" ]; then
			copy_host_file "$c"
		elif [ "${a#/}" != "$a" ]; then
			copy_host_file "$a"
		fi
	done <<<"$out"
done < <(find "$root/payload" -mindepth 1 \
	\( -type d \( -exec test -d '{}/etc' \; -o -exec test -d '{}/usr' \; \) -prune \) -o \
	\( -type f -size +63c -print0 \))
[ -z "$libs_missing" ] || fguard_die "payload libraries not found on the host:$libs_missing"
# A module loads only on the kernel it was built for: say so before booting.
while IFS= read -r -d '' f; do
	vm=$(modinfo -F vermagic "$f" 2>/dev/null || true)
	[ "${vm%% *}" = "$release" ] ||
		fguard_log "warning: ${f#"$root"} was built for ${vm%% *}, not for $release; insmod will fail"
done < <(find "$root/payload" -name '*.ko' -type f -print0)

# Stock kernel modules and their dependencies, in load order.
: >"$root/etc/fguard/modules"
if [ -n "$moddir" ]; then
	[ -r "$moddir/modules.dep" ] || fguard_die "no $moddir/modules.dep (run depmod $release)"
	# Load order by hand, as modprobe would: hard dependencies from
	# modules.dep first, "pre:" soft dependencies (modules.softdep, names or
	# modules.alias entries) before those, as optional modules.
	for f in modules.builtin modules.softdep modules.alias; do
		[ -r "$moddir/$f" ] || fguard_die "no $moddir/$f (run depmod $release)"
	done
	order=$(cd "$moddir" && awk -v want="$modules" '
		function norm(p, b) { b = p; sub(/.*\//, "", b); sub(/\.ko.*/, "", b); gsub(/-/, "_", b); return b }
		function load(n, opt, c, d, j, k, s, i) {
			if (n in done) return
			done[n] = 1
			k = split(pre[n], s, " ")
			for (i = 1; i <= k; i++) softload(s[i])
			c = split(deps[n], d, " ")
			for (j = c; j >= 1; j--) if (norm(d[j]) in path) load(norm(d[j]), opt)
			print (opt ? "O " : "M ") path[n]
		}
		function softload(name, n, a, i, m) {
			n = norm(name)
			if (n in path) { load(n, 1); return }
			m = split(alias[n], a, " ")
			for (i = 1; i <= m; i++) if (norm(a[i]) in path) load(norm(a[i]), 1)
		}
		FILENAME == "modules.dep" {
			i = index($0, ":"); n = norm(substr($0, 1, i - 1))
			path[n] = substr($0, 1, i - 1); deps[n] = substr($0, i + 1); next
		}
		FILENAME == "modules.builtin" { builtin[norm($0)] = 1; next }
		FILENAME == "modules.softdep" && $1 == "softdep" {
			n = norm($2); inpre = 0
			for (i = 3; i <= NF; i++) {
				if ($i == "pre:") inpre = 1
				else if ($i == "post:") inpre = 0
				else if (inpre) pre[n] = pre[n] " " $i
			}
			next
		}
		FILENAME == "modules.alias" && $1 == "alias" { a = $2; gsub(/-/, "_", a); alias[a] = alias[a] " " $3; next }
		END {
			k = split(want, w, " ")
			for (i = 1; i <= k; i++) {
				n = norm(w[i])
				if (n in path) load(n, 0)
				else if (!(n in builtin)) print "X " w[i]
			}
		}' modules.dep modules.builtin modules.softdep modules.alias)
	while read -r kind p; do
		case $kind in
		X) fguard_die "module $p: not in $moddir/modules.dep nor modules.builtin" ;;
		M|O) ;;
		*) continue ;;
		esac
		src=$moddir/$p
		dst=/lib/modules/$release/${p%.ko*}.ko
		mkdir -p "$root$(dirname "$dst")"
		case $src in
		*.ko) cp "$src" "$root$dst" ;;
		*.ko.xz) xz -dc "$src" >"$root$dst" ;;
		*.ko.zst) zstd -qdc "$src" >"$root$dst" ;;
		*.ko.gz) gzip -dc "$src" >"$root$dst" ;;
		*) fguard_die "unknown module format: $src" ;;
		esac
		printf '%s %s\n' "$kind" "$dst" >>"$root/etc/fguard/modules"
	done <<<"$order"
fi

# The guest command script: environment, cwd, then the command with each
# argument single-quoted for the guest shell. /init itself keeps a PATH of
# busybox only, so payload files cannot shadow its tools.
quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
{
	printf 'export PATH=/payload:/payload/bin:/usr/sbin:/usr/bin:/sbin:/bin\n'
	printf 'export FGUARD_GUEST=1 FGUARD_KERNEL=%s\n' "$(quote "$kernel")"
	for e in "${envs[@]+"${envs[@]}"}"; do
		printf 'export %s=%s\n' "${e%%=*}" "$(quote "${e#*=}")"
	done
	printf 'cd /payload || exit 125\nexec'
	for a in "$@"; do printf ' %s' "$(quote "$a")"; done
	printf '\n'
} >"$root/etc/fguard/cmd"
# The guest dumps its state shortly before the host gives up on it.
if [ "$timeout" -ge 120 ]; then watchdog=$((timeout - 30)); else watchdog=$((timeout * 3 / 4)); fi
printf '%s\n' "$watchdog" >"$root/etc/fguard/watchdog-at"

cat >"$root/init" <<'EOF'
#!/bin/sh
# fguard guest init, generated by tests/qemu/run-guest.sh.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
if [ "$1" != stage2 ]; then
	/bin/busybox --install -s
	# pivot_root(2) refuses to move the initramfs root: copy it to a tmpfs.
	mount -t tmpfs -o mode=0755,size=90% root /newroot || exit 1
	for e in /*; do
		[ "$e" = /newroot ] || cp -a "$e" /newroot/ || exit 1
	done
	exec switch_root /newroot /init stage2
fi

# Not "[ 1.23]": the host takes bracketed timestamps for kernel lines.
say() { echo "fguard-init: at $(cut -d' ' -f1 /proc/uptime)s: $*"; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
[ -d /sys/kernel/debug ] && mount -t debugfs debugfs /sys/kernel/debug
[ -d /sys/kernel/tracing ] && mount -t tracefs tracefs /sys/kernel/tracing
mount -t cgroup2 cgroup2 /sys/fs/cgroup || say "cannot mount cgroup2"
hostname fguard-guest
ip link set lo up || say "cannot bring lo up"
init_error=
while read -r kind m; do
	if ! insmod "$m"; then
		if [ "$kind" = M ]; then
			init_error="$init_error $m"
		else
			say "insmod $m failed (optional soft dependency)"
		fi
	fi
done </etc/fguard/modules

kmemleak=/sys/kernel/debug/kmemleak
if [ -w $kmemleak ]; then
	# Forget the boot's suspects. clear only forgets objects a scan has
	# reported, and a scan only reports objects older than 5 s: the boot ran
	# long before /init; the few objects of the lines above are too young to
	# be forgotten, but a leak there would be the same on every run.
	say "kmemleak: scan + clear"
	echo scan >$kmemleak
	echo clear >$kmemleak
fi

say "running: $(tail -n 1 /etc/fguard/cmd)"
echo "FGUARD-GUEST-START"
(
	at=$(cat /etc/fguard/watchdog-at)
	while [ "$(cut -d. -f1 /proc/uptime)" -lt "$at" ]; do sleep 2; done
	say "watchdog: still running at the host timeout; blocked tasks, held locks, CPU backtraces:"
	echo w >/proc/sysrq-trigger
	[ -e /proc/lockdep ] && echo d >/proc/sysrq-trigger
	echo l >/proc/sysrq-trigger
) </dev/null &
watchdog=$!
if [ -n "$init_error" ]; then
	say "not running the command: cannot load$init_error"
	rc=125
else
	sh /etc/fguard/cmd </dev/null
	rc=$?
fi
kill $watchdog 2>/dev/null
echo "FGUARD-GUEST-END rc=$rc"
say "command finished"

if [ -w $kmemleak ]; then
	# A first scan only records object checksums; the second reports.
	say "kmemleak: scan, wait, scan"
	echo scan >$kmemleak
	sleep 5
	echo scan >$kmemleak
	echo "FGUARD-KMEMLEAK-BEGIN"
	cat $kmemleak
	echo "FGUARD-KMEMLEAK-END"
fi
echo "FGUARD-DMESG-BEGIN"
dmesg
echo "FGUARD-DMESG-END"
# Let the tty drain (stty sets attributes with TCSADRAIN), then report
# through printk, which reaches the console before the power-off.
stty -F /dev/console -tostop 2>/dev/null
sleep 1
echo "FGUARD-GUEST-EXIT $rc" >/dev/kmsg
poweroff -f
EOF
chmod 755 "$root/init"

initrd=$work/initrd.img
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R +0:+0 --quiet) | gzip -1 >"$initrd"
fguard_log "kernel $kernel $release, initramfs $(du -h "$initrd" | cut -f1) built in $(secs_since "$t0")s"
t1=$(now_ms)

cmdline="console=ttyS0 panic=-1 oops=panic ignore_loglevel printk.time=1 printk.devkmsg=on$append"
log=$work/console.raw
: >"$log"
qemu=(qemu-system-x86_64 -accel tcg -cpu max -m "$mem" -smp "$smp"
	-nodefaults -no-user-config -display none -monitor none -no-reboot
	-chardev "file,id=con,path=$log,append=on" -serial chardev:con
	-kernel "$image" -initrd "$initrd" -append "$cmdline")
# extra QEMU options, e.g. "-icount shift=0" for instruction-counted time
# shellcheck disable=SC2206
[ -z "${FGUARD_QEMU_EXTRA:-}" ] || qemu+=($FGUARD_QEMU_EXTRA)
fguard_log "${qemu[*]}"
"${qemu[@]}" </dev/null >"$work/qemu.out" 2>&1 &
qpid=$!

if [ "$quiet" = 1 ]; then
	filter='s/\r//g; /^(not )?ok [0-9]+|^[0-9]+ passed, [0-9]+ failed|^# |^Bail out!/p'
else
	filter='s/\r//g; p'
fi
tail -n +1 -s 0.2 -F --pid="$qpid" "$log" 2>/dev/null | sed -nu -E "$filter" &
tpid=$!

timed_out=0
deadline=$(( $(date +%s) + timeout ))
while kill -0 "$qpid" 2>/dev/null; do
	if [ "$(date +%s)" -ge "$deadline" ]; then
		timed_out=1
		kill -TERM "$qpid" 2>/dev/null || true
		sleep 2
		kill -KILL "$qpid" 2>/dev/null || true
		break
	fi
	sleep 0.5
done
qrc=0
wait "$qpid" || qrc=$?
qpid=
wait "$tpid" 2>/dev/null || true
tpid=
secs=$(secs_since "$t1")

clean=$work/console.log
tr -d '\r' <"$log" >"$clean"
if [ -n "$logcopy" ]; then
	cp "$clean" "$logcopy"
fi

show_log() {
	if [ "$quiet" = 1 ]; then
		echo "---- guest console log ----" >&2
		cat "$clean" >&2
		echo "---- end of guest console log ----" >&2
	fi
}
if [ "$timed_out" = 1 ]; then
	fguard_log "FAIL: timeout after ${timeout}s; last 60 console lines:"
	tail -n 60 "$clean" >&2
	exit 124
fi

reasons=()
rc=$(sed -n 's/.*FGUARD-GUEST-EXIT \(-\{0,1\}[0-9]\{1,\}\).*/\1/p' "$clean" | tail -n 1)
if [ -z "$rc" ]; then
	reasons+=("no FGUARD-GUEST-EXIT marker (guest crashed or init died; qemu exit $qrc)")
	[ -s "$work/qemu.out" ] && reasons+=("qemu said: $(head -c 2000 "$work/qemu.out")")
elif [ "$rc" != 0 ]; then
	reasons+=("guest command exited $rc")
fi
pattern='BUG:|WARNING:|Oops|Call Trace|kernel BUG at|UBSAN:|KASAN:|possible circular locking|suspicious RCU usage|sleeping function called from invalid context|general protection fault|Kernel panic'
bad=$(grep -E "\[ *[0-9]+\.[0-9]+\].*($pattern)" "$clean" | sort -u | head -n 40 || true)
if [ -n "$bad" ]; then
	reasons+=("kernel log problems:
$bad")
fi
leaks=$(grep -c 'unreferenced object 0x' "$clean" || true)
if [ "$leaks" != 0 ]; then
	reasons+=("kmemleak: $leaks unreferenced object(s):
$(sed -n '/FGUARD-KMEMLEAK-BEGIN/,/FGUARD-KMEMLEAK-END/p' "$clean" | head -n 80)")
fi

if [ ${#reasons[@]} -gt 0 ]; then
	show_log
	for r in "${reasons[@]}"; do
		fguard_log "FAIL: $r"
	done
	fguard_log "FAIL ($kernel kernel $release, ${secs}s)"
	exit 1
fi
fguard_log "PASS ($kernel kernel $release, ${secs}s)"
