#!/bin/sh
# Issue 3: complete mediation. One test per attack class, each next to a
# control that must still succeed, each with the exact errno; the data the
# attacks aim at is compared before and after (contents, modes, owners,
# times, listings). Runs over a bind-mounted root (tmpfs) and an overlayfs
# root, as full root and with Docker's default capabilities.
. ./lib.sh
export PATH=/payload:$PATH
R=/payload/rootfs
P=/payload/policies
ATTACKS=0
BLOCKED=0

lsmod | grep -q '^fguard' || insmod fguard.ko

# attack NAME ERRNO OP ARGS...: an attack that must fail with ERRNO
attack() {
	_n=$1 _e=$2
	shift 2
	ATTACKS=$((ATTACKS + 1))
	t "$V: attack: $_n ($_e)" $RUN /bin/fgprobe expect "$_e" "$@" &&
		BLOCKED=$((BLOCKED + 1))
}

# control NAME OP ARGS...: the allowed twin of an attack
control() {
	_n=$1
	shift
	t "$V: control: $_n" $RUN /bin/fgprobe expect OK "$@"
}

# What the attacks aim at, seen from the host through the container's root:
# everything under /data but the directories the controls change.
snapshot() {
	( cd "/proc/$1/root/data" && find . -path ./rw -prune -o -path ./drop -prune -o -print |
		sort | while read -r f; do
			# a directory's size is the filesystem's business
			# (overlayfs reports the upper one after a copy-up)
			stat -c '%n %f %u %g %Y' "$f"
			[ -f "$f" ] && stat -c '%s' "$f" && md5sum "$f"
		done )
}

# attacks ROOTKIND CAPS: the whole suite against one container
attacks() {
	caps=$2
	V="$1/$caps"
	# a fresh root per variant (the deep-path attack leaves a tree that
	# busybox rm cannot remove)
	dir=/tmp/m-$1-$caps
	mkdir -p "$dir"
	if [ "$1" = overlay ]; then
		M=$(start_container "$R" --overlay "$dir")
	else
		cp -a "$R" "$dir/root"
		M=$(start_container "$dir/root")
	fi
	t "$V: load policy m" fguardctl load $P/m.bin --pid "$M"
	if [ "$caps" = docker ]; then
		RUN="nsenter -t $M -m -p -- /bin/fgprobe docker-caps"
	else
		RUN="nsenter -t $M -m -p --"
	fi
	before=$(snapshot "$M")

	# changes to the tree
	attack "O_CREAT in a read-only directory, nothing left behind" EACCES creat /data/new.txt
	control "O_CREAT in a writable tree" creat /data/rw/new.txt
	attack "mkfifo in a read-only directory" EACCES mkfifo /data/fifo
	control "mkfifo in /tmp" mkfifo /tmp/fifo
	attack "mknod of a regular file" EACCES mknod /data/node
	control "mknod in /tmp" mknod /tmp/node
	# a device node names a disk or kernel memory under a name the
	# attacker chooses, in a directory the policy lets it write
	attack "mknod of a block device in a writable directory" EACCES mknod-blk /tmp/disk
	attack "mknod of /dev/mem's char device in a writable directory" EACCES mknod-chr /tmp/mem
	attack "unix socket bind" EACCES bind /data/sock
	control "unix socket bind in /tmp" bind /tmp/sock
	attack "mkdir" EACCES mkdir /data/ro/newdir
	control "mkdir in a writable tree" mkdir /data/rw/newdir
	attack "rmdir" EACCES rmdir /data/ro/sub
	control "rmdir in a writable tree" rmdir /data/rw/emptydir
	attack "unlink" EACCES unlink /data/ro/file.txt
	control "unlink in a writable tree" unlink /data/rw/victim.txt
	attack "symlink creation" EACCES symlink /data/secret.txt /data/lnk
	control "symlink in /tmp" symlink /data/secret.txt /tmp/lnk
	attack "reading through a new symlink" EACCES open /tmp/lnk r
	attack "truncate(2)" EACCES truncate /data/ro/file.txt
	control "truncate(2) of a writable file" truncate /data/rw/file.txt
	attack "O_TRUNC on a read-only open" EACCES open /data/ro/file.txt trunc
	attack "chmod" EACCES chmod /data/ro/file.txt
	control "chmod of a writable file" chmod /data/rw/file.txt
	attack "chown" EACCES chown /data/ro/file.txt
	control "chown of a writable file" chown /data/rw/file.txt
	attack "utimes" EACCES utimes /data/ro/file.txt
	attack "chattr +i +a through a read-only descriptor" EACCES setflags /data/ro/file.txt immutable
	attack "chattr +A through a read-only descriptor" EACCES setflags /data/ro/file.txt noatime
	control "chattr +A of a writable file through a read-only descriptor" setflags /data/rw/file.txt noatime
	control "utimes of a writable file" utimes /data/rw/file.txt
	# the same changes through a descriptor open for reading only
	attack "fchmod through a read-only descriptor" EACCES fchmod /data/ro/file.txt
	control "fchmod of a writable file" fchmod /data/rw/file.txt
	attack "fchown through a read-only descriptor" EACCES fchown /data/ro/file.txt
	control "fchown of a writable file" fchown /data/rw/file.txt
	attack "futimens through a read-only descriptor" EACCES futimens /data/ro/file.txt
	control "futimens of a writable file" futimens /data/rw/file.txt
	if [ "$caps" = root ]; then
		attack "setxattr" EACCES setxattr /data/ro/file.txt trusted.fguard
		control "setxattr on a writable file" setxattr /data/rw/file.txt trusted.fguard
		attack "fsetxattr through a read-only descriptor" EACCES fsetxattr /data/ro/file.txt
		control "fsetxattr on a writable file" fsetxattr /data/rw/file.txt
		attack "removexattr" EACCES removexattr /data/ro/file.txt trusted.fguard
		control "removexattr on a writable file" removexattr /data/rw/file.txt trusted.fguard
	fi

	# new names for old files
	attack "hard link of a secret into a writable tree" EACCES link /data/secret.txt /data/rw/s.txt
	attack "hard link of a read-only file into a writable tree" EACCES link /data/ro/file.txt /data/rw/ro.txt
	attack "hard link out of a write-only drop box (gains r)" EACCES link /data/drop/f /data/rw/f.txt
	control "hard link within a writable tree" link /data/rw/a.txt /data/rw/a2.txt
	attack "rename of a secret into a writable tree" EACCES rename /data/secret.txt /data/rw/s.txt
	attack "rename out of a drop box (gains r)" EACCES rename /data/drop/f /data/rw/f.txt
	attack "rename of a drop-box directory (descendants gain r)" EACCES rename /data/drop/d /data/rw/dd
	attack "rename of a directory with rules below it" EACCES rename /data/rw /tmp/rw-moved
	attack "rename of the parent of a secret" EACCES rename /data /tmp/data
	control "rename within a writable tree" rename /data/rw/a2.txt /data/rw/c.txt
	control "rename of a directory within a writable tree" rename /data/rw/newdir /data/rw/newdir2
	attack "RENAME_EXCHANGE with a read-only file" EACCES exchange /data/rw/b.txt /data/ro/file.txt
	attack "RENAME_EXCHANGE with a drop-box file" EACCES exchange /data/rw/b.txt /data/drop/f
	control "RENAME_EXCHANGE within a writable tree" exchange /data/rw/b.txt /data/rw/c.txt

	# running code
	attack "exec without x" EACCES exec /usr/bin/tool
	attack "exec of a writable file (write-xor-execute)" EACCES exec /data/rw/tool
	attack "exec of a script without x" EACCES exec /data/ro/script.sh
	attack "exec of a script whose interpreter has no x" EACCES exec /data/ro/badinterp.sh
	control "exec of a script with x" exec /data/ro/script-ok.sh
	control "exec of a dynamic program" exec /bin/dyn
	attack "mmap(PROT_EXEC) of a readable file" EACCES mmap-exec /data/allowed.txt
	attack "mprotect(PROT_EXEC) of a readable file" EACCES mprotect-exec /data/allowed.txt
	control "mmap(PROT_EXEC) of a library" mmap-exec /lib/x86_64-linux-gnu/libc.so.6
	control "mprotect(PROT_EXEC) of a library" mprotect-exec /lib/x86_64-linux-gnu/libc.so.6
	attack "exec from a memfd" EACCES memfd-exec /bin/fgprobe
	ATTACKS=$((ATTACKS + 1))
	t "$V: attack: ld.so /path/to/binary without x (refused to map)" \
		expect_fail_msg "Permission denied\|failed to map" $RUN /lib64/ld-linux-x86-64.so.2 /data/ro/dyn &&
		BLOCKED=$((BLOCKED + 1))
	t "$V: control: ld.so /path/to/binary with x" sh -c "$RUN /lib64/ld-linux-x86-64.so.2 /bin/dyn | grep -q dyn-ok"
	ATTACKS=$((ATTACKS + 1))
	t "$V: attack: LD_PRELOAD of a library without x is not loaded" \
		sh -c "o=\$($RUN /bin/sh -c 'LD_PRELOAD=/data/ro/libpre.so /bin/dyn' 2>&1); echo \"\$o\"; echo \"\$o\" | grep -q dyn-ok && ! echo \"\$o\" | grep -q PRELOADED" &&
		BLOCKED=$((BLOCKED + 1))
	t "$V: control: LD_PRELOAD of a library with x" \
		sh -c "$RUN /bin/sh -c 'LD_PRELOAD=/lib/pre/libpre.so /bin/dyn' | grep -q PRELOADED"

	# other doors
	attack "O_PATH then /proc/self/fd re-open" EACCES opath-reopen /data/secret.txt r
	control "O_PATH then /proc/self/fd re-open" opath-reopen /data/allowed.txt r
	attack "O_PATH then execveat" EACCES opath-exec /usr/bin/tool
	control "O_PATH then execveat" opath-exec /bin/fgprobe
	attack "/proc/self/fd re-open with more access" EACCES fd-upgrade /data/allowed.txt rw
	control "/proc/self/fd re-open with allowed access" fd-upgrade /data/rw/file.txt rw
	attack "/proc/self/cwd" EACCES cwd-open /data secret.txt
	control "/proc/self/cwd" cwd-open /data allowed.txt
	# another process's root needs ptrace access: with Docker's
	# capabilities the caller may only use its own
	pr=/proc/1/root
	[ "$caps" = docker ] && pr=/proc/self/root
	attack "$pr" EACCES open $pr/data/secret.txt r
	control "$pr" open $pr/data/allowed.txt r
	attack "a path longer than PATH_MAX" EACCES deep-open /data/rw
	attack "io_uring openat" EACCES uring-open /data/secret.txt
	control "io_uring openat" uring-open /data/allowed.txt
	attack "unshare(CLONE_NEWUSER|CLONE_NEWNS), then read" EACCES userns-open /data/secret.txt
	control "unshare(CLONE_NEWUSER|CLONE_NEWNS), then read" userns-open /data/allowed.txt
	if [ "$caps" = root ]; then
		attack "O_PATH then linkat(AT_EMPTY_PATH)" EACCES opath-link /data/secret.txt /data/rw/l.txt
		control "O_PATH then linkat(AT_EMPTY_PATH)" opath-link /data/rw/a.txt /data/rw/l2.txt
	fi
	# file handles: tmpfs exports them, overlayfs (without nfs_export) not
	if [ "$caps" = root ] && [ "$1" = tmpfs ]; then
		attack "open_by_handle_at" EACCES handle-open /data/secret.txt
		control "open_by_handle_at" handle-open /data/allowed.txt
	fi

	# the mount topology
	attack "mount tmpfs over a writable directory" EPERM mount-tmpfs /tmp
	attack "bind mount /data under /tmp" EPERM bind-mount /data /tmp
	attack "umount /proc" EPERM umount /proc
	attack "pivot_root (after unshare -m)" EPERM pivot-root /tmp
	attack "open_tree(OPEN_TREE_CLONE)" EPERM open-tree /data
	attack "fsopen" EPERM fsopen

	after=$(snapshot "$M")
	t "$V: nothing the attacks aimed at changed" sh -c "[ \"\$1\" = \"\$2\" ] || { echo \"\$1\" > /tmp/b; echo \"\$2\" > /tmp/a; diff /tmp/b /tmp/a; exit 1; }" - "$before" "$after"
	t "$V: the secret is intact" sh -c "grep -q '^secret\$' /proc/$M/root/data/secret.txt"
	kill "$M"
}

attacks tmpfs root
attacks overlay root
attacks tmpfs docker
attacks overlay docker

# what a policy header may allow
rm -rf /tmp/rootfs-ma
cp -a "$R" /tmp/rootfs-ma
MA=$(start_container /tmp/rootfs-ma)
V=allow
t "allow: load a policy that allows mount and memfd-exec" fguardctl load $P/m-allow.bin --pid "$MA"
RUN="nsenter -t $MA -m -p --"
mkdir -p /tmp/rootfs-ma/tmp/m
control "mount tmpfs when the policy allows mount" mount-tmpfs /tmp/m
control "exec from a memfd when the policy allows memfd-exec" memfd-exec /bin/fgprobe
kill "$MA"

# the device-node refusals are the guard's, not the kernel's
t "host: mknod of a block device works unguarded (control)" ./fgprobe expect OK mknod-blk /tmp/host-disk
rm -f /tmp/host-disk

echo "# attacks tried: $ATTACKS, blocked: $BLOCKED"
t "every attack was blocked ($BLOCKED of $ATTACKS)" test "$ATTACKS" -eq "$BLOCKED"
# fguardctl check decides as the kernel did above
t "check agrees with the kernel: x of the writable /data/rw/tool is denied, write-xor-execute" \
	sh -c "fguardctl check $P/m.bin x /data/rw/tool > /tmp/chk.out; r=\$?; cat /tmp/chk.out; grep -q write-xor-execute /tmp/chk.out && test \$r = 1"
t "check agrees with the kernel: x of /data/ro/script-ok.sh is allowed (control)" fguardctl check $P/m.bin x /data/ro/script-ok.sh
t_done
