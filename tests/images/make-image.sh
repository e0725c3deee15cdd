#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# make-image.sh - assemble a container image archive from Debian packages.
#
#   make-image.sh IMAGE OUT.tar [--format docker|docker-oci|oci]
#                 [--compress none|gzip|zstd] [--rootfs DIR] [--spec FILE]
#   make-image.sh --list
#
# IMAGE is one of the recipes below (nginx, python, shell, redis, and bulk:
# nginx with 100,000 more files, for the benchmark). The image has
# three layers, as a Dockerfile would make them:
#
#   1. base    Debian's Priority: required packages and their dependencies
#              (what debian:bookworm-slim holds), with the files their
#              maintainer scripts would create (passwd, group, shadow,
#              nsswitch.conf, localtime, ld.so.cache).
#   2. app     the recipe's packages, and what their maintainer scripts
#              would create (for python: the byte-compiled standard library).
#   3. top     the recipe's own files, with whiteouts (.wh.NAME) and an
#              opaque directory (.wh..wh..opq) hiding parts of layer 2.
#
# Formats: docker      `docker save` before Docker 25 (manifest.json,
#                      <id>/layer.tar, <digest>.json, repositories)
#          docker-oci  `docker save` from Docker 25 on (index.json,
#                      oci-layout, blobs/sha256/, and manifest.json)
#          oci         an OCI image layout (index.json, oci-layout, blobs)
# Layers are compressed as --compress says (default: none for the docker
# formats, gzip for oci).
#
# --rootfs DIR  also give the union of the layers, unpacked, at DIR (a
#               symlink into the cache): what the container sees, for the
#               tracer. It is built independently of fguardctl's reader, by
#               applying the same whiteouts with rm.
# --spec FILE   write the image's run spec (ENTRYPOINT, CMD, ENV, WORKDIR,
#               USER as bash arrays) for tests/trace/trace.sh.
#
# Packages come from the host's apt sources through `apt-get download` and
# are unpacked with dpkg-deb; nothing is installed on the host. Everything is
# cached under ${FGUARD_CACHE:-/var/cache/fguard}/images, keyed by the
# package versions and this script's recipes, so a warm run only copies.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${FGUARD_CACHE:-/var/cache/fguard}/images
ARCH=$(dpkg --print-architecture)
# Bump to rebuild every cached image after a change in the layer logic.
LAYOUT_VERSION=3

die() { echo "make-image.sh: $*" >&2; exit 1; }
log() { [[ -n ${QUIET:-} ]] || echo "make-image.sh: $*" >&2; }

usage() {
	sed -n '4,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# ---------------------------------------------------------------- recipes
#
# Each recipe defines:
#   <name>_packages   the packages of layer 2 (dependencies are added)
#   <name>_setup DIR  what the packages' maintainer scripts would do, run on
#                     the union of layers 1 and 2; new files go to layer 2
#   <name>_top DIR LOWER  fill layer 3 (files, whiteouts, opaque
#                     directories); LOWER is the union of layers 1 and 2
#   <name>_config     set ENTRYPOINT CMD ENV WORKDIR USER EXPOSE VOLUMES
#                     STOPSIGNAL

nginx_packages() { echo nginx; }
nginx_setup() {
	local d=$1
	# nginx-common's postinst.
	mkdir -p "$d/var/www/html"
	cp "$d/usr/share/nginx/html/index.html" "$d/var/www/html/index.nginx-debian.html"
	ln -sfn /etc/nginx/sites-available/default "$d/etc/nginx/sites-enabled/default"
	touch "$d/var/log/nginx/access.log" "$d/var/log/nginx/error.log"
	chmod 640 "$d/var/log/nginx/access.log" "$d/var/log/nginx/error.log"
	# A site configuration that layer 3 throws away with conf.d.
	printf 'server {\n\tlisten 8081;\n\troot /srv/legacy;\n}\n' \
		>"$d/etc/nginx/conf.d/legacy.conf"
}
nginx_top() {
	local d=$1
	# What the official image's Dockerfile does, on top of Debian's package:
	# its own conf.d/default.conf, access and error log to the container's
	# stdout and stderr, and Debian's default site removed.
	mkdir -p "$d/etc/nginx/conf.d" "$d/etc/nginx/sites-enabled" \
		"$d/usr/share/nginx/html" "$d/var/log/nginx" "$d/var/www"
	touch "$d/etc/nginx/conf.d/.wh..wh..opq"
	cp "$HERE/files/nginx/default.conf" "$d/etc/nginx/conf.d/default.conf"
	touch "$d/etc/nginx/sites-enabled/.wh.default" "$d/var/www/.wh.html"
	cp "$HERE/files/nginx/index.html" "$HERE/files/nginx/50x.html" \
		"$d/usr/share/nginx/html/"
	ln "$d/usr/share/nginx/html/index.html" "$d/usr/share/nginx/html/index.htm"
	ln -s /dev/stdout "$d/var/log/nginx/access.log"
	ln -s /dev/stderr "$d/var/log/nginx/error.log"
}
nginx_config() {
	ENTRYPOINT=()
	CMD=(nginx -g 'daemon off;')
	ENV=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	WORKDIR=""
	USER=""
	EXPOSE=(80/tcp)
	VOLUMES=()
	STOPSIGNAL=SIGQUIT
}

python_packages() { echo python3; }
python_setup() {
	local d=$1
	# python3.11's and python3's postinst byte-compile the standard library
	# (py3compile): the image's own interpreter, run in a chroot of it.
	chroot "$d" /usr/bin/python3.11 -E -S -m compileall -q -f \
		/usr/lib/python3.11 /usr/lib/python3/dist-packages >/dev/null ||
		die "byte-compiling the python standard library failed"
	# An older release of the site that layer 3 replaces (opaque).
	mkdir -p "$d/srv/www/old"
	echo '<p>old site</p>' >"$d/srv/www/old/index.html"
	echo '{"version": 1}' >"$d/srv/www/version.json"
}
python_top() {
	local d=$1
	mkdir -p "$d/app" "$d/etc/app" "$d/srv/www/static" "$d/var/log/app" \
		"$d/run/app" "$d/usr/share/doc"
	cp "$HERE/files/python/server.py" "$HERE/files/python/handlers.py" "$d/app/"
	cp "$HERE/files/python/config.json" "$d/etc/app/config.json"
	cp "$HERE/files/python/index.html" "$d/srv/www/index.html"
	cp "$HERE/files/python/style.css" "$d/srv/www/static/style.css"
	echo '{"version": 2}' >"$d/srv/www/version.json"
	touch "$d/srv/www/.wh..wh..opq"
	# Documentation removed to slim the image down.
	touch "$d/usr/share/doc/.wh.python3.11" "$d/usr/share/doc/.wh.python3"
	chown 33:33 "$d/var/log/app" "$d/run/app"
}
python_config() {
	ENTRYPOINT=()
	CMD=(python3 /app/server.py)
	ENV=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	     "LANG=C.UTF-8" "PYTHONUNBUFFERED=1")
	WORKDIR=/app
	USER=www-data
	EXPOSE=(8000/tcp)
	VOLUMES=()
	STOPSIGNAL=SIGTERM
}

shell_packages() { echo busybox; }
shell_setup() {
	local d=$1
	mkdir -p "$d/var/www/legacy"
	echo '<p>legacy</p>' >"$d/var/www/legacy/index.html"
	echo '<p>old</p>' >"$d/var/www/index.html"
}
shell_top() {
	local d=$1
	mkdir -p "$d/docker-entrypoint.d" "$d/etc/httpd" "$d/var/www" \
		"$d/usr/share/doc"
	install -m 755 "$HERE/files/shell/docker-entrypoint.sh" "$d/docker-entrypoint.sh"
	install -m 755 "$HERE/files/shell/10-runtime-dirs.sh" \
		"$HERE/files/shell/20-config.sh" "$d/docker-entrypoint.d/"
	cp "$HERE/files/shell/httpd.conf.template" "$d/etc/httpd/"
	cp "$HERE/files/shell/index.html" "$HERE/files/shell/404.html" "$d/var/www/"
	touch "$d/var/www/.wh..wh..opq" "$d/usr/share/doc/.wh.busybox"
}
shell_config() {
	ENTRYPOINT=(/docker-entrypoint.sh)
	CMD=(busybox httpd -f -v -p 8080 -h /var/www -c /run/httpd/httpd.conf)
	ENV=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	     "HTTPD_INDEX=index.html")
	WORKDIR=/
	USER=""
	EXPOSE=(8080/tcp)
	VOLUMES=(/var/log/httpd)
	STOPSIGNAL=SIGTERM
}

# nginx with 100,000 more files (a data set, a node_modules): the size
# benchmark of `fguardctl build'.
bulk_packages() { nginx_packages; }
bulk_setup() { nginx_setup "$@"; }
bulk_top() {
	local d=$1 i
	nginx_top "$d"
	mkdir -p "$d/usr/share/bulk"
	for ((i = 0; i < 100; i++)); do
		mkdir -p "$d/usr/share/bulk/$i"
		# 1000 files of 600 bytes each, text, deterministic.
		head -c 600000 < <(yes "fguard bulk test data $i /usr/share/bulk/$i") |
			(cd "$d/usr/share/bulk/$i" && split -b 600 -a 3 -d - part.)
	done
}
bulk_config() { nginx_config; }

# A server of another kind: Debian's redis with its own configuration
# (pid file, log file, data directory), saving to disk.
redis_packages() { echo redis-server; }
redis_setup() {
	local d=$1
	# redis-server's postinst: its user owns its directories.
	mkdir -p "$d/var/lib/redis" "$d/var/log/redis" "$d/run/redis"
	chown 999:999 "$d/var/lib/redis" "$d/var/log/redis" "$d/run/redis"
	chmod 750 "$d/var/lib/redis" "$d/var/log/redis"
}
redis_top() {
	local d=$1
	mkdir -p "$d/etc/redis" "$d/usr/share/doc"
	# The configuration of the image, not the package's.
	sed -e 's/^daemonize yes/daemonize no/' -e 's/^supervised .*/supervised no/' \
		"$2/etc/redis/redis.conf" >"$d/etc/redis/redis.conf"
	touch "$d/usr/share/doc/.wh.redis-server" "$d/usr/share/doc/.wh.redis-tools"
	mkdir -p "$d/var/lib/redis"
	touch "$d/var/lib/redis/.wh..wh..opq"
	chown 999:999 "$d/var/lib/redis"
	chmod 750 "$d/var/lib/redis"
}
redis_config() {
	ENTRYPOINT=()
	CMD=(redis-server /etc/redis/redis.conf --protected-mode no)
	ENV=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	WORKDIR=/var/lib/redis
	USER=""
	EXPOSE=(6379/tcp)
	VOLUMES=()
	STOPSIGNAL=SIGTERM
}

RECIPES=(nginx python shell redis bulk)

# ------------------------------------------------------- package handling

# The closure of "$@" under Depends and Pre-Depends. Of alternatives, the
# first that is already chosen or preferred wins, else the first listed;
# a virtual package is replaced by its first provider.
resolve() {
	local -A seen=()
	local -a queue=() next
	local p prefer="usr-is-merged $*"
	for p in "$@"; do seen[$p]=1; queue+=("$p"); done
	while ((${#queue[@]})); do
		next=()
		while read -r p; do
			[[ -n ${seen[$p]:-} ]] && continue
			seen[$p]=1; next+=("$p")
		done < <(apt-cache depends --no-recommends --no-suggests --no-conflicts \
			--no-breaks --no-replaces --no-enhances "${queue[@]}" 2>/dev/null |
			awk -v pref="$prefer ${!seen[*]}" '
			function flush(  i, pick) {
				if (!n) return
				pick = cand[1]
				for (i = 1; i <= n; i++) if (cand[i] in P) { pick = cand[i]; break }
				print pick; n = 0
			}
			BEGIN { split(pref, a, " "); for (i in a) P[a[i]] = 1 }
			/^[^ ]/ { flush(); cont = 0; next }
			/^ [ |](Pre)?Depends: / {
				if (!cont) flush()
				cont = ($0 ~ /^ \|/)
				if ($2 !~ /^</) cand[++n] = $2
				next
			}
			/^    / { cand[++n] = $1; next }
			END { flush() }')
		queue=("${next[@]}")
	done
	printf '%s\n' "${!seen[@]}" | sort
}

# "name=version" for each package name on stdin (the apt candidate).
versions() {
	xargs apt-cache policy 2>/dev/null | awk '
		/^[^ ]/ { sub(":$", "", $1); name = $1 }
		/^  Candidate:/ { if ($2 != "(none)") print name "=" $2 }' | sort
}

# Download NAME=VERSION packages into the .deb pool; print the .deb paths.
fetch() {
	local pool=$CACHE/debs want=() nv f
	mkdir -p "$pool"
	for nv in "$@"; do
		f=$(debfile "$nv")
		[[ -s $pool/$f ]] || want+=("$nv")
	done
	if ((${#want[@]})); then
		log "downloading ${#want[@]} packages"
		(cd "$pool" && apt-get -q -o APT::Sandbox::User=root download "${want[@]}" \
			>/dev/null) || die "apt-get download failed"
	fi
	for nv in "$@"; do
		f=$pool/$(debfile "$nv")
		[[ -s $f ]] || die "package $nv missing after download ($f)"
		echo "$f"
	done
}
# apt-get download's file name: NAME_VERSION_ARCH.deb, ':' as %3a, ARCH
# the machine's or "all" (the one present, else the machine's).
debfile() {
	local name=${1%%=*} ver=${1#*=} f
	f=${name}_${ver//:/%3a}_all.deb
	[[ -s $CACHE/debs/$f ]] || f=${name}_${ver//:/%3a}_$ARCH.deb
	echo "$f"
}

unpack_debs() {
	local dir=$1 deb
	shift
	for deb in "$@"; do
		dpkg-deb --fsys-tarfile "$deb" |
			tar -x --keep-directory-symlink --no-same-permissions -p -C "$dir" ||
			die "unpacking $deb failed"
	done
}

# ------------------------------------------------------------ layer logic

base_setup() {
	local d=$1 u
	# base-passwd, passwd (shadowconfig), base-files, tzdata postinst.
	cp "$d/usr/share/base-passwd/passwd.master" "$d/etc/passwd"
	cp "$d/usr/share/base-passwd/group.master" "$d/etc/group"
	for u in $(cut -d: -f1 "$d/etc/passwd"); do
		echo "$u:*:19700:0:99999:7:::"
	done >"$d/etc/shadow"
	sed 's/^\([^:]*\):.*/\1:*::/' "$d/etc/group" >"$d/etc/gshadow"
	chmod 640 "$d/etc/shadow" "$d/etc/gshadow"
	chgrp 42 "$d/etc/shadow" "$d/etc/gshadow"
	cp "$d/usr/share/libc-bin/nsswitch.conf" "$d/etc/nsswitch.conf"
	for u in profile dot.bashrc dot.profile; do
		[[ -e $d/usr/share/base-files/$u ]] || continue
		case $u in
		profile) cp "$d/usr/share/base-files/profile" "$d/etc/profile" ;;
		dot.*) cp "$d/usr/share/base-files/$u" "$d/root/.${u#dot.}" ;;
		esac
	done
	ln -sfn /usr/share/zoneinfo/Etc/UTC "$d/etc/localtime"
	echo Etc/UTC >"$d/etc/timezone"
	mkdir -p "$d/tmp" "$d/run/lock" "$d/proc" "$d/sys" "$d/dev"
	chmod 1777 "$d/tmp"
	# base-files' postinst: /var/run and /var/lock point into /run.
	rm -rf "$d/var/run" "$d/var/lock"
	ln -s /run "$d/var/run"
	ln -s /run/lock "$d/var/lock"
}

# Build layer directories l1 (base), l2 (app), l3 (top) and rootfs (their
# union) under $1 for recipe $2.
build_tree() {
	local work=$1 name=$2 stage marker base_debs app_debs
	rm -rf "$work.tmp"
	mkdir -p "$work.tmp"/{l1,l2,l3}
	stage=$work.tmp/stage

	mapfile -t base_debs < <(fetch "${BASE_PKGS[@]}")
	mapfile -t app_debs < <(fetch "${APP_PKGS[@]}")

	log "layer 1: ${#base_debs[@]} base packages"
	# The merged /usr of Debian images since bookworm.
	mkdir -p "$work.tmp/l1/usr/"{bin,sbin,lib,lib64}
	for l in bin sbin lib lib64; do ln -s "usr/$l" "$work.tmp/l1/$l"; done
	unpack_debs "$work.tmp/l1" "${base_debs[@]}"
	base_setup "$work.tmp/l1"
	ldconfig -r "$work.tmp/l1" 2>/dev/null || die "ldconfig -r failed"

	log "layer 2: ${#app_debs[@]} packages of $name"
	cp -a "$work.tmp/l1" "$stage"
	mkdir -p "$work.tmp/l2/usr/"{bin,sbin,lib,lib64}
	for l in bin sbin lib lib64; do ln -s "usr/$l" "$work.tmp/l2/$l"; done
	unpack_debs "$work.tmp/l2" "${app_debs[@]}"
	unpack_debs "$stage" "${app_debs[@]}"
	rm "$work.tmp/l2/"{bin,sbin,lib,lib64}
	marker=$work.tmp/marker
	touch "$marker"
	sleep 0.01
	"${name}_setup" "$stage"
	ldconfig -r "$stage" 2>/dev/null || die "ldconfig -r failed"
	# Whatever the setup created or changed joins layer 2, directories too.
	(cd "$stage" && find . -mindepth 1 -newer "$marker" -type d -print0 |
		xargs -0r -I{} sh -c 'mkdir -p "$1/$2" &&
			chown --reference="$2" "$1/$2" && chmod --reference="$2" "$1/$2"' \
			_ "$work.tmp/l2" {})
	(cd "$stage" && find . -newer "$marker" ! -type d -print0 |
		xargs -0r cp -a --parents -t "$work.tmp/l2")

	log "layer 3: $name's files"
	"${name}_top" "$work.tmp/l3" "$stage"

	# The union, by the rules of an overlay: whiteouts and opaque
	# directories of layer 3 hide what is below, then its files land.
	local wh target
	while IFS= read -r -d '' wh; do
		wh=${wh#./}
		case ${wh##*/} in
		.wh..wh..opq) target=$(dirname "$wh")
			find "$stage/$target" -mindepth 1 -maxdepth 1 -exec rm -rf {} + ;;
		.wh.*) target=$(dirname "$wh")/${wh##*/.wh.}
			rm -rf "${stage:?}/${target#./}" ;;
		esac
	done < <(cd "$work.tmp/l3" && find . -name '.wh.*' -print0)
	(cd "$work.tmp/l3" && find . -mindepth 1 ! -name '.wh.*' ! -type d -print0 |
		xargs -0r cp -a --parents -t "$stage")
	# An upper directory shows its own owner and mode.
	(cd "$work.tmp/l3" && find . -mindepth 1 -type d -print0 |
		xargs -0r -I{} sh -c 'mkdir -p "$1/$2" &&
			chown --reference="$2" "$1/$2" && chmod --reference="$2" "$1/$2"' _ "$stage" {})
	mv "$stage" "$work.tmp/rootfs"
	rm -f "$marker"
	rm -rf "$work"
	mv "$work.tmp" "$work"
}

# tar a layer directory the way docker does: names relative to the root,
# no "./", numeric owners, directories before their contents.
layer_tar() {
	local dir=$1 out=$2
	(cd "$dir" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort |
		tar --numeric-owner --sort=name --format=posix \
		--pax-option=delete=atime,delete=ctime -cf - -T -) >"$out"
}

compress() {	# FILE METHOD -> prints the compressed file name
	case $2 in
	none) echo "$1" ;;
	gzip) gzip -n -6 <"$1" >"$1.gz" && echo "$1.gz" ;;
	zstd) zstd -q -3 -T2 -c "$1" >"$1.zst" && echo "$1.zst" ;;
	*) die "unknown compression \`$2'" ;;
	esac
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

json_array() { jq -cn '$ARGS.positional' --args -- "$@"; }
json_set() {	# a JSON object with one empty object per argument
	jq -cn 'reduce $ARGS.positional[] as $k ({}; .[$k] = {})' --args -- "$@"
}

write_config() {	# OUT DIFF_ID...
	local out=$1
	shift
	local ep cmd env
	ep=$(json_array "${ENTRYPOINT[@]}")
	cmd=$(json_array "${CMD[@]}")
	env=$(json_array "${ENV[@]}")
	((${#ENTRYPOINT[@]})) || ep=null
	((${#CMD[@]})) || cmd=null
	jq -cn --argjson ep "$ep" --argjson cmd "$cmd" --argjson env "$env" \
		--arg wd "$WORKDIR" --arg user "$USER" --arg sig "$STOPSIGNAL" \
		--argjson ports "$(json_set "${EXPOSE[@]}")" \
		--argjson vols "$(json_set "${VOLUMES[@]}")" \
		--argjson diffs "$(json_array "$@")" --arg name "$IMAGE" '{
		architecture: "amd64", os: "linux",
		created: "2024-01-01T00:00:00Z",
		config: ({Env: $env, Entrypoint: $ep, Cmd: $cmd, WorkingDir: $wd,
			  User: $user, ExposedPorts: $ports, Volumes: $vols,
			  StopSignal: $sig, Labels: {"org.fguard.test-image": $name}}
			 | with_entries(select(.value != null and .value != {}))),
		rootfs: {type: "layers", diff_ids: [$diffs[] | "sha256:" + .]},
		history: [{created_by: "debian base packages"},
			  {created_by: "apt-get install \($name) packages"},
			  {created_by: "COPY \($name) files"}]
	}' >"$out"
}

# Assemble the archive at $2 from the layer directories under $1.
assemble() {
	local work=$1 out=$2 tmp i tars=() diffs=() blobs=() sizes=() mt
	tmp=$(mktemp -d "$work/asm.XXXXXX")
	for i in 1 2 3; do
		layer_tar "$work/l$i" "$tmp/l$i.tar"
		diffs+=("$(sha "$tmp/l$i.tar")")
		tars+=("$(compress "$tmp/l$i.tar" "$COMPRESS")")
	done
	case $COMPRESS in
	none) mt=application/vnd.oci.image.layer.v1.tar ;;
	gzip) mt=application/vnd.oci.image.layer.v1.tar+gzip ;;
	zstd) mt=application/vnd.oci.image.layer.v1.tar+zstd ;;
	esac
	write_config "$tmp/config.json" "${diffs[@]}"
	local cfg cfgsize tag="fguard-test/$IMAGE:latest"
	cfg=$(sha "$tmp/config.json")
	cfgsize=$(stat -c %s "$tmp/config.json")
	mkdir -p "$tmp/out"
	case $FORMAT in
	docker)
		local ids=() parent="" id
		for i in 0 1 2; do
			id=$(printf '%s%s' "$parent" "${diffs[$i]}" | sha256sum | cut -d' ' -f1)
			mkdir -p "$tmp/out/$id"
			mv "${tars[$i]}" "$tmp/out/$id/layer.tar"
			echo 1.0 >"$tmp/out/$id/VERSION"
			jq -cn --arg id "$id" --arg p "$parent" \
				'{id: $id} + (if $p == "" then {} else {parent: $p} end)' \
				>"$tmp/out/$id/json"
			ids+=("$id/layer.tar")
			parent=$id
		done
		cp "$tmp/config.json" "$tmp/out/$cfg.json"
		jq -cn --arg c "$cfg.json" --arg t "$tag" --argjson l "$(json_array "${ids[@]}")" \
			'[{Config: $c, RepoTags: [$t], Layers: $l}]' >"$tmp/out/manifest.json"
		jq -cn --arg n "${tag%:*}" --arg id "$parent" \
			'{($n): {latest: $id}}' >"$tmp/out/repositories"
		;;
	docker-oci|oci)
		mkdir -p "$tmp/out/blobs/sha256"
		for i in 0 1 2; do
			blobs+=("$(sha "${tars[$i]}")")
			sizes+=("$(stat -c %s "${tars[$i]}")")
			mv "${tars[$i]}" "$tmp/out/blobs/sha256/${blobs[$i]}"
		done
		cp "$tmp/config.json" "$tmp/out/blobs/sha256/$cfg"
		jq -cn --arg cfg "$cfg" --argjson cs "$cfgsize" --arg mt "$mt" \
			--argjson b "$(json_array "${blobs[@]}")" \
			--argjson s "$(json_array "${sizes[@]}")" '{
			schemaVersion: 2,
			mediaType: "application/vnd.oci.image.manifest.v1+json",
			config: {mediaType: "application/vnd.oci.image.config.v1+json",
				 digest: ("sha256:" + $cfg), size: $cs},
			layers: [range(0; $b | length) as $i |
				 {mediaType: $mt, digest: ("sha256:" + $b[$i]),
				  size: ($s[$i] | tonumber)}]
		}' >"$tmp/manifest.json"
		local man mansize
		man=$(sha "$tmp/manifest.json")
		mansize=$(stat -c %s "$tmp/manifest.json")
		cp "$tmp/manifest.json" "$tmp/out/blobs/sha256/$man"
		echo '{"imageLayoutVersion":"1.0.0"}' >"$tmp/out/oci-layout"
		jq -cn --arg m "$man" --argjson ms "$mansize" --arg t "$tag" '{
			schemaVersion: 2,
			mediaType: "application/vnd.oci.image.index.v1+json",
			manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
				     digest: ("sha256:" + $m), size: $ms,
				     annotations: {"io.containerd.image.name": $t,
						   "org.opencontainers.image.ref.name": "latest"}}]
		}' >"$tmp/out/index.json"
		if [[ $FORMAT == docker-oci ]]; then
			jq -cn --arg c "blobs/sha256/$cfg" --arg t "$tag" \
				--argjson l "$(json_array "${blobs[@]/#/blobs/sha256/}")" \
				'[{Config: $c, RepoTags: [$t], Layers: $l}]' >"$tmp/out/manifest.json"
			jq -cn --arg n "${tag%:*}" --arg id "$cfg" \
				'{($n): {latest: $id}}' >"$tmp/out/repositories"
		fi
		;;
	*) die "unknown format \`$FORMAT'" ;;
	esac
	(cd "$tmp/out" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort |
		tar --numeric-owner --owner=0 --group=0 --sort=name --format=posix \
		--pax-option=delete=atime,delete=ctime --mtime=@0 -cf - -T -) >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$tmp"
}

write_spec() {
	{
		echo "# run spec of the $IMAGE test image (tests/images/make-image.sh)"
		declare -p ENTRYPOINT CMD ENV WORKDIR USER EXPOSE VOLUMES STOPSIGNAL
	} >"$1"
}

# ------------------------------------------------------------------- main

FORMAT=docker
COMPRESS=""
ROOTFS=""
SPEC=""
if [[ ${1:-} == --list ]]; then printf '%s\n' "${RECIPES[@]}"; exit 0; fi
[[ $# -ge 2 ]] || usage
IMAGE=$1 OUT=$2
shift 2
while [[ $# -gt 0 ]]; do
	case $1 in
	--format) FORMAT=${2:?}; shift 2 ;;
	--compress) COMPRESS=${2:?}; shift 2 ;;
	--rootfs) ROOTFS=${2:?}; shift 2 ;;
	--spec) SPEC=${2:?}; shift 2 ;;
	*) usage ;;
	esac
done
[[ " ${RECIPES[*]} " == *" $IMAGE "* ]] || die "unknown image \`$IMAGE' (one of: ${RECIPES[*]})"
case $FORMAT in docker|docker-oci|oci) ;; *) die "unknown format \`$FORMAT'" ;; esac
[[ -n $COMPRESS ]] || { [[ $FORMAT == oci ]] && COMPRESS=gzip || COMPRESS=none; }
case $COMPRESS in none|gzip|zstd) ;; *) die "unknown compression \`$COMPRESS'" ;; esac
[[ $(id -u) == 0 ]] || die "must run as root (layer files keep their owners; python's setup chroots)"
"${IMAGE}_config"

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9

# Resolving takes apt-cache some seconds: remember it for as long as the
# package lists and this script stay the same.
RKEY=$( { ls -l --time-style=+%s /var/lib/apt/lists/ 2>/dev/null; declare -f resolve versions
	"${IMAGE}_packages"; } | sha256sum | cut -c1-16)
RES=$CACHE/resolved-$IMAGE-$RKEY
if [[ ! -s $RES.base || ! -s $RES.all ]]; then
	REQUIRED=$(apt-cache dumpavail | awk '/^Package:/ { p = $2 } /^Priority: required/ { print p }' | sort -u)
	[[ -n $REQUIRED ]] || die "apt knows no packages: run apt-get update"
	rm -f "$CACHE/resolved-$IMAGE-"*
	resolve $REQUIRED | versions >"$RES.base.tmp"
	resolve $REQUIRED $("${IMAGE}_packages") | versions >"$RES.all.tmp"
	mv "$RES.base.tmp" "$RES.base"
	mv "$RES.all.tmp" "$RES.all"
fi
mapfile -t BASE_PKGS <"$RES.base"
mapfile -t ALL_PKGS <"$RES.all"
mapfile -t APP_PKGS < <(comm -13 <(printf '%s\n' "${BASE_PKGS[@]}") <(printf '%s\n' "${ALL_PKGS[@]}"))
KEY=$( { echo "$LAYOUT_VERSION"; printf '%s\n' "${ALL_PKGS[@]}"; declare -f
	cat "$HERE/files/"*/* 2>/dev/null || true; } | sha256sum | cut -c1-16)
WORK=$CACHE/$IMAGE-$KEY

if [[ ! -d $WORK/rootfs ]]; then
	log "building $IMAGE ($KEY): ${#BASE_PKGS[@]} base + ${#APP_PKGS[@]} app packages"
	build_tree "$WORK" "$IMAGE"
	# Older builds of the same recipe are no longer wanted.
	for old in "$CACHE/$IMAGE"-*; do
		[[ $old == "$WORK" || ! -d $old ]] || rm -rf "$old"
	done
fi
ARCHIVE=$WORK/image-$FORMAT-$COMPRESS.tar
if [[ ! -s $ARCHIVE ]]; then
	log "assembling $FORMAT archive ($COMPRESS layers)"
	assemble "$WORK" "$ARCHIVE"
fi
cp "$ARCHIVE" "$OUT"
if [[ -n $ROOTFS ]]; then
	rm -rf "$ROOTFS" 2>/dev/null || rm -f "$ROOTFS"
	ln -sfn "$WORK/rootfs" "$ROOTFS"
fi
[[ -z $SPEC ]] || write_spec "$SPEC"
log "$OUT: $IMAGE image, $FORMAT format, $COMPRESS layers"
