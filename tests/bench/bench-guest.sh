#!/bin/sh
# Runs in the guest (see tests/bench/run.sh): interleaved rounds of N
# open+close calls of one allowed file under each configuration. Prints
# "bench ROUND CONFIG NS_PER_CALL" lines.
N=${BENCH_N:-200000}
ROUNDS=${BENCH_ROUNDS:-7}
F=/payload/bench/data/file.txt
export PATH=/payload:$PATH

# Every configuration runs in a mount namespace of its own, made the same
# way, so that only the guard differs: U0 is never guarded.
unshare -m -- ./fgprobe pause &
U0=$!
unshare -m -- ./fgprobe pause &
U10=$!
unshare -m -- ./fgprobe pause &
U100K=$!
sleep 1

inns() {	# pid mode [target n]: fgbench inside that namespace
	nsenter -t "$1" -m -- /payload/fgbench "$2" "${3:-$F}" "${4:-$N}"
}

# The other operations issue 3 mediates, fewer calls (each costs more):
# rename and create+unlink in a writable directory, fork+exec of a static
# program; in the unguarded namespace and the 100k-rule one.
M=$((N / 10))
D=/payload/bench/rw
others() {	# round
	for op in rename unlink exec; do
		# an exec costs some 9 ms under TCG: a hundredth as many
		case $op in exec) tgt=/payload/fgprobe; n=$((M / 100)) ;; *) tgt=$D; n=$M ;; esac
		if [ -z "$2" ]; then
			run $1 "$op-none" inns $U0 $op $tgt $n
		else
			run $1 "$op-guarded-100k" inns $U100K $op $tgt $n
		fi
	done
}

denied() {	# round off|on
	if [ "$2" = on ]; then
		fguardctl monitor --ns "$(readlink /proc/$U100K/ns/mnt | tr -dc 0-9)" > /dev/null 2>&1 &
		mon=$!
		sleep 1
	fi
	run $1 "denied-events-$2" inns $U100K denied-open $S $N
	[ "$2" = on ] && { kill $mon; wait $mon 2>/dev/null; }
}
S=/payload/bench/secret.txt

run() {	# round config cmd...
	r=$1 c=$2
	shift 2
	v=$("$@") || { echo "bench-error $c"; exit 1; }
	echo "bench $r $c $v"
}

r=1
while [ $r -le $ROUNDS ]; do
	# phase 1: no module (plain and Landlock), order alternating per round
	if [ $((r % 2)) = 1 ]; then
		run $r none inns $U0 open
		run $r landlock inns $U0 landlock-open
	else
		run $r landlock inns $U0 landlock-open
		run $r none inns $U0 open
	fi
	others $r ""
	insmod fguard.ko || exit 1
	fguardctl load policies/g10.bin --pid $U10 > /dev/null || exit 1
	fguardctl load policies/g100k.bin --pid $U100K > /dev/null || exit 1
	case $((r % 4)) in
	0) order="unguarded g10 g100k nocache" ;;
	1) order="g10 g100k nocache unguarded" ;;
	2) order="g100k nocache unguarded g10" ;;
	3) order="nocache unguarded g10 g100k" ;;
	esac
	for c in $order; do
		case $c in
		unguarded) run $r unguarded inns $U0 open ;;
		g10) run $r guarded-10 inns $U10 open ;;
		g100k) run $r guarded-100k inns $U100K open ;;
		nocache)
			echo N > /sys/module/fguard/parameters/decision_cache
			run $r guarded-100k-nocache inns $U100K open
			echo Y > /sys/module/fguard/parameters/decision_cache ;;
		esac
	done
	others $r guarded
	# a denied open, with nobody listening for events and with a monitor
	# (rate limit at its default: most events are dropped), order alternating
	if [ $((r % 2)) = 1 ]; then
		denied $r off; denied $r on
	else
		denied $r on; denied $r off
	fi
	rmmod fguard || exit 1
	# no module again: the round's baseline brackets the module's runs,
	# so a drift during the round cancels out of the paired ratios
	run $r none inns $U0 open
	r=$((r + 1))
done
kill $U0 $U10 $U100K
echo "bench-done"
