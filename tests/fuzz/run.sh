#!/bin/bash
# Build the libFuzzer targets with clang and run each for FUZZ_SECONDS
# (default 30) from a small seed corpus. Exit non-zero on any crash.
# TAP lines: one per target.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
secs=${FUZZ_SECONDS:-30}
out=build/fuzz
mkdir -p "$out"
flags="-g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -Iinclude -Ictl $(pkg-config --cflags libnl-genl-3.0 libarchive libelf jansson openssl)"
libs="$(pkg-config --libs libnl-genl-3.0 libarchive libelf jansson openssl)"
n=0
rc=0
for target in tests/fuzz/fuzz_*.c; do
	name=$(basename "$target" .c)
	n=$((n + 1))
	# each target names the sources it needs on a "fuzz-sources:" line
	srcs=$(sed -n 's|^// fuzz-sources: ||p' "$target")
	if ! clang $flags -o "$out/$name" "$target" $srcs $libs 2> "$out/$name.build.log"; then
		echo "not ok $n - $name builds"
		sed 's/^/# /' "$out/$name.build.log" | head -20
		rc=1
		continue
	fi
	corpus=$out/$name.corpus
	mkdir -p "$corpus"
	case $name in
	fuzz_policy_text) cp tests/guest/policies/*.txt "$corpus/" ;;
	fuzz_policy_bin)
		for p in tests/guest/policies/*.txt; do
			./fguardctl compile "$p" -o "$corpus/$(basename "$p" .txt).bin" 2>/dev/null
		done ;;
	fuzz_image)
		printf '\003\000#!/bin/sh\n. /etc/x.sh\nexec "$@"\n' > "$corpus/sh"
		printf '\003\001import os\nfrom json import decoder\n' > "$corpus/py"
		printf '\003\002include /etc/*.conf;\nroot /srv;\nlog /var/log/x.log;\n' > "$corpus/conf" ;;
	fuzz_strace)
		# real strace lines of each kind the reader handles
		sed -n '/^[[:space:]]*"[0-9[<]/{s/^[[:space:]]*"//;s/\\n"$//;s/\\"/"/g;p}' \
			tests/unit/test_strace.c > "$corpus/lines" ;;
	esac
	[ -d "tests/fuzz/corpus/$name" ] && cp "tests/fuzz/corpus/$name"/* "$corpus/" 2>/dev/null
	if "$out/$name" -max_total_time="$secs" -max_len=65536 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$out/$name-" "$corpus" > "$out/$name.log" 2>&1; then
		echo "ok $n - $name: no crash in ${secs}s ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$name.log" | awk '{print $2}') runs)"
	else
		echo "not ok $n - $name"
		tail -40 "$out/$name.log" | sed 's/^/# /'
		rc=1
	fi
done
exit $rc
