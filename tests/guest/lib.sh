# Shared helpers of the guest suites (busybox sh). TAP-style output:
# "ok N - name" / "not ok N - name" with "# " diagnostics; the suite ends
# with "N passed, N failed".
T_N=0
T_PASS=0
T_FAIL=0
DEBUG_KERNEL=0
[ "${FGUARD_KERNEL:-stock}" = debug ] && DEBUG_KERNEL=1

# t NAME CMD...: run CMD; pass if it exits 0.
t() {
	_name=$1
	shift
	T_N=$((T_N + 1))
	if _out=$("$@" 2>&1); then
		echo "ok $T_N - $_name"
		T_PASS=$((T_PASS + 1))
	else
		echo "not ok $T_N - $_name"
		printf '%s\n' "$_out" | sed 's/^/# /'
		T_FAIL=$((T_FAIL + 1))
	fi
}

# tfail NAME CMD...: pass if CMD exits non-zero.
tfail() {
	_name=$1
	shift
	T_N=$((T_N + 1))
	if _out=$("$@" 2>&1); then
		echo "not ok $T_N - $_name"
		printf '%s\n' "$_out" | sed 's/^/# (unexpected success) /'
		T_FAIL=$((T_FAIL + 1))
	else
		echo "ok $T_N - $_name"
		T_PASS=$((T_PASS + 1))
	fi
}

t_done() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}

# Run a command inside a container (its mount and pid namespaces), like
# `docker exec`.
in_c() {
	_pid=$1
	shift
	nsenter -t "$_pid" -m -p -- "$@"
}

# Start a container on ROOTFS running fgprobe pause; prints its host pid.
start_container() {
	./fgprobe container "$@" -- /bin/fgprobe pause
}

mntns() {
	readlink "/proc/$1/ns/mnt" | sed 's/[^0-9]//g'
}

# stat_field INODE FIELD: a counter of `fguardctl status --json`.
stat_field() {
	fguardctl status --json | tr '{' '\n' | grep "\"mntns\":$1," |
		sed "s/.*\"$2\":\"*\([^,\"}]*\).*/\1/"
}

# expect_out PATTERN CMD...: CMD fails and its output matches PATTERN.
expect_fail_msg() {
	_pat=$1
	shift
	if _o=$("$@" 2>&1); then
		echo "unexpected success: $_o"
		return 1
	fi
	if ! printf '%s\n' "$_o" | grep -q -- "$_pat"; then
		echo "output does not match '$_pat':"
		printf '%s\n' "$_o"
		return 1
	fi
	return 0
}
