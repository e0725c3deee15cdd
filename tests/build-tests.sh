#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# build-tests.sh - end-to-end tests of `fguardctl build', `explain' and
# `diff' on real images (TAP output: "ok N - name", diagnostics "# ...").
#
#   tests/build-tests.sh [FGUARDCTL]      (or FGUARDCTL=... in the environment)
#
# For each test image (tests/images/make-image.sh: nginx, python, shell,
# redis),
# the policy is built from the archive, the image's entry point is run
# under strace with a realistic workload (tests/trace/trace.sh), and every
# traced access must be allowed by the policy (`fguardctl check POLICY -'),
# every traced write must fall under a writable rule, and the share of the
# image's files the policy allows is reported (nginx: under 3%). Then: the
# reader against an independently unpacked root, for every archive format;
# hostile archives; explain and diff; and the build-time benchmarks (nginx
# under 2 s, 100,000 files under 10 s).
#
# Needs root (chroot, namespaces, image assembly), strace, jq, apt (for
# the packages of the images; cached in ${FGUARD_CACHE:-/var/cache/fguard}).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
FGUARDCTL=${1:-${FGUARDCTL:-$ROOT/fguardctl}}
FGUARDCTL=$(readlink -f "$FGUARDCTL")
WORK=$(mktemp -d /tmp/fguard-build-tests.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
N=0
FAILED=0

ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"; }
skip() { N=$((N + 1)); echo "ok $N - $1 # SKIP $2"; }
diag() { sed 's/^/# /'; }
# check NAME COMMAND...: run, "ok" on exit 0; its output as diagnostics if not.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name"
		printf '%s\n' "$out" | head -40 | diag
	fi
}
# expect_fail NAME PATTERN COMMAND...: must exit 1 with PATTERN in stderr.
expect_fail() {
	local name=$1 pat=$2 out rc
	shift 2
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [[ $rc == 1 ]] && grep -qiE -- "$pat" <<<"$out"; then
		ok "$name"
		echo "$out" | head -2 | diag
	else
		not_ok "$name"
		echo "exit $rc, expected 1 and /$pat/; stderr:" | diag
		printf '%s\n' "$out" | head -10 | diag
	fi
}

[[ -x $FGUARDCTL ]] || { echo "Bail out! no fguardctl at $FGUARDCTL"; exit 1; }
CAN_IMAGES=1
CAN_TRACE=1
if [[ $(id -u) != 0 ]]; then
	CAN_IMAGES=0
	CAN_TRACE=0
	WHY="needs root"
fi
command -v strace >/dev/null || { CAN_TRACE=0; WHY_TRACE="strace missing"; }
command -v jq >/dev/null || { CAN_IMAGES=0; WHY="jq missing"; }

PKGS="libarchive jansson openssl libelf"
CFLAGS_H="-std=gnu11 -O2 -Wall -I$ROOT/ctl -I$ROOT/include $(pkg-config --cflags $PKGS 2>/dev/null)"
LIBS_H=$(pkg-config --libs $PKGS 2>/dev/null)
if ! ${CC:-cc} $CFLAGS_H -o "$WORK/lsimage" "$ROOT/tests/images/lsimage.c" \
	"$ROOT/ctl/image.c" $LIBS_H 2>"$WORK/cc.log"; then
	echo "Bail out! cannot build tests/images/lsimage"
	diag <"$WORK/cc.log"
	exit 1
fi
if ! ${CC:-cc} -O2 -Wall -o "$WORK/fgtrace" "$ROOT/tests/trace/fgtrace.c" 2>"$WORK/cc.log"; then
	echo "Bail out! cannot build tests/trace/fgtrace"
	exit 1
fi
export FGTRACE=$WORK/fgtrace

seconds() {	# the build time fguardctl reports
	sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$1"
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# ------------------------------------------------------------ real images

declare -A FMT=([nginx]="docker none" [python]="docker-oci none" [shell]="oci zstd"
	[redis]="oci gzip")
IMAGES="nginx python shell redis"
if [[ $CAN_IMAGES == 1 ]]; then
	for img in $IMAGES; do
		set -- ${FMT[$img]}
		if QUIET=1 "$ROOT/tests/images/make-image.sh" "$img" "$WORK/$img.tar" \
			--format "$1" --compress "$2" --rootfs "$WORK/$img.root" \
			--spec "$WORK/$img.spec" 2>"$WORK/$img.mk.log"; then
			ok "image_${img}_assembled_from_debian_packages ($1, $2 layers)"
		else
			not_ok "image_${img}_assembled_from_debian_packages"
			tail -20 "$WORK/$img.mk.log" | diag
			continue
		fi
		if "$FGUARDCTL" build "$WORK/$img.tar" -o "$WORK/$img.pol" \
			2>"$WORK/$img.build.log"; then
			ok "${img}_policy_builds"
			diag <"$WORK/$img.build.log"
		else
			not_ok "${img}_policy_builds"
			diag <"$WORK/$img.build.log"
			continue
		fi
		if [[ $CAN_TRACE != 1 ]]; then
			skip "${img}_entry_point_traced_under_workload" "${WHY_TRACE:-$WHY}"
			continue
		fi
		if "$ROOT/tests/trace/trace.sh" "$WORK/$img.root" "$WORK/$img.spec" \
			"$ROOT/tests/trace/workload-$img.sh" "$WORK/$img.trace" \
			"$WORK/$img.tracelog" >"$WORK/$img.trace.out" 2>&1; then
			ok "${img}_entry_point_traced_under_workload ($(wc -l <"$WORK/$img.trace") paths)"
			sed 's/^/request: /' "$WORK/$img.tracelog/requests" | diag
		else
			not_ok "${img}_entry_point_traced_under_workload"
			tail -20 "$WORK/$img.trace.out" | diag
			tail -10 "$WORK/$img.tracelog/stderr" 2>/dev/null | diag
			continue
		fi
		"$FGUARDCTL" check "$WORK/$img.pol" - <"$WORK/$img.trace" >"$WORK/$img.check"
		total=$(wc -l <"$WORK/$img.trace")
		allowed=$(grep -c '^allow' "$WORK/$img.check")
		if [[ $total -gt 0 && $allowed == "$total" ]]; then
			ok "${img}_every_traced_access_is_allowed ($allowed of $total)"
		else
			not_ok "${img}_every_traced_access_is_allowed ($allowed of $total)"
			grep -v '^allow' "$WORK/$img.check" | head -30 | diag
		fi
		grep -E '^[rx]*w' "$WORK/$img.trace" | sed 's/^[a-z]* /w /' >"$WORK/$img.writes"
		if [[ ! -s $WORK/$img.writes ]]; then
			ok "${img}_every_traced_write_is_under_a_writable_rule (no writes)"
		elif "$FGUARDCTL" check "$WORK/$img.pol" - <"$WORK/$img.writes" >"$WORK/$img.wcheck"; then
			ok "${img}_every_traced_write_is_under_a_writable_rule ($(wc -l <"$WORK/$img.writes") paths)"
		else
			not_ok "${img}_every_traced_write_is_under_a_writable_rule"
			grep -v '^allow' "$WORK/$img.wcheck" | head -20 | diag
		fi
	done
fi

# The share of the image's files the policy allows.
for img in $IMAGES; do
	[[ -s $WORK/$img.pol && -d $WORK/$img.root/ ]] || continue
	(cd "$WORK/$img.root/" && find . -type f -printf 'r /%P\n') >"$WORK/$img.files"
	files=$(wc -l <"$WORK/$img.files")
	allowed=$("$FGUARDCTL" check "$WORK/$img.pol" - <"$WORK/$img.files" | grep -c '^allow')
	pct=$(awk -v a="$allowed" -v f="$files" 'BEGIN { printf "%.2f", 100 * a / f }')
	echo "# $img: the policy allows $allowed of the image's $files regular files ($pct%)"
	if [[ $img == nginx ]]; then
		if lt "$pct" 3; then
			ok "nginx_policy_allows_under_3_percent_of_the_image_files ($pct%)"
		else
			not_ok "nginx_policy_allows_under_3_percent_of_the_image_files ($pct%)"
		fi
	fi
done

# Invariants of every policy built.
for img in $IMAGES; do
	pol=$WORK/$img.pol
	[[ -s $pol ]] || continue
	bad=$(grep -E '^[rx]*w[rx]* +/(etc|usr|bin|sbin|lib[a-z0-9]*|boot)(/| |$)' "$pol")
	if [[ -z $bad ]]; then
		ok "${img}_nothing_under_system_directories_is_writable"
	else
		not_ok "${img}_nothing_under_system_directories_is_writable"
		echo "$bad" | diag
	fi
	grep -E '^[rw]*x' "$pol" | awk '{ print "w " $2 }' | grep -v '\*' >"$WORK/$img.xw"
	if [[ ! -s $WORK/$img.xw ]] ||
		! "$FGUARDCTL" check "$pol" - <"$WORK/$img.xw" | grep -q '^allow'; then
		ok "${img}_no_path_is_both_writable_and_executable"
	else
		not_ok "${img}_no_path_is_both_writable_and_executable"
		"$FGUARDCTL" check "$pol" - <"$WORK/$img.xw" | grep '^allow' | diag
	fi
	head -20 "$pol" | grep -q '^image ' && grep -q '^digest sha256:' "$pol" &&
		grep -q '^entrypoint ' "$pol" && ok "${img}_policy_has_image_digest_entrypoint_header" ||
		not_ok "${img}_policy_has_image_digest_entrypoint_header"
	if awk '/^[rwx]+ +\// && !/  # ./ { bad = 1 } END { exit bad }' "$pol"; then
		ok "${img}_every_rule_has_a_reason"
	else
		not_ok "${img}_every_rule_has_a_reason"
	fi
done

# Binary output: the same decisions as the text.
if [[ -s $WORK/nginx.pol && -s $WORK/nginx.trace ]]; then
	"$FGUARDCTL" build "$WORK/nginx.tar" -q -o "$WORK/nginx.bin"
	cat "$WORK/nginx.trace" "$WORK/nginx.files" >"$WORK/mix"
	if cmp -s <("$FGUARDCTL" check "$WORK/nginx.pol" - <"$WORK/mix" | cut -f1-3) \
		<("$FGUARDCTL" check "$WORK/nginx.bin" - <"$WORK/mix" | cut -f1-3); then
		ok "build_to_bin_decides_like_the_text_policy"
	else
		not_ok "build_to_bin_decides_like_the_text_policy"
	fi
fi

# ------------------------------------------------------------ formats

if [[ $CAN_IMAGES == 1 && -d $WORK/nginx.root/ ]]; then
	(cd "$WORK/nginx.root/" && find . -mindepth 1 -printf '%y %s /%P -> %l\n') |
		awk '{ if ($1 != "f") $2 = 0; if ($1 != "l") sub(/ ->.*$/, ""); print }' |
		LC_ALL=C sort >"$WORK/nginx.find"
	for f in "docker none" "docker gzip" "docker-oci none" "oci gzip" "oci zstd" "oci none"; do
		set -- $f
		a=$WORK/nginx-$1-$2.tar
		QUIET=1 "$ROOT/tests/images/make-image.sh" nginx "$a" --format "$1" --compress "$2" \
			2>/dev/null || { not_ok "nginx_${1}_${2}_archive_assembled"; continue; }
		if "$WORK/lsimage" "$a" 2>/dev/null | LC_ALL=C sort | cmp -s - "$WORK/nginx.find"; then
			ok "reader_union_of_${1}_${2}_layers_matches_the_unpacked_root"
		else
			not_ok "reader_union_of_${1}_${2}_layers_matches_the_unpacked_root"
			diff <("$WORK/lsimage" "$a" 2>&1 | LC_ALL=C sort) "$WORK/nginx.find" | head -20 | diag
		fi
		"$FGUARDCTL" build -q "$a" -o "$WORK/f.pol" 2>/dev/null
		check "policy_from_${1}_${2}_archive_equals_the_docker_one" \
			"$FGUARDCTL" diff --exit-code "$WORK/nginx.pol" "$WORK/f.pol"
	done
	cat "$WORK/nginx-docker-none.tar" | "$FGUARDCTL" build -q - -o "$WORK/stdin.pol" 2>/dev/null
	check "build_reads_the_archive_from_standard_input" \
		"$FGUARDCTL" diff --exit-code "$WORK/nginx.pol" "$WORK/stdin.pol"
	gzip -c "$WORK/nginx-docker-none.tar" >"$WORK/nginx.tar.gz"
	"$FGUARDCTL" build -q "$WORK/nginx.tar.gz" -o "$WORK/gz.pol" 2>/dev/null
	check "build_reads_a_gzip_compressed_archive" \
		"$FGUARDCTL" diff --exit-code "$WORK/nginx.pol" "$WORK/gz.pol"
fi

# ------------------------------------------------------------ hostile

# A docker-save archive of the given layer tars, with correct digests.
mkarchive() {	# OUT ENTRYPOINT LAYER.tar...
	local out=$1 ep=$2 d diffs=() ids=() l i=0 cfg
	shift 2
	d=$(mktemp -d "$WORK/arch.XXXXXX")
	for l in "$@"; do
		mkdir -p "$d/l$i"
		cp "$l" "$d/l$i/layer.tar"
		diffs+=("sha256:$(sha256sum "$l" | cut -d' ' -f1)")
		ids+=("l$i/layer.tar")
		i=$((i + 1))
	done
	jq -cn --arg ep "$ep" --argjson d "$(jq -cn '$ARGS.positional' --args -- "${diffs[@]}")" \
		'{architecture: "amd64", os: "linux", config: {Entrypoint: [$ep],
		  Env: ["PATH=/usr/bin:/bin"]}, rootfs: {type: "layers", diff_ids: $d}}' >"$d/c.json"
	cfg=$(sha256sum "$d/c.json" | cut -d' ' -f1)
	mv "$d/c.json" "$d/$cfg.json"
	jq -cn --arg c "$cfg.json" --argjson l "$(jq -cn '$ARGS.positional' --args -- "${ids[@]}")" \
		'[{Config: $c, RepoTags: ["hostile:test"], Layers: $l}]' >"$d/manifest.json"
	(cd "$d" && tar -cf "$out" --sort=name *)
	rm -rf "$d"
}

mkdir -p "$WORK/h/src"
printf '#!/bin/sh\necho hi\n' >"$WORK/h/src/run"
chmod +x "$WORK/h/src/run"
(cd "$WORK/h/src" && tar -cf "$WORK/h/good.tar" run)
mkarchive "$WORK/h/ok.tar" /run "$WORK/h/good.tar"
check "a_minimal_crafted_archive_builds" "$FGUARDCTL" build -q "$WORK/h/ok.tar" -o "$WORK/h/ok.pol"

if [[ -s $WORK/nginx-docker-none.tar ]]; then
	src=$WORK/nginx-docker-none.tar
	head -c $(($(stat -c %s "$src") / 2)) "$src" >"$WORK/h/trunc.tar"
	expect_fail "truncated_archive_is_refused" "truncat" \
		"$FGUARDCTL" build "$WORK/h/trunc.tar" -o "$WORK/h/out.pol"
	[[ ! -e $WORK/h/out.pol ]] && ok "a_refused_archive_leaves_no_output_file" ||
		not_ok "a_refused_archive_leaves_no_output_file"
	mkdir -p "$WORK/h/x" && tar -xf "$src" -C "$WORK/h/x"
	(cd "$WORK/h/x" && tar -cf "$WORK/h/nomanifest.tar" --exclude=manifest.json --exclude=index.json .)
	expect_fail "archive_without_manifest_is_refused" "manifest" \
		"$FGUARDCTL" build "$WORK/h/nomanifest.tar"
	layer=$(jq -r '.[0].Layers[1]' "$WORK/h/x/manifest.json")
	(cd "$WORK/h/x" && tar -cf "$WORK/h/nolayer.tar" --exclude="$layer" .)
	expect_fail "archive_missing_a_layer_is_refused" "not in the archive" \
		"$FGUARDCTL" build "$WORK/h/nolayer.tar"
	cp -a "$WORK/h/x" "$WORK/h/y"
	echo '[{"Config": "x.json", "Layers": [' >"$WORK/h/y/manifest.json"
	(cd "$WORK/h/y" && tar -cf "$WORK/h/badjson.tar" .)
	expect_fail "manifest_with_bad_json_is_refused" "bad JSON" \
		"$FGUARDCTL" build "$WORK/h/badjson.tar"
	rm -rf "$WORK/h/y" && cp -a "$WORK/h/x" "$WORK/h/y"
	cfg=$(jq -r '.[0].Config' "$WORK/h/y/manifest.json")
	jq -c '.config.Env += ["EXTRA=1"]' "$WORK/h/y/$cfg" >"$WORK/h/cfg" && mv "$WORK/h/cfg" "$WORK/h/y/$cfg"
	(cd "$WORK/h/y" && tar -cf "$WORK/h/digest.tar" .)
	expect_fail "config_not_matching_its_digest_is_refused" "digest mismatch" \
		"$FGUARDCTL" build "$WORK/h/digest.tar"
	rm -rf "$WORK/h/y" && cp -a "$WORK/h/x" "$WORK/h/y"
	printf 'extra' >>"$WORK/h/y/$layer"
	(cd "$WORK/h/y" && tar -cf "$WORK/h/layerdigest.tar" .)
	expect_fail "layer_not_matching_its_diff_id_is_refused" "digest mismatch|corrupt|truncat|damaged" \
		"$FGUARDCTL" build "$WORK/h/layerdigest.tar"
	rm -rf "$WORK/h/x" "$WORK/h/y"
fi

(cd "$WORK/h/src" && tar -cf "$WORK/h/dotdot.tar" -P --transform 's,^,../../../tmp/fguard-escape-,' run)
mkarchive "$WORK/h/dotdot-img.tar" /run "$WORK/h/good.tar" "$WORK/h/dotdot.tar"
mkdir -p "$WORK/h/cwd"
pushd "$WORK/h/cwd" >/dev/null
expect_fail "layer_entry_with_dotdot_is_refused" \
	"escapes the image root" "$FGUARDCTL" build "$WORK/h/dotdot-img.tar" -o out.pol
popd >/dev/null
[[ ! -e /tmp/fguard-escape-run && -z $(ls -A "$WORK/h/cwd") ]] &&
	ok "a_hostile_archive_writes_nothing_anywhere" ||
	not_ok "a_hostile_archive_writes_nothing_anywhere"
(cd "$WORK/h/src" && tar -cf "$WORK/h/abs.tar" -P --transform 's,^,/etc/,' run)
mkarchive "$WORK/h/abs-img.tar" /run "$WORK/h/abs.tar"
expect_fail "layer_entry_with_absolute_name_is_refused" "absolute" \
	"$FGUARDCTL" build "$WORK/h/abs-img.tar"
mkdir -p "$WORK/h/loop"
ln -s b "$WORK/h/loop/a"
ln -s a "$WORK/h/loop/b"
(cd "$WORK/h/loop" && tar -cf "$WORK/h/loop.tar" a b)
mkarchive "$WORK/h/loop-img.tar" /a "$WORK/h/loop.tar"
expect_fail "entry_point_through_a_symlink_loop_is_refused" "not found" \
	"$FGUARDCTL" build "$WORK/h/loop-img.tar"
mkdir -p "$WORK/h/esc/bin"
ln -s ../../../../../../usr/bin/env "$WORK/h/esc/bin/app"
(cd "$WORK/h/esc" && tar -cf "$WORK/h/esc.tar" bin)
mkarchive "$WORK/h/esc-img.tar" /bin/app "$WORK/h/esc.tar"
expect_fail "symlinks_resolve_inside_the_image_root_only" "not found" \
	"$FGUARDCTL" build "$WORK/h/esc-img.tar"
printf 'not an archive at all\n' >"$WORK/h/junk.tar"
expect_fail "a_file_that_is_no_archive_is_refused" "truncated|corrupt|not an image|unrecognized" \
	"$FGUARDCTL" build "$WORK/h/junk.tar"

# ------------------------------------------------------------ explain, diff

if [[ -s $WORK/nginx.pol ]]; then
	out=$("$FGUARDCTL" explain "$WORK/nginx.pol" /etc/nginx/mime.types)
	rc=$?
	[[ $rc == 0 ]] && grep -q 'nginx.conf' <<<"$out" &&
		ok "explain_names_the_rule_and_reason_that_allow_a_path" ||
		{ not_ok "explain_names_the_rule_and_reason_that_allow_a_path"; echo "$out" | diag; }
	out=$("$FGUARDCTL" explain "$WORK/nginx.pol" /etc/shadow)
	rc=$?
	[[ $rc == 1 ]] && grep -q 'no rule matches' <<<"$out" && grep -q 'nearest' <<<"$out" &&
		ok "explain_says_why_a_path_is_denied_and_the_nearest_rules" ||
		{ not_ok "explain_says_why_a_path_is_denied_and_the_nearest_rules"; echo "$out" | diag; }
	out=$("$FGUARDCTL" explain "$WORK/nginx.pol" /usr/share/nginx/html/index.html w)
	[[ $? == 1 ]] && grep -q 'missing w' <<<"$out" &&
		ok "explain_tells_a_read_only_path_is_not_writable" ||
		{ not_ok "explain_tells_a_read_only_path_is_not_writable"; echo "$out" | diag; }
	check "diff_of_a_policy_with_itself_is_empty" \
		"$FGUARDCTL" diff --exit-code "$WORK/nginx.pol" "$WORK/nginx.pol"
	{ cat "$WORK/nginx.pol"; echo 'rw /var/lib/extra/**  # new in the image'; } >"$WORK/new.pol"
	"$FGUARDCTL" diff --fail-on-grant "$WORK/nginx.pol" "$WORK/new.pol" >"$WORK/diff.out"
	rc=$?
	[[ $rc == 1 ]] && grep -q '^+ rw  /var/lib/extra/\*\*' "$WORK/diff.out" &&
		ok "diff_shows_an_added_rule_and_fails_the_gate" ||
		{ not_ok "diff_shows_an_added_rule_and_fails_the_gate"; diag <"$WORK/diff.out"; }
	"$FGUARDCTL" diff --fail-on-grant "$WORK/new.pol" "$WORK/nginx.pol" >"$WORK/diff.out"
	rc=$?
	[[ $rc == 0 ]] && grep -q '^- rw' "$WORK/diff.out" &&
		ok "diff_passes_the_gate_when_rules_are_only_removed" ||
		{ not_ok "diff_passes_the_gate_when_rules_are_only_removed"; diag <"$WORK/diff.out"; }
	"$FGUARDCTL" diff --porcelain "$WORK/nginx.pol" "$WORK/new.pol" | grep -qP '^\+\trw\t/var/lib/extra/\*\*\t' &&
		ok "diff_porcelain_is_tab_separated" || not_ok "diff_porcelain_is_tab_separated"
fi

# ------------------------------------------------------------ benchmarks

if [[ -s $WORK/nginx.tar ]]; then
	best=99
	for i in 1 2 3; do
		"$FGUARDCTL" build "$WORK/nginx-docker-none.tar" -o /dev/null 2>"$WORK/t.log"
		s=$(seconds "$WORK/t.log")
		lt "$s" "$best" && best=$s
	done
	lt "$best" 2 && ok "nginx_image_builds_in_under_2_seconds (${best}s)" ||
		not_ok "nginx_image_builds_in_under_2_seconds (${best}s)"
fi
if [[ $CAN_IMAGES == 1 ]]; then
	if QUIET=1 "$ROOT/tests/images/make-image.sh" bulk "$WORK/bulk.tar" 2>"$WORK/bulk.log"; then
		start=$(date +%s.%N)
		"$FGUARDCTL" build "$WORK/bulk.tar" -o "$WORK/bulk.pol" 2>"$WORK/t.log"
		end=$(date +%s.%N)
		files=$(sed -n 's/.*files=\([0-9]*\).*/\1/p' "$WORK/t.log")
		s=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
		if [[ ${files:-0} -ge 100000 ]] && lt "$s" 10; then
			ok "image_of_${files}_files_builds_in_under_10_seconds (${s}s)"
		else
			not_ok "image_of_${files:-?}_files_builds_in_under_10_seconds (${s}s)"
		fi
		rm -f "$WORK/bulk.tar"
	else
		not_ok "bulk_image_assembled"
		tail -5 "$WORK/bulk.log" | diag
	fi
fi

echo "1..$N"
if ((FAILED)); then
	echo "# $FAILED of $N build tests failed"
	exit 1
fi
echo "# all $N build tests passed"
exit 0
