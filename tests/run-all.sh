#!/bin/bash
# `make check`: every unit test and both guest passes (stock kernel, then
# the debug kernel with KASAN, lockdep, kmemleak and UBSAN). Installs what
# it needs first. Ends with "N passed, N failed"; exits non-zero on any
# failure.
#
#   FGUARD_SKIP_DEBUG=1   skip the debug-kernel pass (counted as a failure
#                         unless FGUARD_ALLOW_SKIP=1: a skipped test never
#                         counts as passed)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
passed=0
failed=0
skipped=0
failures=()

count_tap() {	# name logfile rc
	local p f s
	p=$(grep -c '^ok ' "$2" || true)
	f=$(grep -c '^not ok ' "$2" || true)
	# a skipped test never counts as passed
	s=$(grep -c '^ok .*# SKIP' "$2" || true)
	p=$((p - s))
	skipped=$((skipped + s))
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$3" != 0 ] && [ "$f" = 0 ]; then
		failed=$((failed + 1))	# the run itself failed: splat, timeout
		failures+=("$1 (run failed, rc $3)")
	elif [ "$f" != 0 ]; then
		failures+=("$1 ($f failed)")
	fi
}

step() { printf '\n=== %s\n' "$*"; }

step "dependencies"
tests/deps.sh || { echo "cannot install dependencies"; echo "0 passed, 1 failed"; exit 1; }

step "build"
if ! make -s all unit; then
	echo "build failed"
	echo "0 passed, 1 failed"
	exit 1
fi

step "unit tests"
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	log=build/$(basename "$t").log
	"$t" > "$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $rc != 0 ] && [ "${f:-0}" = 0 ]; then
		failed=$((failed + 1))
		failures+=("$t (rc $rc: sanitizer or crash)")
	elif [ "${f:-0}" != 0 ]; then
		failures+=("$t")
	fi
done

step "fuzzers (${FUZZ_SECONDS:-20}s each)"
FUZZ_SECONDS=${FUZZ_SECONDS:-20} tests/fuzz/run.sh 2>&1 | tee build/fuzz.out
count_tap "fuzzers" build/fuzz.out "${PIPESTATUS[0]}"

if [ -x tests/build-tests.sh ]; then
	step "fguardctl build on real images"
	tests/build-tests.sh "$top/fguardctl" 2>&1 | tee build/build-tests.log
	count_tap "build tests" build/build-tests.log "${PIPESTATUS[0]}"
fi

step "fguardctl import-trace on real strace logs"
tests/trace-tests.sh "$top/fguardctl" 2>&1 | tee build/trace-tests.log
count_tap "trace tests" build/trace-tests.log "${PIPESTATUS[0]}"

step "installation: make install, DKMS add and build (nothing loaded)"
tests/install-tests.sh 2>&1 | tee build/install-tests.out
count_tap "install tests" build/install-tests.out "${PIPESTATUS[0]}"

# The guest's check lines stream on stdout, counted once; the harness's
# verdict and, on failure, the whole console log go to stderr, shown after.
guest_pass() {	# stock|debug
	tests/guest/run.sh "$1" 2> "build/guest-$1.err" | tee "build/guest-$1.out"
	local rc=${PIPESTATUS[0]}
	if [ "$rc" != 0 ]; then
		tail -n 80 "build/guest-$1.err"
	else
		tail -n 2 "build/guest-$1.err"
	fi
	count_tap "guest ($1)" "build/guest-$1.out" "$rc"
}

step "guest tests, stock kernel"
guest_pass stock

if [ "${FGUARD_SKIP_DEBUG:-0}" = 1 ]; then
	if [ "${FGUARD_ALLOW_SKIP:-0}" != 1 ]; then
		failed=$((failed + 1))
		failures+=("debug-kernel pass skipped")
	fi
else
	step "guest tests, debug kernel (KASAN, lockdep, kmemleak, UBSAN)"
	guest_pass debug
fi

echo
for f in "${failures[@]+"${failures[@]}"}"; do
	echo "FAILED: $f"
done
if [ "$skipped" != 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
