#!/bin/sh
# Issue 1: the kernel guard. Runs as PID 1's command in the guest, in
# /payload. Each test asserts the exact errno; every denial test has a
# control that must succeed.
. ./lib.sh
export PATH=/payload:$PATH
R=/payload/rootfs
P=/payload/policies
LOOP=20000
[ $DEBUG_KERNEL = 1 ] && LOOP=2000

echo "# kernel $(uname -r)"
# an earlier suite may have loaded it: this one tests the load itself
lsmod | grep -q '^fguard' && rmmod fguard
t "module loads" insmod fguard.ko
t "in-module self-tests passed" sh -c "dmesg | grep -q 'fguard: self-tests: pass'"
t "fguardctl reaches the module" fguardctl status

A=$(start_container "$R")
B=$(start_container "$R")
t "two containers started" test -n "$A" -a -n "$B"
NS_A=$(mntns "$A")
NS_B=$(mntns "$B")

t "load policy a into container A" fguardctl load $P/a.bin --pid "$A"
t "load policy b into container B" fguardctl load $P/b.bin --pid "$B"

# --- opens inside A ---
t "A: allowed read succeeds" in_c "$A" /bin/fgprobe expect OK open /data/allowed.txt r
t "A: read of a file no rule names fails with EACCES" in_c "$A" /bin/fgprobe expect EACCES open /data/secret.txt r
t "A: read of /etc/shadow fails with EACCES" in_c "$A" /bin/fgprobe expect EACCES open /etc/shadow r
t "A: write-open of a read-only file fails with EACCES" in_c "$A" /bin/fgprobe expect EACCES open /etc/passwd w
t "A: O_TRUNC of a read-only file fails with EACCES" in_c "$A" /bin/fgprobe expect EACCES open /etc/passwd trunc
t "A: write-open of a writable file succeeds" in_c "$A" /bin/fgprobe expect OK open /data/rw.txt rw
t "A: file in a /** directory is readable" in_c "$A" /bin/fgprobe expect OK open /data/pub/a.txt r
t "A: the /** directory itself opens" in_c "$A" /bin/fgprobe expect OK open /data/pub dir
t "A: directory open without a rule fails with EACCES" in_c "$A" /bin/fgprobe expect EACCES open /data/dir dir
t "A: exec of an allowed binary succeeds" in_c "$A" /bin/fgprobe expect OK exec /bin/fgprobe
t "A: exec without x fails with EACCES" in_c "$A" /bin/fgprobe expect EACCES exec /usr/bin/tool
t "A: create under a writable tree succeeds" in_c "$A" /bin/fgprobe expect OK open /tmp/new-file creat
t "A: /proc/1/root/etc/shadow (own init) is still the container's denied path" in_c "$A" /bin/fgprobe expect EACCES open /proc/1/root/etc/shadow r

# --- B is guarded by its own policy ---
t "B: reads its own secret" in_c "$B" /bin/fgprobe expect OK open /data/secret.txt r
t "B: cannot read what only A may read" in_c "$B" /bin/fgprobe expect EACCES open /data/allowed.txt r
t "A: still cannot read B's secret" in_c "$A" /bin/fgprobe expect EACCES open /data/secret.txt r

# --- the host namespace is unaffected ---
t "host: reads the file A may not read" ./fgprobe expect OK open $R/data/secret.txt r
t "host: writes where A may not" ./fgprobe expect OK open $R/etc/passwd rw
t "host: runs what A may not" ./fgprobe expect OK exec $R/usr/bin/tool

# --- the decision cache never outlives a path ---
in_c "$A" /bin/fgprobe loop-open /data/pub/a.txt 3 > /dev/null
mv $R/data/pub/a.txt $R/data/dir/a.txt
t "cache: a file renamed (by the host) out of an allowed tree is denied" in_c "$A" /bin/fgprobe expect EACCES open /data/dir/a.txt r
mv $R/data/dir/a.txt $R/data/pub/a.txt
t "cache: renamed back, it is allowed again" in_c "$A" /bin/fgprobe expect OK open /data/pub/a.txt r
ln $R/data/pub/a.txt $R/data/dir/hard.txt
t "cache: a second link in a denied directory is denied" in_c "$A" /bin/fgprobe expect EACCES open /data/dir/hard.txt r
rm $R/data/pub/a.txt
t "cache: ... also once it is the only link" in_c "$A" /bin/fgprobe expect EACCES open /data/dir/hard.txt r
mv $R/data/dir/hard.txt $R/data/pub/a.txt
t "cache: with the decision cache off, decisions are the same" sh -c "echo N > /sys/module/fguard/parameters/decision_cache && nsenter -t $A -m -p -- /bin/fgprobe expect OK open /data/pub/a.txt r && nsenter -t $A -m -p -- /bin/fgprobe expect EACCES open /data/dir/x.txt r; r=\$?; echo Y > /sys/module/fguard/parameters/decision_cache; exit \$r"
# a cached decision belongs to one policy and one guard: a replaced policy
# decides at once, and a guard unloaded and loaded again counts afresh
in_c "$A" /bin/fgprobe loop-open /data/allowed.txt 3 > /dev/null
t "cache: replace A's policy by b while a read of allowed.txt is cached" fguardctl load $P/b.bin --pid "$A"
t "cache: ... b decides it at once: EACCES" in_c "$A" /bin/fgprobe expect EACCES open /data/allowed.txt r
t "cache: ... and b allows its own file (control)" in_c "$A" /bin/fgprobe expect OK open /data/secret.txt r
t "cache: policy a again" fguardctl load $P/a.bin --pid "$A"
t "cache: ... allowed.txt is allowed again" in_c "$A" /bin/fgprobe expect OK open /data/allowed.txt r
in_c "$A" /bin/fgprobe loop-open /data/allowed.txt 3 > /dev/null
t "cache: unload A with its decisions cached" fguardctl unload --pid "$A"
t "cache: ... unguarded, A reads its secret" in_c "$A" /bin/fgprobe expect OK open /data/secret.txt r
t "cache: load a into A again" fguardctl load $P/a.bin --pid "$A"
in_c "$A" /bin/fgprobe count /data/allowed.txt 100 /data/secret.txt 0
n=$(stat_field "$NS_A" allowed)
t "cache: the new guard counts the 100 cached opens itself ($n allowed)" test "$n" -ge 100
t "cache: ... and denies again" in_c "$A" /bin/fgprobe expect EACCES open /data/secret.txt r

# --- new mount namespaces inside stay guarded ---
t "A: unshare -m, then a denied read still fails with EACCES" in_c "$A" /bin/fgprobe expect EACCES unshare-open /data/secret.txt
t "A: unshare -m, then an allowed read succeeds" in_c "$A" /bin/fgprobe expect OK unshare-open /data/allowed.txt
t "A: clone(CLONE_NEWNS) child is guarded" in_c "$A" /bin/fgprobe expect EACCES clone-open /data/secret.txt
t "A: clone(CLONE_NEWNS) child keeps allowed reads" in_c "$A" /bin/fgprobe expect OK clone-open /data/allowed.txt

# --- chroot inside the container does not change the checked path ---
t "A: chroot /data, then /secret.txt fails with EACCES" in_c "$A" /bin/fgprobe expect EACCES chroot-open /data /secret.txt
t "A: chroot /data, then /allowed.txt succeeds" in_c "$A" /bin/fgprobe expect OK chroot-open /data /allowed.txt

# --- another namespace's files through /proc/PID/root ---
echo 'host-shadow' > /etc/shadow
./fgprobe pause &
H=$!
unshare -m -- ./fgprobe pause &
U=$!
sleep 1
t "load a policy into an unshare -m namespace of the host" fguardctl load $P/host.bin --pid "$U"
t "unshared: its own /etc/shadow is readable (control)" nsenter -t "$U" -m -- /payload/fgprobe expect OK open /etc/shadow r
t "unshared: /proc/PID/root/etc/shadow of the host is EACCES" nsenter -t "$U" -m -- /payload/fgprobe expect EACCES open /proc/$H/root/etc/shadow r
t "unshared: /proc/1/root/etc/shadow of the host is EACCES" nsenter -t "$U" -m -- /payload/fgprobe expect EACCES open /proc/1/root/etc/shadow r
t "host: /proc/PID/root/etc/shadow is readable from the host" ./fgprobe expect OK open /proc/$H/root/etc/shadow r
t "unload the unshared namespace" fguardctl unload --pid "$U"
kill "$H" "$U"

# --- counters ---
# Starting fgprobe costs some allowed decisions of its own (the exec, the
# mapping of its code): measure them with a run that opens nothing.
c0=$(stat_field "$NS_A" checked); a0=$(stat_field "$NS_A" allowed)
in_c "$A" /bin/fgprobe count /data/allowed.txt 0 /data/secret.txt 0
c1=$(stat_field "$NS_A" checked); a1=$(stat_field "$NS_A" allowed)
E=$((c1 - c0))
t "status: starting a program costs only allowed decisions ($E)" test "$E" -ge 1 -a $((a1 - a0)) -eq "$E"
c0=$(stat_field "$NS_A" checked); a0=$(stat_field "$NS_A" allowed); d0=$(stat_field "$NS_A" denied)
in_c "$A" /bin/fgprobe count /data/allowed.txt 100 /data/secret.txt 50
c1=$(stat_field "$NS_A" checked); a1=$(stat_field "$NS_A" allowed); d1=$(stat_field "$NS_A" denied)
t "status: checked counts every decision ($E + 150)" test $((c1 - c0)) -eq $((E + 150))
t "status: allowed counts the allowed opens ($E + 100)" test $((a1 - a0)) -eq $((E + 100))
t "status: denied counts the denials (50)" test $((d1 - d0)) -eq 50
t "status: rule count and digest of policy a" sh -c "test \"$(stat_field "$NS_A" rules)\" -eq 8 && test \"$(stat_field "$NS_A" digest)\" = \"$(sha256sum $P/a.bin | cut -d' ' -f1)\""

# --- complain mode ---
t "switch A to complain" fguardctl mode --pid "$A" complain
k0=$(stat_field "$NS_A" complained); d0=$(stat_field "$NS_A" denied)
t "complain: a would-be denial is allowed" in_c "$A" /bin/fgprobe expect OK open /data/secret.txt r
k1=$(stat_field "$NS_A" complained); d1=$(stat_field "$NS_A" denied)
t "complain: counted as complained, not denied" test $((k1 - k0)) -eq 1 -a $((d1 - d0)) -eq 0
t "status shows complain" sh -c "fguardctl status | grep -q 'mnt:\[$NS_A\] *complain'"
t "switch A back to enforce" fguardctl mode --pid "$A" enforce
t "enforce again: denied" in_c "$A" /bin/fgprobe expect EACCES open /data/secret.txt r

# --- atomic replacement under load ---
# Two processes open files in a loop while the policy is replaced 8 times;
# they stop when told to.
rm -f $R/tmp/stop
in_c "$A" /bin/fgprobe loop-until /tmp/stop /data/both.txt > /tmp/loop-both.out 2>&1 &
L1=$!
in_c "$A" /bin/fgprobe loop-until /tmp/stop /data/pub/a.txt > /tmp/loop-pub.out 2>&1 &
L2=$!
sleep 1
i=0
while [ $i -lt 8 ]; do
	i=$((i + 1))
	if [ $((i % 2)) = 1 ]; then p=a2; else p=a; fi
	fguardctl load $P/$p.bin --pid "$A" > /dev/null || echo "replace $i failed"
done > /tmp/replace.out 2>&1
touch $R/tmp/stop
wait $L1; r1=$?
wait $L2; r2=$?
echo "# replaced $i times; both.txt: $(cat /tmp/loop-both.out); pub/a.txt: $(cat /tmp/loop-pub.out)"
t "replace under load: every replace succeeded" test ! -s /tmp/replace.out
t "replace under load: a file both policies allow never failed" sh -c "test $r1 -eq 0 && grep -q ' eacces=0 other=0' /tmp/loop-both.out && ! grep -q '^ok=0 ' /tmp/loop-both.out"
t "replace under load: a file one policy allows got only OK or EACCES, both seen" sh -c "test $r2 -eq 0 && ! grep -q '^ok=0 ' /tmp/loop-pub.out && ! grep -q ' eacces=0 ' /tmp/loop-pub.out"
fguardctl load $P/a.bin --pid "$A" > /dev/null

# --- privilege and network namespace ---
t "unprivileged load is refused with EPERM" expect_fail_msg "Operation not permitted" ./fgprobe as-user 1000 /payload/fguardctl load $P/b.bin --pid "$A"
t "unprivileged status is refused" expect_fail_msg "Operation not permitted" ./fgprobe as-user 1000 /payload/fguardctl status
t "the family is invisible from another network namespace" expect_fail_msg "not available" unshare -n -- fguardctl load $P/b.bin --pid "$A"
t "A still guarded by a after refused loads" in_c "$A" /bin/fgprobe expect EACCES open /data/secret.txt r

# --- bad policies are refused, the old one stays ---
D0=$(stat_field "$NS_A" digest)
head -c 100 $P/a.bin > /tmp/trunc.bin
t "truncated policy refused by the kernel" expect_fail_msg "kernel reports: total size does not match" fguardctl load --unverified /tmp/trunc.bin --pid "$A"
cp $P/a.bin /tmp/corrupt.bin
printf '\377\377\377\177' | dd of=/tmp/corrupt.bin bs=1 seek=64 conv=notrunc 2>/dev/null
t "corrupted string offset refused by the kernel" expect_fail_msg "kernel reports: path out of bounds (rule 0)" fguardctl load --unverified /tmp/corrupt.bin --pid "$A"
cp $P/a.bin /tmp/badmagic.bin
printf 'XXXX' | dd of=/tmp/badmagic.bin bs=1 seek=0 conv=notrunc 2>/dev/null
t "bad magic refused by the kernel" expect_fail_msg "kernel reports: bad magic" fguardctl load --unverified /tmp/badmagic.bin --pid "$A"
dd if=/dev/zero of=/tmp/huge.bin bs=1M count=65 2>/dev/null
t "oversized policy refused by the kernel" expect_fail_msg "kernel reports:" fguardctl load --unverified /tmp/huge.bin --pid "$A"
rm -f /tmp/huge.bin
t "corrupted policy refused by fguardctl before sending" expect_fail_msg "path out of bounds" fguardctl load /tmp/corrupt.bin --pid "$A"
t "after refusals the digest is unchanged" test "$(stat_field "$NS_A" digest)" = "$D0"
t "after refusals the allowed read still works" in_c "$A" /bin/fgprobe expect OK open /data/allowed.txt r
t "after refusals the denied read is still denied" in_c "$A" /bin/fgprobe expect EACCES open /data/secret.txt r

# --- unload ---
t "unload A" fguardctl unload --pid "$A"
t "A: after unload the secret is readable" in_c "$A" /bin/fgprobe expect OK open /data/secret.txt r
t "B: still guarded after A's unload" in_c "$B" /bin/fgprobe expect EACCES open /data/allowed.txt r
t "unload of an unguarded namespace names the problem" expect_fail_msg "not guarded" fguardctl unload --pid "$A"

# --- rmmod while guarded namespaces exist and processes open files ---
in_c "$B" /bin/fgprobe loop-open /data/secret.txt $LOOP > /tmp/rmmod-loop.out 2>&1 &
L=$!
sleep 1
t "rmmod while guarded and busy" rmmod fguard
wait $L
t "the busy process finished without errors" grep -q "other=0" /tmp/rmmod-loop.out
t "after rmmod B is unguarded" in_c "$B" /bin/fgprobe expect OK open /data/allowed.txt r
kill "$A" "$B" 2>/dev/null
t_done
