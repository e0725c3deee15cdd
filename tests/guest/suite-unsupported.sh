#!/bin/sh
# A kernel fguard cannot work on is refused at load, cleanly: the reason in
# the kernel log, insmod failing with the errno, nothing left behind. The
# real condition provoked here: function tracing switched off (sysctl
# kernel.ftrace_enabled=0), under which ftrace refuses the PERMANENT hooks
# fguard relies on. (The other refusals, a kernel without the config or of
# another version, are build-time: tests/install-tests.sh.)
. ./lib.sh
export PATH=/payload:$PATH
FT=/proc/sys/kernel/ftrace_enabled
[ -w $FT ] || { echo "Bail out! no $FT"; exit 1; }
if lsmod | grep -q '^fguard'; then
	rmmod fguard || { echo "Bail out! cannot unload fguard"; exit 1; }
fi

t "control: with fguard not loaded, function tracing can be switched off" sh -c "echo 0 > $FT"
t "insmod with function tracing off fails (EBUSY)" \
	expect_fail_msg 'Device or resource busy' insmod fguard.ko
t "the kernel log says why" sh -c \
	"dmesg | grep -q 'fguard: function tracing is off (sysctl kernel.ftrace_enabled=0): cannot hook the kernel; refusing to load'"
t "nothing is left: no module, no netlink family" sh -c \
	"! lsmod | grep -q '^fguard' && ! grep -q '^fguard ' /proc/modules && ! fguardctl status"
t "control: function tracing back on" sh -c "echo 1 > $FT"
t "control: then insmod succeeds" insmod fguard.ko
t "control: fguard answers" fguardctl status
t "and function tracing can no longer be switched off under it (PERMANENT)" \
	sh -c "! echo 0 > $FT && test \"\$(cat $FT)\" = 1"
t_done
