#!/bin/bash
# `make bench`: the open() benchmark, in one guest boot on the stock kernel.
# Interleaved rounds; prints the median per configuration and its ratio to
# "no module". BENCH_N (default 200000) calls per round, BENCH_ROUNDS
# (default 7) rounds.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
tests/deps.sh
[ -n "${FGUARD_BENCH_NO_MAKE:-}" ] || make -s all
mkdir -p build/guest
gcc -static -O2 -Wall -Wextra -o build/guest/fgprobe tests/guest/fgprobe.c
gcc -static -O2 -Wall -Wextra -o build/guest/fgbench tests/bench/fgbench.c

p=build/payload-bench
rm -rf "$p"
mkdir -p "$p/policies" "$p/bench/data"
cp fguard.ko fguardctl build/guest/fgprobe build/guest/fgbench tests/bench/bench-guest.sh "$p/"
echo data > "$p/bench/data/file.txt"
echo secret > "$p/bench/secret.txt"
mkdir -p "$p/bench/rw"
{
	echo "rx /payload/*  # the benchmark programs"
	echo "r  /payload/bench/data/*  # the file opened"
	for i in 1 2 3 4 5 6 7 8; do echo "r /etc/filler$i"; done
} > "$p/policies/g10.txt"
{
	echo "rx /payload/*  # the benchmark programs"
	echo "r  /payload/bench/data/*  # the file opened"
	echo "rw /payload/bench/rw/**  # renames and unlinks"
	awk 'BEGIN { for (i = 0; i < 99997; i++) printf "r /srv/app/d%d/file%d.dat\n", i % 500, i }'
} > "$p/policies/g100k.txt"
for n in g10 g100k; do
	./fguardctl compile "$p/policies/$n.txt" -o "$p/policies/$n.bin"
done

out=build/bench.out
tests/qemu/run-guest.sh --timeout 1800 --log build/bench-guest.log \
	--env BENCH_N="${BENCH_N:-200000}" --env BENCH_ROUNDS="${BENCH_ROUNDS:-7}" \
	--payload "$p" -- ./bench-guest.sh | grep --line-buffered '^bench' | tee "$out"
grep -q '^bench-done' "$out" || { echo "benchmark did not finish"; exit 1; }

echo
echo "open+close of an allowed file, ${BENCH_ROUNDS:-7} interleaved rounds of ${BENCH_N:-200000}"
echo "calls (QEMU TCG guest). ratio: median over median of no module; paired:"
echo "median of each round's ratio to no module in that round (measured before"
echo "and after the module's runs, and averaged)"
awk '
# a configuration measured twice in a round (none: before and after the
# runs of the module) counts with the mean of the two in that round
/^bench [0-9]/ { v[$3] = v[$3] " " $4; xs[$2, $3] += $4; xn[$2, $3]++
		 x[$2, $3] = xs[$2, $3] / xn[$2, $3]; if ($2 > rounds) rounds = $2
		 if (!($3 in seen)) { seen[$3] = 1; order[++n] = $3 } }
function median(s,   a, k, i, j, t) {
	k = split(s, a, " ")
	for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
# the ratio to "none" of the same round, for each round: drift between
# rounds cancels out
function paired(c, b,   r, s) {
	s = ""
	for (r = 1; r <= rounds; r++) if (((r, c) in x) && ((r, b) in x)) s = s " " x[r, c] / x[r, b]
	return median(s)
}
END {
	base = median(v["none"])
	printf "%-22s %12s %8s %12s\n", "configuration", "ns/call", "ratio", "paired"
	split("none unguarded guarded-10 guarded-100k guarded-100k-nocache landlock", want, " ")
	for (i = 1; i <= 6; i++) { c = want[i]; if (c in v) printf "%-22s %12.1f %8.3f %12.3f\n", c, median(v[c]), median(v[c]) / base, paired(c, "none") }
	printf "\n%-22s %12s %8s %12s\n", "other operations", "ns/call", "ratio", "paired"
	split("rename unlink exec", ops, " ")
	for (i = 1; i <= 3; i++) {
		b = ops[i] "-none"; g = ops[i] "-guarded-100k"
		if ((b in v) && (g in v)) {
			printf "%-22s %12.1f %8.3f %12s\n", b, median(v[b]), 1, "1.000"
			printf "%-22s %12.1f %8.3f %12.3f\n", g, median(v[g]), median(v[g]) / median(v[b]), paired(g, b)
		}
	}
	if (("denied-events-off" in v) && ("denied-events-on" in v)) {
		printf "\n%-22s %12s %8s %12s\n", "denied open (100k)", "ns/call", "ratio", "paired"
		printf "%-22s %12.1f %8.3f %12s\n", "events off", median(v["denied-events-off"]), 1, "1.000"
		printf "%-22s %12.1f %8.3f %12.3f\n", "events on (monitor)", median(v["denied-events-on"]), median(v["denied-events-on"]) / median(v["denied-events-off"]), paired("denied-events-on", "denied-events-off")
	}
}' "$out" | tee build/bench-table.txt
