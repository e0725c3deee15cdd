#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# trace-tests.sh - host-side tests of `fguardctl import-trace' on real
# strace logs (TAP output: "ok N - name", diagnostics "# ...").
#
#   tests/trace-tests.sh [FGUARDCTL]      (or FGUARDCTL=... in the environment)
#
# A small real workload runs under `strace -f -yy -ttt' against a policy
# that lacks most of what it touches; the imported policy must allow every
# access (an explicit list, and every successful open and code mapping an
# awk reading of the raw log finds) where the original denied them, must
# compile, and importing again must change nothing. Also: a policy.bin
# base, --root, --cwd, write-xor-execute suggestions, errors, and hostile
# input fed to an ASan/UBSan build (build/fguardctl-san, `make unit').
#
# Needs strace and a kernel that lets it trace (ptrace); nothing is loaded
# into the kernel. KEEP=1 keeps the work directory (/tmp/fguard-trace-tests.*).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
FGUARDCTL=${1:-${FGUARDCTL:-$ROOT/fguardctl}}
FGUARDCTL=$(readlink -f "$FGUARDCTL")
SAN=$ROOT/build/fguardctl-san
WORK=$(mktemp -d /tmp/fguard-trace-tests.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
N=0
FAILED=0

ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"; }
skip() { N=$((N + 1)); echo "ok $N - $1 # SKIP $2"; }
diag() { sed 's/^/# /'; }
# t NAME COMMAND...: ok if the command succeeds
t() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

[[ -x $FGUARDCTL ]] || { echo "Bail out! no fguardctl at $FGUARDCTL"; exit 1; }
export SOURCE_DATE_EPOCH=1796414280
[[ -n ${KEEP:-} ]] && trap - EXIT

CAN_TRACE=1
if ! command -v strace >/dev/null; then
	CAN_TRACE=0
	WHY="strace missing (tests/deps.sh installs it)"
elif ! strace -f -o /dev/null true 2>/dev/null; then
	CAN_TRACE=0
	WHY="strace cannot trace here (ptrace not permitted)"
fi

# every line of FILE decided allow by POLICY
all_allowed() {	# POLICY FILE
	"$FGUARDCTL" check "$1" - <"$2" >"$WORK/check.out" 2>&1 &&
		[[ $(grep -c '^allow' "$WORK/check.out") == $(grep -c . "$2") ]]
}
# every line of FILE decided deny by POLICY (the control)
all_denied() {	# POLICY FILE
	"$FGUARDCTL" check "$1" - <"$2" >"$WORK/check.out" 2>&1
	[[ $(grep -c '^deny' "$WORK/check.out") == $(grep -c . "$2") ]]
}

# ------------------------------------------------------------ a real trace

W=$WORK/w
mkdir -p "$W"
cat >"$WORK/workload.sh" <<EOF
cat /etc/hostname >/dev/null
ls /usr/share/zoneinfo >/dev/null
touch "$W/x"
mv "$W/x" "$W/y"
cd "$W" && mkdir d && echo hi >d/rel && rm d/rel && rmdir d
cp /bin/true "$W/prog" && "$W/prog"
EOF
LIBDIR=$(dirname "$(readlink -f "$(ldd /bin/true | awk '/libc\.so/ { print $3 }')")")
INTERP=$(readlink -f "$(readelf -l /bin/true | sed -n 's/.*interpreter: \(.*\)\]/\1/p')")
LIBC=$(readlink -f "$(ldd /bin/true | awk '/libc\.so/ { print $3 }')")
SH=$(readlink -f /bin/sh)
# The base reads the libraries but may not map them as code; it names
# $W/y read-only, so the rename into it widens that rule in place.
cat >"$WORK/base.txt" <<EOF
# the operator's policy
mode enforce

r   /etc/ld.so.cache      # loader cache
r   $LIBDIR/**     # libraries: read, not mapped as code
r   /usr/lib/locale/**    # locales
r   $W/y     # the result file
EOF
cat >"$WORK/expected" <<EOF
r /etc/hostname
r /usr/share/zoneinfo
w $W/x
rw $W/y
w $W/d
w $W/d/rel
w $W/prog
x $(readlink -f "$(command -v cat)")
x $(readlink -f "$(command -v ls)")
x $(readlink -f "$(command -v mv)")
x $SH
x $LIBC
x $INTERP
EOF

if [[ $CAN_TRACE == 1 ]]; then
	(cd "$WORK" && strace -f -yy -ttt -o "$WORK/trace.log" sh "$WORK/workload.sh") \
		>"$WORK/workload.out" 2>&1
	if [[ -s $WORK/trace.log && -e $W/y && ! -e $W/x && ! -e $W/d && -x $W/prog ]]; then
		ok "workload_ran_under_strace ($(wc -l <"$WORK/trace.log") lines)"
	else
		not_ok "workload_ran_under_strace"
		diag <"$WORK/workload.out"
	fi
	"$FGUARDCTL" import-trace "$WORK/base.txt" "$WORK/trace.log" -o "$WORK/new.txt" \
		>"$WORK/diff.out" 2>"$WORK/summary"
	rc=$?
	if [[ $rc == 0 && -s $WORK/new.txt ]] && grep -q 'accesses read: ' "$WORK/summary" &&
		grep -q 'already allowed' "$WORK/summary" && grep -q 'rules learned' "$WORK/summary"; then
		ok "import_trace_of_a_real_strace_log_writes_the_policy"
		diag <"$WORK/summary"
	else
		not_ok "import_trace_of_a_real_strace_log_writes_the_policy (rc $rc)"
		diag <"$WORK/summary"
	fi

	t "the_original_policy_denies_every_expected_access (control)" \
		all_denied "$WORK/base.txt" "$WORK/expected"
	if all_allowed "$WORK/new.txt" "$WORK/expected"; then
		ok "the_imported_policy_allows_every_expected_access ($(wc -l <"$WORK/expected"))"
	else
		not_ok "the_imported_policy_allows_every_expected_access"
		grep -v '^allow' "$WORK/check.out" | diag
	fi

	# An independent reading of the raw log: every successful open (by the
	# file strace says the descriptor refers to) and every code mapping.
	awk '
	/ = [0-9]+<\// && /open(at2?)?\(|creat\(/ && !/O_PATH/ {
		p = $0; sub(/.* = [0-9]+</, "", p); sub(/>$/, "", p)
		sub(/<(char|block) [0-9:]+>$/, "", p); sub(/ \(deleted\)$/, "", p)
		perms = "r"
		if (/O_RDWR/) perms = "rw"; else if (/O_WRONLY/ || /creat\(/) perms = "w"
		if ((/O_CREAT/ || /O_TRUNC/) && perms == "r") perms = "rw"
		print perms, p
	}
	/mmap\(/ && /PROT_EXEC/ && / [0-9]+<\// && !/= -1/ {
		p = $0; sub(/.*PROT_EXEC[^,]*, [^,]*, [0-9]+</, "", p); sub(/>, .*/, "", p)
		print "x", p
	}' "$WORK/trace.log" | grep -v ' /proc/[0-9]' | sort -u >"$WORK/raw"
	if [[ $(wc -l <"$WORK/raw") -ge 10 ]] && all_allowed "$WORK/new.txt" "$WORK/raw"; then
		ok "every_successful_open_and_code_mapping_in_the_log_is_allowed ($(wc -l <"$WORK/raw"))"
	else
		not_ok "every_successful_open_and_code_mapping_in_the_log_is_allowed ($(wc -l <"$WORK/raw"))"
		grep -v '^allow' "$WORK/check.out" | head -20 | diag
	fi

	"$FGUARDCTL" compile "$WORK/new.txt" -o "$WORK/new.bin" >"$WORK/compile.out" 2>&1 &&
		ok "the_imported_policy_compiles" ||
		{ not_ok "the_imported_policy_compiles"; diag <"$WORK/compile.out"; }
	head -n "$(wc -l <"$WORK/base.txt")" "$WORK/new.txt" |
		sed "s|^rw  $W/y     # the result file; learned: .*|r   $W/y     # the result file|" |
		cmp -s - "$WORK/base.txt" &&
		grep -q '^# --- learned by fguardctl import-trace on 2026-12-04T19:58:00Z ---$' "$WORK/new.txt" &&
		ok "the_operator_text_is_kept_and_a_learned_section_follows" ||
		not_ok "the_operator_text_is_kept_and_a_learned_section_follows"
	if [[ $(grep -c " $W/y " "$WORK/new.txt") == 1 ]] &&
		grep -q "^rw  $W/y     # the result file; learned: rename(w) from $W/x by mv at 20" "$WORK/new.txt"; then
		ok "an_existing_exact_rule_is_widened_in_place_not_repeated"
	else
		not_ok "an_existing_exact_rule_is_widened_in_place_not_repeated"
		grep " $W/y" "$WORK/new.txt" | diag
	fi
	out=$("$FGUARDCTL" check "$WORK/new.txt" r "$W/x")
	[[ $? == 0 ]] && grep -q "new name may not be granted more" "$WORK/new.txt" &&
		ok "the_old_name_of_a_rename_gains_what_the_new_name_has" ||
		{ not_ok "the_old_name_of_a_rename_gains_what_the_new_name_has"; echo "$out" | diag; }
	if grep -q "^# suggestion: $W/prog is both written and executed (exec(x) by sh" "$WORK/new.txt" &&
		! "$FGUARDCTL" check "$WORK/new.txt" x "$W/prog" >/dev/null &&
		! grep -q '^allow' "$WORK/new.txt"; then
		ok "exec_of_a_written_file_is_a_write_exec_suggestion_not_a_rule"
	else
		not_ok "exec_of_a_written_file_is_a_write_exec_suggestion_not_a_rule"
		grep "prog" "$WORK/new.txt" | diag
	fi
	if grep -Eq '^[rwx]+ +[^ ]*\*' <(sed -n '/^# --- learned/,$p' "$WORK/new.txt"); then
		not_ok "only_exact_rules_are_learned"
	else
		ok "only_exact_rules_are_learned"
	fi
	grep -q '^# suggestion: "r /usr/share/zoneinfo/\*"\|^# suggestion: "x /usr/bin/\*" would replace the [0-9]* learned rules for files in /usr/bin$' \
		"$WORK/new.txt" && ok "a_directory_rule_is_suggested_for_many_files_in_one_directory" ||
		not_ok "a_directory_rule_is_suggested_for_many_files_in_one_directory"
	"$FGUARDCTL" diff "$WORK/base.txt" "$WORK/new.txt" >"$WORK/diff2.out"
	if cmp -s "$WORK/diff.out" "$WORK/diff2.out" && grep -q '^+ r   /etc/hostname  # learned: open(r) by cat' "$WORK/diff.out" &&
		grep -q "^~ r -> rw  $W/y" "$WORK/diff.out"; then
		ok "import_trace_prints_the_diff_that_fguardctl_diff_prints"
	else
		not_ok "import_trace_prints_the_diff_that_fguardctl_diff_prints"
		diff "$WORK/diff.out" "$WORK/diff2.out" | head | diag
	fi
	"$FGUARDCTL" diff --exit-code "$WORK/base.txt" "$WORK/new.txt" >/dev/null
	[[ $? == 1 ]] && "$FGUARDCTL" diff --exit-code "$WORK/new.txt" "$WORK/new.txt" >/dev/null &&
		ok "fguardctl_diff_still_gates_on_differences" ||
		not_ok "fguardctl_diff_still_gates_on_differences"

	"$FGUARDCTL" import-trace "$WORK/new.txt" "$WORK/trace.log" -o "$WORK/new2.txt" \
		>/dev/null 2>"$WORK/summary2"
	if cmp -s "$WORK/new.txt" "$WORK/new2.txt" && grep -q '^0 rules learned' "$WORK/summary2"; then
		ok "importing_the_same_trace_again_changes_nothing"
	else
		not_ok "importing_the_same_trace_again_changes_nothing"
		diag <"$WORK/summary2"
	fi

	"$FGUARDCTL" compile "$WORK/base.txt" -o "$WORK/base.bin" >/dev/null 2>&1 &&
		"$FGUARDCTL" import-trace "$WORK/base.bin" "$WORK/trace.log" -o "$WORK/frombin.txt" \
			>/dev/null 2>&1 &&
		all_allowed "$WORK/frombin.txt" "$WORK/expected" &&
		"$FGUARDCTL" compile "$WORK/frombin.txt" -o "$WORK/frombin.bin" >/dev/null 2>&1 &&
		ok "a_policy_bin_base_gives_a_text_policy_that_allows_the_trace" ||
		not_ok "a_policy_bin_base_gives_a_text_policy_that_allows_the_trace"

	# --root: the container's root at $WORK/rootfs on the host
	mkdir -p "$WORK/rootfs/etc" "$WORK/rootfs/srv"
	echo conf >"$WORK/rootfs/etc/app.conf"
	printf '#!/bin/sh\ncat /etc/app.conf\n' >"$WORK/rootfs/srv/run"
	strace -f -yy -o "$WORK/root.log" sh -c "cat '$WORK/rootfs/etc/app.conf' /etc/hostname; ls '$WORK/rootfs/srv'" >/dev/null 2>&1
	printf 'r /etc/hostname\n' >"$WORK/rootbase.txt"
	"$FGUARDCTL" import-trace "$WORK/rootbase.txt" "$WORK/root.log" -o "$WORK/root.txt" \
		--root "$WORK/rootfs" >/dev/null 2>"$WORK/rootsum"
	if grep -q '^r   /etc/app.conf ' "$WORK/root.txt" && grep -q '^r   /srv ' "$WORK/root.txt" &&
		! grep -q "$WORK" "$WORK/root.txt" && grep -q 'skipped: [0-9]* paths outside the root' "$WORK/rootsum"; then
		ok "with_root_the_prefix_is_stripped_and_outside_paths_are_counted"
	else
		not_ok "with_root_the_prefix_is_stripped_and_outside_paths_are_counted"
		diag <"$WORK/rootsum"
		diag <"$WORK/root.txt"
	fi

	# --cwd: a relative path, and no -y to name the working directory
	echo data >"$W/rel.txt"
	(cd "$W" && strace -f -o "$WORK/cwd.log" cat rel.txt >/dev/null 2>&1)
	"$FGUARDCTL" import-trace "$WORK/rootbase.txt" "$WORK/cwd.log" -o "$WORK/cwd.txt" \
		--cwd "$W" >/dev/null 2>&1
	"$FGUARDCTL" import-trace "$WORK/rootbase.txt" "$WORK/cwd.log" -o "$WORK/nocwd.txt" \
		>/dev/null 2>"$WORK/nocwd.sum"
	if "$FGUARDCTL" check "$WORK/cwd.txt" r "$W/rel.txt" >/dev/null &&
		! "$FGUARDCTL" check "$WORK/nocwd.txt" r "$W/rel.txt" >/dev/null &&
		grep -q 'relative paths with an unknown working directory' "$WORK/nocwd.sum"; then
		ok "relative_paths_resolve_against_cwd_and_are_counted_without_it"
	else
		not_ok "relative_paths_resolve_against_cwd_and_are_counted_without_it"
		diag <"$WORK/nocwd.sum"
	fi
else
	for name in workload_ran_under_strace import_trace_of_a_real_strace_log_writes_the_policy \
		the_imported_policy_allows_every_expected_access the_imported_policy_compiles; do
		skip "$name" "$WHY"
	done
fi

# ------------------------------------------------------------ errors

printf 'r /etc/hostname\n' >"$WORK/small.txt"
"$FGUARDCTL" import-trace "$WORK/small.txt" "$WORK/no-such.log" -o "$WORK/e1.txt" 2>"$WORK/err"
rc=$?
[[ $rc == 2 && ! -e $WORK/e1.txt ]] && grep -q 'no-such.log: No such file' "$WORK/err" &&
	ok "an_unreadable_trace_is_an_error_naming_it" ||
	{ not_ok "an_unreadable_trace_is_an_error_naming_it (rc $rc)"; diag <"$WORK/err"; }
printf 'this is not\nan strace log\n' >"$WORK/junk.log"
"$FGUARDCTL" import-trace "$WORK/small.txt" "$WORK/junk.log" -o "$WORK/e2.txt" 2>"$WORK/err"
rc=$?
[[ $rc == 2 && ! -e $WORK/e2.txt ]] && grep -q 'no strace system call lines' "$WORK/err" &&
	ok "a_trace_without_system_call_lines_is_an_error" ||
	{ not_ok "a_trace_without_system_call_lines_is_an_error (rc $rc)"; diag <"$WORK/err"; }
"$FGUARDCTL" import-trace "$WORK/small.txt" "$WORK/junk.log" 2>"$WORK/err" >/dev/null
[[ $? == 2 ]] && grep -q '^Usage: .*import-trace POLICY TRACE -o NEW_POLICY' "$WORK/err" &&
	ok "missing_output_prints_usage" || not_ok "missing_output_prints_usage"
printf 'q /etc/x\n' >"$WORK/bad.txt"
printf '1 openat(AT_FDCWD, "/etc/a", O_RDONLY) = 3\n' >"$WORK/one.log"
"$FGUARDCTL" import-trace "$WORK/bad.txt" "$WORK/one.log" -o "$WORK/e3.txt" 2>"$WORK/err"
[[ $? == 2 && ! -e $WORK/e3.txt ]] && grep -q "bad.txt:1: Invalid permissions" "$WORK/err" &&
	ok "a_bad_policy_is_an_error_and_writes_nothing" || not_ok "a_bad_policy_is_an_error_and_writes_nothing"
printf '1 mount("none", "/mnt", "tmpfs", 0, NULL) = 0\n' >"$WORK/mount.log"
"$FGUARDCTL" import-trace "$WORK/small.txt" "$WORK/mount.log" -o "$WORK/mount.txt" >/dev/null 2>&1 &&
	grep -q '^# suggestion: the program mounted (1 operation, first: mount of /mnt' "$WORK/mount.txt" &&
	! grep -q '^allow' "$WORK/mount.txt" &&
	ok "a_mount_is_a_suggestion_never_the_allow_line" || not_ok "a_mount_is_a_suggestion_never_the_allow_line"

# ------------------------------------------------------------ hostile input

if [[ -x $SAN ]]; then
	for round in 1 2 3; do
		{
			# real lines cut at random places, then random bytes
			if [[ -s $WORK/trace.log ]]; then
				shuf -n 400 --random-source=<(yes "$round") "$WORK/trace.log" |
					awk -v s="$round" 'BEGIN { srand(s) } { print substr($0, 1, int(rand() * length($0)) + 1) }'
				shuf -n 200 --random-source=<(yes "$round") "$WORK/trace.log"
			fi
			head -c 20000 /dev/urandom
			printf '\n1 openat(AT_FDCWD, "/etc/a", O_RDONLY) = 3\n'
		} >"$WORK/garbage$round.log"
		"$SAN" import-trace "$WORK/small.txt" "$WORK/garbage$round.log" -o "$WORK/g.txt" \
			>"$WORK/g.out" 2>"$WORK/g.err"
		rc=$?
		if [[ $rc == 0 || $rc == 2 ]] && ! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$WORK/g.err"; then
			ok "hostile_trace_round_${round}_exits_${rc}_without_a_sanitizer_report"
		else
			not_ok "hostile_trace_round_${round}_exits_sanely (rc $rc)"
			head -30 "$WORK/g.err" | diag
		fi
	done
	head -c 65536 /dev/urandom >"$WORK/random.log"
	"$SAN" import-trace "$WORK/small.txt" "$WORK/random.log" -o "$WORK/g.txt" >/dev/null 2>"$WORK/g.err"
	rc=$?
	[[ $rc == 2 ]] && ! grep -qE 'runtime error|AddressSanitizer' "$WORK/g.err" &&
		ok "random_bytes_are_no_trace_exit_2_without_a_sanitizer_report" ||
		{ not_ok "random_bytes_are_no_trace_exit_2_without_a_sanitizer_report (rc $rc)"; head -20 "$WORK/g.err" | diag; }
else
	skip "hostile_trace_under_sanitizers" "no $SAN (make unit builds it)"
fi

# ------------------------------------- check: write-xor-execute, as the kernel
printf 'rwx /app/run.sh  # writable and runnable\nrx  /bin/sh  # a shell\nx /data/tool  # runnable\nrw /data/**  # scratch\n' >"$WORK/wx.txt"
printf 'allow write-exec\nrwx /app/run.sh  # writable and runnable\n' >"$WORK/wx-allowed.txt"
"$FGUARDCTL" check "$WORK/wx.txt" x /app/run.sh >"$WORK/wx.out" 2>&1
rc=$?
[[ $rc == 1 ]] && grep -q 'write-xor-execute' "$WORK/wx.out" &&
	ok "check_denies_x_of_a_path_its_rule_makes_writable" ||
	{ not_ok "check_denies_x_of_a_path_its_rule_makes_writable (rc $rc)"; diag <"$WORK/wx.out"; }
"$FGUARDCTL" check "$WORK/wx.txt" x /data/tool >"$WORK/wx.out" 2>&1
rc=$?
[[ $rc == 1 ]] && grep -q 'write-xor-execute' "$WORK/wx.out" &&
	ok "check_denies_x_of_a_path_another_rule_makes_writable" ||
	{ not_ok "check_denies_x_of_a_path_another_rule_makes_writable (rc $rc)"; diag <"$WORK/wx.out"; }
t "check_allows_x_of_a_read_only_program (control)" "$FGUARDCTL" check "$WORK/wx.txt" x /bin/sh
t "check_allows_w_of_the_writable_path (control)" "$FGUARDCTL" check "$WORK/wx.txt" rw /app/run.sh
t "check_allows_x_of_a_writable_path_under_allow_write-exec" "$FGUARDCTL" check "$WORK/wx-allowed.txt" x /app/run.sh
printf 'x /app/run.sh\nx /bin/sh\n' | "$FGUARDCTL" check "$WORK/wx.txt" - >"$WORK/wx.out" 2>&1
[[ $(cut -f1 "$WORK/wx.out" | tr '\n' ' ') == "deny allow " ]] && grep -q 'write-xor-execute$' "$WORK/wx.out" &&
	ok "check_from_stdin_marks_write-xor-execute_denials" ||
	{ not_ok "check_from_stdin_marks_write-xor-execute_denials"; diag <"$WORK/wx.out"; }

echo "1..$N"
if ((FAILED)); then
	echo "# $FAILED of $N trace tests failed"
	exit 1
fi
echo "# all $N trace tests passed"
exit 0
