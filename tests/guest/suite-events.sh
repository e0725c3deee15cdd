#!/bin/sh
# Issue 5: denial events, complain mode, learning. Events are read the way
# an operator reads them, through fguardctl monitor --json; each check
# names the fields it expects. Every refusal has a control.
. ./lib.sh
export PATH=/payload:$PATH
R=/payload/rootfs
P=/payload/policies
FLOOD=1000000
# the debug kernel (KASAN, lockdep) is some ten times slower: a tenth,
# still a hundred times what the bucket lets through
[ $DEBUG_KERNEL = 1 ] && FLOOD=100000

lsmod | grep -q '^fguard' || insmod fguard.ko

# mon_start FILE [ARGS...]: a monitor writing JSON lines into FILE, once
# it is subscribed; sets MON to its pid
mon_start() {
	_f=$1
	shift
	: > "$_f.err"
	fguardctl monitor --json "$@" > "$_f" 2> "$_f.err" &
	MON=$!
	for _i in $(seq 100); do
		grep -q Listening "$_f.err" && return 0
		sleep 0.1
	done
	cat "$_f.err"
	return 1
}

mon_stop() {
	kill "$MON" 2>/dev/null
	wait "$MON" 2>/dev/null
}

# wait_for FILE PATTERN: until a line of FILE matches (events are sent by
# a worker, a moment after the denial)
wait_for() {
	for _i in $(seq 100); do
		grep -q -- "$2" "$1" && return 0
		sleep 0.1
	done
	echo "no line matches '$2' in $1:"
	cat "$1"
	return 1
}

# has FILE PATTERN: some line of FILE matches PATTERN
has() {
	grep -q -- "$2" "$1" || { echo "no line matches '$2':"; cat "$1"; return 1; }
}

rm -rf /tmp/ev-root
cp -a "$R" /tmp/ev-root
E=$(start_container /tmp/ev-root)
NS_E=$(mntns "$E")
t "events: load policy m" fguardctl load $P/m.bin --pid "$E"
DIGEST=$(sha256sum $P/m.bin | cut -d' ' -f1)
RUN="nsenter -t $E -m -p --"
F=/tmp/ev.json
t "events: a monitor subscribes" mon_start $F --pid "$E"

# ev NAME OP PERMS PATH [PATH2] -- ATTACK...: the attack is refused, and
# its event names the operation, the permissions and the path(s)
ev() {
	_n=$1 _op=$2 _perms=$3 _path=$4
	shift 4
	_p2=
	if [ "$1" != -- ]; then _p2=$1; shift; fi
	shift
	_pat="\"op\":\"$_op\",\"perms\":\"$_perms\",\"decision\":\"deny\".*\"path\":\"$_path\""
	[ -n "$_p2" ] && _pat="$_pat,\"path2\":\"$_p2\""
	t "events: $_n: refused" $RUN /bin/fgprobe expect "$@"
	t "events: $_n: event $_op($_perms) $_path${_p2:+ -> $_p2}" wait_for $F "$_pat"
}

ev "read" open r /data/secret.txt -- EACCES open /data/secret.txt r
ev "write-open" open w /data/ro/file.txt -- EACCES open /data/ro/file.txt w
ev "exec" exec x /usr/bin/tool -- EACCES exec /usr/bin/tool
ev "O_CREAT" create w /data/new.txt -- EACCES creat /data/new.txt
ev "mkfifo" create w /data/fifo -- EACCES mkfifo /data/fifo
ev "unix socket bind" create w /data/sock -- EACCES bind /data/sock
ev "mkdir" mkdir w /data/ro/newdir -- EACCES mkdir /data/ro/newdir
ev "rmdir" rmdir w /data/ro/sub -- EACCES rmdir /data/ro/sub
ev "unlink" unlink w /data/ro/file.txt -- EACCES unlink /data/ro/file.txt
ev "symlink" symlink w /data/lnk -- EACCES symlink /data/secret.txt /data/lnk
ev "truncate" truncate w /data/ro/file.txt -- EACCES truncate /data/ro/file.txt
ev "chmod" chmod w /data/ro/file.txt -- EACCES chmod /data/ro/file.txt
ev "chown" chown w /data/ro/file.txt -- EACCES chown /data/ro/file.txt
ev "utimes" utimes w /data/ro/file.txt -- EACCES utimes /data/ro/file.txt
ev "setxattr" setxattr w /data/ro/file.txt -- EACCES setxattr /data/ro/file.txt trusted.fguard
ev "chattr" ioctl w /data/ro/file.txt -- EACCES setflags /data/ro/file.txt noatime
ev "link" link w /data/secret.txt /data/rw/s.txt -- EACCES link /data/secret.txt /data/rw/s.txt
ev "rename" rename w /data/secret.txt /data/rw/s.txt -- EACCES rename /data/secret.txt /data/rw/s.txt
ev "mmap(PROT_EXEC)" mmap x /data/allowed.txt -- EACCES mmap-exec /data/allowed.txt
ev "mprotect(PROT_EXEC)" mprotect x /data/allowed.txt -- EACCES mprotect-exec /data/allowed.txt
ev "exec from a memfd" exec x "internal:memfd:[^\"]*" -- EACCES memfd-exec /bin/fgprobe
t "events: mount: refused" $RUN /bin/fgprobe expect EPERM mount-tmpfs /tmp
t "events: mount: event with no path" wait_for $F '"op":"mount","perms":"","decision":"deny".*"path":null'

# the fields that name who and where, on a denial whose pid is known: the
# shell's pid stays the attacker's (nsenter without -p execs in place)
sh -c 'echo $$ > /tmp/ev.pid; exec nsenter -t '"$E"' -m -- /bin/fgprobe expect EACCES open /data/alt.txt r'
APID=$(cat /tmp/ev.pid)
t "events: the event of a known process arrives" wait_for $F '"path":"/data/alt.txt"'
LINE=$(grep '"path":"/data/alt.txt"' $F | head -n 1)
echo "# $LINE"
field() { printf '%s\n' "$LINE" | sed "s/.*\"$1\":\"*\([^,\"}]*\).*/\1/"; }
t "events: pid is the attacker's" test "$(field pid)" = "$APID"
t "events: tgid is the attacker's" test "$(field tgid)" = "$APID"
t "events: uid 0" test "$(field uid)" = 0
t "events: comm fgprobe" test "$(field comm)" = fgprobe
t "events: exe as the container names it" test "$(field exe)" = /bin/fgprobe
t "events: mntns is the container's" test "$(field mntns)" = "$NS_E"
t "events: origin_mntns is the container's" test "$(field origin_mntns)" = "$NS_E"
t "events: digest is sha256 of the policy" test "$(field digest)" = "$DIGEST"
t "events: timestamp is today's" sh -c "printf '%s\n' '$LINE' | grep -q '\"time\":\"$(date -u +%Y-%m-%d)T'"
t "events: repeat 1" test "$(field repeat)" = 1
t "events: ns_pid, ns_tgid: its pid namespace is the host's, so the host's pid" \
	test "$(field ns_pid)/$(field ns_tgid)" = "$APID/$APID"
# an attacker that entered the container's pid namespace too, as docker
# exec does: the event names it by the host's pid and by the container's
rm -f /tmp/ev-root/tmp/.ev-go
( $RUN /bin/fgprobe after /tmp/.ev-go expect EACCES open /data/alt.txt r
  echo "rc=$?" ) > /tmp/ev-nspid.out 2>&1 &
XJOB=$!
XP=
i=0
while [ -z "$XP" ] && [ $i -lt 100 ]; do
	for d in /proc/[0-9]*; do
		if [ "$(cat $d/comm 2>/dev/null)" = fgprobe ] &&
		   grep -q 'ev-go' $d/cmdline 2>/dev/null; then
			XP=${d#/proc/}
		fi
	done
	[ -n "$XP" ] || sleep 0.1
	i=$((i + 1))
done
XNS=$(awk '/^NSpid:/ { print $NF }' /proc/$XP/status)
touch /tmp/ev-root/tmp/.ev-go
wait $XJOB
t "events (docker exec): refused" sh -c "grep -q '^rc=0' /tmp/ev-nspid.out || { cat /tmp/ev-nspid.out; exit 1; }"
t "events (docker exec): the event names the host's pid $XP" wait_for $F "\"pid\":$XP,.*\"path\":\"/data/alt.txt\""
LINE=$(grep "\"pid\":$XP," $F | head -n 1)
echo "# $LINE"
t "events (docker exec): ns_pid and ns_tgid are the container's ($XNS)" \
	test "$(field ns_pid)/$(field ns_tgid)" = "$XNS/$XNS"
t "events (docker exec): (control) the container numbers it otherwise" \
	test -n "$XNS" -a "$XNS" != "$XP"
nsenter -t "$E" -m -- /bin/fgprobe as-user 1000 /bin/fgprobe expect EACCES open /data/both.txt r
t "events: uid of an unprivileged attacker" wait_for $F '"uid":1000,.*"path":"/data/both.txt"'
t "events: allowed accesses send nothing" $RUN /bin/fgprobe expect OK open /data/allowed.txt r
t "events: (control) no event names the allowed file" sh -c "sleep 1; ! grep -q '\"open\",\"perms\":\"r\".*\"path\":\"/data/allowed.txt\"' $F"
mon_stop

# --- only privileged listeners ---
: > /tmp/ev-user.json
./fgprobe as-user 1000 /payload/fguardctl monitor --json > /tmp/ev-user.json 2> /tmp/ev-user.err &
UMON=$!
t "events: root listener subscribes (control)" mon_start /tmp/ev-root.json
$RUN /bin/fgprobe expect EACCES open /data/secret.txt r
t "events: root listener gets the denial" wait_for /tmp/ev-root.json '"path":"/data/secret.txt"'
wait $UMON
urc=$?
t "events: an unprivileged listener exits with an error" test $urc -ne 0
t "events: an unprivileged listener is refused with EPERM" sh -c "grep -q 'Operation not permitted' /tmp/ev-user.err || { cat /tmp/ev-user.err; exit 1; }"
t "events: an unprivileged listener got no events" test ! -s /tmp/ev-user.json
kill "$UMON" 2>/dev/null
mon_stop

# --- complain mode reports exactly what enforce mode denies ---
workload() {
	# (an exec that complain mode lets through goes on to map the
	# program: more accesses than enforce mode ever sees; the script's
	# interpreter may run, so its exec is the only access)
	for w in "open /data/secret.txt r" "open /data/ro/file.txt w" "exec /data/ro/script.sh" \
		"open /data/allowed.txt r" "mmap-exec /data/allowed.txt" "open /data/rw/file.txt rw" \
		"chmod /data/ro/file.txt" "utimes /data/ro/file.txt" "open /etc/shadow r" \
		"exec /bin/true"; do
		# shellcheck disable=SC2086
		$RUN /bin/fgprobe expect ANY $w > /dev/null 2>&1
	done
	$RUN /bin/fgprobe expect ANY open /data/both.txt r > /dev/null 2>&1
}
# what a monitor file says: op perms path path2, sorted, repeats expanded
accesses() {
	sed 's/.*"op":"\([^"]*\)","perms":"\([^"]*\)".*"repeat":\([0-9]*\).*"path":"\([^"]*\)".*/\1 \2 \4 \3/' "$1" |
		while read -r op perms path n; do
			i=0
			while [ $i -lt "$n" ]; do echo "$op $perms $path"; i=$((i + 1)); done
		done | grep -v ' /data/both.txt$' | sort
}
mon_start /tmp/ev-enf.json --pid "$E"
d0=$(stat_field "$NS_E" denied)
workload
wait_for /tmp/ev-enf.json '"path":"/data/both.txt"' > /dev/null
d1=$(stat_field "$NS_E" denied)
mon_stop
t "complain: switch to complain" fguardctl mode --pid "$E" complain
mon_start /tmp/ev-cmp.json --pid "$E"
c0=$(stat_field "$NS_E" complained)
workload
wait_for /tmp/ev-cmp.json '"path":"/data/both.txt"' > /dev/null
c1=$(stat_field "$NS_E" complained)
mon_stop
fguardctl mode --pid "$E" enforce
accesses /tmp/ev-enf.json > /tmp/acc-enf
accesses /tmp/ev-cmp.json > /tmp/acc-cmp
echo "# enforce denied: $(tr '\n' ';' < /tmp/acc-enf)"
t "complain: enforce mode denied the workload's 7 forbidden accesses" test "$(wc -l < /tmp/acc-enf)" -eq 7
t "complain: the same accesses are reported in complain mode" cmp /tmp/acc-enf /tmp/acc-cmp
t "complain: enforce events say deny" sh -c "! grep -v '\"decision\":\"deny\"' /tmp/ev-enf.json"
t "complain: complain events say complain" sh -c "! grep -v '\"decision\":\"complain\"' /tmp/ev-cmp.json"
t "complain: counted as complained as often as denied in enforce" test $((c1 - c0)) -eq $((d1 - d0))

# --- a flood: rate-limited, dropped and counted, no splat ---
t "flood: a monitor subscribes" mon_start /tmp/ev-flood.json --pid "$E"
d0=$(stat_field "$NS_E" denied); s0=$(stat_field "$NS_E" events); x0=$(stat_field "$NS_E" events_dropped)
# two attackers at once, one per CPU: the bucket and the queue are shared
flood() {
	$RUN /bin/fgprobe count /data/allowed.txt 0 /data/secret.txt $((FLOOD / 2)) &
	_p=$!
	$RUN /bin/fgprobe count /data/allowed.txt 0 /data/secret.txt $((FLOOD - FLOOD / 2)) || { wait $_p; return 1; }
	wait $_p
}
t0=$(date +%s)
t "flood: $FLOOD denied opens by two processes, each EACCES" flood
secs=$(($(date +%s) - t0))
$RUN /bin/fgprobe expect EACCES open /data/both.txt r
wait_for /tmp/ev-flood.json '"path":"/data/both.txt"' > /dev/null
sleep 1
d1=$(stat_field "$NS_E" denied); s1=$(stat_field "$NS_E" events); x1=$(stat_field "$NS_E" events_dropped)
mon_stop
got=$(sed 's/.*"repeat":\([0-9]*\).*/\1/' /tmp/ev-flood.json | awk '{ n += $1 } END { print n + 0 }')
echo "# flood: denied $((d1 - d0)), events $((s1 - s0)), dropped $((x1 - x0)), received $got in $(wc -l < /tmp/ev-flood.json) messages"
t "flood: events were dropped" test $((x1 - x0)) -gt 0
# a token bucket lets through a burst, then the rate (defaults: 1000,
# 200 per second), whatever the flood
t "flood: no more events than burst + rate x seconds ($((s1 - s0)) in ${secs}s)" test $((s1 - s0)) -le $((1000 + 200 * (secs + 2)))
t "flood: every denial is an event or a drop" test $((s1 - s0 + x1 - x0)) -eq $((d1 - d0))
t "flood: the monitor received every event counted as sent" sh -c "test $got -eq $((s1 - s0)) || { cat /tmp/ev-flood.json.err; exit 1; }"
t "flood: status shows events and dropped" sh -c "fguardctl status | grep -q 'EVENTS *DROPPED'"
t "flood: the guard still decides" $RUN /bin/fgprobe expect OK open /data/allowed.txt r
kill "$E"

# --- learn: a policy missing three files, learned while the workload runs ---
rm -rf /tmp/l-root
cp -a "$R" /tmp/l-root
L=$(start_container /tmp/l-root)
NS_L=$(mntns "$L")
LRUN="nsenter -t $L -m -p --"
t "learn: load the incomplete policy l" fguardctl load $P/l.bin --pid "$L"
lwork() {
	$LRUN /bin/fgprobe expect "$1" open /data/allowed.txt r &&
		$LRUN /bin/fgprobe expect "$1" open /data/rw.txt rw &&
		$LRUN /bin/fgprobe expect "$1" exec /usr/bin/tool
}
t "learn: (control) the workload fails under policy l" lwork EACCES
fguardctl learn $P/l.txt --pid "$L" --duration 600 -o /tmp/learned.txt > /tmp/learn.out 2> /tmp/learn.err &
LEARN=$!
t "learn: the namespace goes to complain mode" wait_for /tmp/learn.err "Learning from mnt:\[$NS_L\]"
t "learn: status says complain" test "$(stat_field "$NS_L" mode)" = complain
t "learn: the workload runs in complain mode" lwork OK
$LRUN /bin/fgprobe expect OK open /data/allowed.txt r
kill -INT "$LEARN"
wait "$LEARN"
lrc=$?
t "learn: ends cleanly on Ctrl-C" test $lrc = 0
sed 's/^/# learn: /' /tmp/learn.err /tmp/learn.out
t "learn: enforce mode is restored" test "$(stat_field "$NS_L" mode)" = enforce
t "learn: a rule for the read" has /tmp/learned.txt '^r  *\/data\/allowed.txt  *# learned: open(r) by fgprobe at 20'
t "learn: a rule for the write-open" has /tmp/learned.txt '^rw  *\/data\/rw.txt  *# learned: open(rw) by fgprobe'
t "learn: a rule for the exec" has /tmp/learned.txt '^x  *\/usr\/bin\/tool  *# learned: exec(x) by fgprobe'
t "learn: the original rules are kept" has /tmp/learned.txt '^r   /data/pub/\*\*'
t "learn: nothing wider than what was seen" sh -c "! grep -E '^[rwx]+ +/(data|usr/bin)/\*' /tmp/learned.txt"
t "learn: prints the diff" has /tmp/learn.out '/data/allowed.txt'
t "learn: the new policy compiles" fguardctl compile /tmp/learned.txt -o /tmp/learned.bin
t "learn: load the learned policy" fguardctl load /tmp/learned.bin --pid "$L" --mode enforce
t "learn: the workload passes in enforce mode" lwork OK
t "learn: (control) what was not seen stays denied" $LRUN /bin/fgprobe expect EACCES open /data/secret.txt r
# a policy.bin as the base: it has no text, its text form stands in
t "learn (bin): load policy l again" fguardctl load $P/l.bin --pid "$L"
fguardctl learn $P/l.bin --pid "$L" --duration 600 -o /tmp/learned-bin.txt > /tmp/learn-bin.out 2> /tmp/learn-bin.err &
LEARN=$!
t "learn (bin): complain mode" wait_for /tmp/learn-bin.err "Learning from mnt:\[$NS_L\]"
t "learn (bin): the workload runs" lwork OK
kill -INT "$LEARN"
wait "$LEARN"
t "learn (bin): ends cleanly" test $? = 0
t "learn (bin): the base's rules, as text" has /tmp/learned-bin.txt '^r  */data/pub/\*\*'
t "learn (bin): a rule for the exec" has /tmp/learned-bin.txt '^x  *\/usr\/bin\/tool  *# learned: exec(x) by fgprobe'
t "learn (bin): the new policy compiles" fguardctl compile /tmp/learned-bin.txt -o /tmp/learned-bin.bin
t "learn (bin): loaded, the workload passes in enforce mode" sh -c "fguardctl load /tmp/learned-bin.bin --pid $L --mode enforce && nsenter -t $L -m -p -- /bin/fgprobe expect OK exec /usr/bin/tool"
kill "$L"
t_done
