#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# trace.sh - run an image's entry point as a container would, under strace,
# drive a workload against it, and record the files it opened, wrote and
# executed.
#
#   trace.sh ROOTFS SPEC WORKLOAD OUT.trace [LOGDIR]
#
# ROOTFS   the unpacked image (make-image.sh --rootfs)
# SPEC     its run spec (make-image.sh --spec): ENTRYPOINT, CMD, ENV, WORKDIR,
#          USER, STOPSIGNAL
# WORKLOAD a bash file defining workload() (see workload-*.sh), run on the
#          host side once the container is started; it may call
#          wait_port PORT, http_get PORT PATH [EXPECT_STATUS],
#          container_exec ARGV... (a `docker exec': traced too) and
#          stop_container.
# OUT      "PERMS PATH" lines, the input of `fguardctl check POLICY -'
# LOGDIR   keeps strace logs and the container's output (default: a
#          temporary directory, removed)
#
# The container: new mount, pid and network namespaces (loopback only, up);
# an overlay of ROOTFS (the cached root is never written) with the runtime's
# mounts: proc, a read-only sysfs, a tmpfs /dev with null, zero, full,
# random, urandom and tty bound from the host, devpts, /dev/shm, and the
# /etc/hosts, /etc/hostname, /etc/resolv.conf a runtime provides. The
# process is chrooted into it by tests/trace/fgtrace (built on the fly with
# cc if $FGTRACE is unset), as the spec's user, in its working directory,
# with exactly its environment. strace follows it and every child.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "trace.sh: $*" >&2; exit 1; }

[[ $# -ge 4 ]] || die "usage: trace.sh ROOTFS SPEC WORKLOAD OUT.trace [LOGDIR]"
[[ $(id -u) == 0 ]] || die "must run as root (namespaces, chroot, mounts)"

if [[ ${1:-} != --inside ]]; then
	ROOTFS=$(readlink -f "$1")
	SPEC=$(readlink -f "$2")
	WORKLOAD=$(readlink -f "$3")
	OUT=$(readlink -f "$(dirname "$4")")/$(basename "$4")
	LOGDIR=${5:-}
	[[ -d $ROOTFS ]] || die "no root at $1"
	command -v strace >/dev/null || die "strace is not installed"
	cleanup=""
	if [[ -z $LOGDIR ]]; then
		LOGDIR=$(mktemp -d /tmp/fguard-trace.XXXXXX)
		cleanup=$LOGDIR
	fi
	mkdir -p "$LOGDIR"
	LOGDIR=$(readlink -f "$LOGDIR")
	if [[ -z ${FGTRACE:-} ]]; then
		FGTRACE=$LOGDIR/fgtrace
		${CC:-cc} -O2 -Wall -o "$FGTRACE" "$HERE/fgtrace.c" || die "cannot build fgtrace"
	fi
	export FGTRACE
	rc=0
	# The mount point of the container's tmpfs; its mounts die with the
	# namespace, the empty directory is removed here.
	NS=$(mktemp -d /tmp/fguard-ns.XXXXXX)
	timeout -k 10 ${TRACE_TIMEOUT:-120} unshare -m -p -n --fork \
		"$0" --inside "$ROOTFS" "$SPEC" "$WORKLOAD" "$OUT" "$LOGDIR" "$NS" || rc=$?
	rmdir "$NS" 2>/dev/null
	[[ -z $cleanup ]] || rm -rf "$cleanup"
	exit $rc
fi

# ------------------------------------------------ inside the namespaces
shift
ROOTFS=$1 SPEC=$2 WORKLOAD=$3 OUT=$4 LOGDIR=$5 T=$6
# shellcheck disable=SC1090
source "$SPEC"

mount --make-rprivate /
"$FGTRACE" lo-up
mount -t tmpfs -o mode=700 tmpfs "$T"
mkdir "$T/upper" "$T/work" "$T/root"
mount -t overlay overlay -o "lowerdir=$ROOTFS,upperdir=$T/upper,workdir=$T/work" "$T/root"
M=$T/root
mkdir -p "$M/proc" "$M/sys" "$M/dev" "$M/etc" "$M/tmp"
mount -t proc -o nosuid,nodev,noexec proc "$M/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$M/sys"
mount -t tmpfs -o nosuid,mode=755,size=64k tmpfs "$M/dev"
for d in null zero full random urandom tty; do
	touch "$M/dev/$d"
	mount --bind "/dev/$d" "$M/dev/$d"
done
mkdir -p "$M/dev/pts" "$M/dev/shm" "$M/dev/mqueue"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$M/dev/pts"
ln -s pts/ptmx "$M/dev/ptmx"
mount -t tmpfs -o nosuid,nodev,noexec,size=64m shm "$M/dev/shm"
ln -s /proc/self/fd "$M/dev/fd"
ln -s /proc/self/fd/0 "$M/dev/stdin"
ln -s /proc/self/fd/1 "$M/dev/stdout"
ln -s /proc/self/fd/2 "$M/dev/stderr"
for f in hosts hostname resolv.conf; do
	rm -f "$M/etc/$f"
done
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tfguard-test\n' >"$M/etc/hosts"
echo fguard-test >"$M/etc/hostname"
echo 'nameserver 127.0.0.1' >"$M/etc/resolv.conf"
hostname fguard-test 2>/dev/null || true

# The user, as runc finds it: NAME or UID[:GID], looked up in the image.
USERSPEC=""
HOME_DIR=/root
if [[ -n ${USER:-} ]]; then
	u=${USER%%:*} g=""
	[[ $USER == *:* ]] && g=${USER#*:}
	line=$(awk -F: -v u="$u" '$1 == u || $3 == u { print; exit }' "$ROOTFS/etc/passwd")
	uid=${u} gid=${g}
	if [[ -n $line ]]; then
		uid=$(cut -d: -f3 <<<"$line")
		[[ -n $gid ]] || gid=$(cut -d: -f4 <<<"$line")
		HOME_DIR=$(cut -d: -f6 <<<"$line")
	fi
	[[ $uid =~ ^[0-9]+$ ]] || die "user \`$USER' not in the image's /etc/passwd"
	[[ -n $gid ]] || gid=$uid
	USERSPEC=$uid:$gid
fi
RUNENV=()
for e in "${ENV[@]}"; do RUNENV+=(--env "$e"); done
printf '%s\n' "${ENV[@]}" | grep -q '^HOME=' || RUNENV+=(--env "HOME=$HOME_DIR")
RUNENV+=(--env HOSTNAME=fguard-test)
ARGV=("${ENTRYPOINT[@]}" "${CMD[@]}")
((${#ARGV[@]})) || die "the image has neither ENTRYPOINT nor CMD"

STRACE=(strace -f -qq -yy -s 4096 -e signal=none
	-e trace=chroot,open,openat,openat2,creat,execve,execveat,unlink,unlinkat,rmdir,rename,renameat,renameat2,mkdir,mkdirat,mknod,mknodat,symlink,symlinkat,link,linkat,chmod,fchmod,fchmodat,chown,fchown,fchownat,lchown,truncate,ftruncate,chdir,fchdir,clone,clone3,fork,vfork)
run_traced() {	# LOG ARGV...: run in the container under strace
	local log=$1
	shift
	"${STRACE[@]}" -o "$log" "$FGTRACE" run --root "$M" --cwd "${WORKDIR:-/}" \
		${USERSPEC:+--user "$USERSPEC"} --pidfile "$T/pid.$(basename "$log")" \
		"${RUNENV[@]}" -- "$@"
}

NEXEC=0
container_exec() {	# a `docker exec', traced like the main process
	NEXEC=$((NEXEC + 1))
	run_traced "$LOGDIR/strace.exec$NEXEC.log" "$@" >>"$LOGDIR/exec.out" 2>&1
}
wait_port() {	# PORT: wait until something listens on 127.0.0.1:PORT
	local i
	for ((i = 0; i < 200; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		kill -0 "$SERVER" 2>/dev/null || die "the container exited before listening on $1"
		sleep 0.05
	done
	die "nothing listens on port $1"
}
http_get() {	# PORT PATH [EXPECT]: one HTTP/1.0 request, checks the status
	local port=$1 path=$2 want=${3:-200} status
	exec 3<>"/dev/tcp/127.0.0.1/$port"
	printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nUser-Agent: fguard-trace\r\n\r\n' "$path" >&3
	status=$(timeout 10 head -c 4096 <&3 | tee -a "$LOGDIR/responses" | head -1 | cut -d' ' -f2)
	exec 3<&-
	[[ $status == "$want" ]] || die "GET $path: status ${status:-none}, expected $want"
	echo "GET $path -> $status" >>"$LOGDIR/requests"
}
stop_container() {
	local pid
	pid=$(cat "$T/pid.strace.log")
	kill -s "${STOPSIGNAL:-SIGTERM}" "$pid" 2>/dev/null || true
	for ((i = 0; i < 200; i++)); do
		kill -0 "$SERVER" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# shellcheck disable=SC1090
source "$WORKLOAD"
: >"$LOGDIR/requests"
run_traced "$LOGDIR/strace.log" "${ARGV[@]}" \
	> >(cat >"$LOGDIR/stdout") 2> >(cat >"$LOGDIR/stderr") &
SERVER=$!
for ((i = 0; i < 100; i++)); do [[ -s $T/pid.strace.log ]] && break; sleep 0.02; done
workload
stop_container
wait "$SERVER" 2>/dev/null || true
"$FGTRACE" convert --root "$M" "$LOGDIR"/strace*.log >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
