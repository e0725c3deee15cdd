#!/bin/sh
# A real container runtime (issue 4): Debian's runc runs the nginx image
# with `fguardctl oci-hook' as its createRuntime hook and the policy built
# from the image named by the annotation org.fguard.policy; then the
# contrib/oci files: the fguard-runc wrapper Docker calls instead of runc,
# and the hooks.d entry of podman and CRI-O.
#
#   /tmp/runc/
#   |-- web.txt web.bin  nginx's built policy + `rx /fgprobe' (the attacker)
#   |-- bad.bin          the first 200 bytes of web.bin
#   `-- NAME/            one bundle per container
#       |-- config.json  `runc spec', edited by mkbundle
#       |-- rootfs/      overlay: the nginx image below, upper/ on top,
#       |                with /fgprobe
#       `-- upper/ work/
. ./lib.sh
export PATH=/payload:/payload/bin:$PATH
IMG=/payload/images/nginx
OCI=/payload/contrib/oci
[ -d "$IMG" ] || { echo "Bail out! no nginx image in the payload"; exit 1; }
for c in runc jq; do
	command -v $c >/dev/null || { echo "Bail out! no $c in the payload"; exit 1; }
done
lsmod | grep -q '^fguard' || insmod fguard.ko

# Installed where the contrib files and the README put them.
mkdir -p /usr/local/sbin
ln -sf /payload/fguardctl /usr/sbin/fguardctl
ln -sf /payload/bin/runc /usr/sbin/runc
WRAP=/usr/local/sbin/fguard-runc
ln -sf $OCI/fguard-runc $WRAP

R=/tmp/runc
mkdir -p $R
# Polls of 0.5 s: the debug kernel is 20-25 times slower.
W=120
[ "$DEBUG_KERNEL" = 1 ] && W=480
# runc enforces a container's device rules on cgroup2 with a BPF program
# and refuses to run without bpf(2).
[ -e /proc/sys/kernel/unprivileged_bpf_disabled ] ||
	{ echo "Bail out! runc needs bpf(2): CONFIG_BPF_SYSCALL and CONFIG_CGROUP_BPF"; exit 1; }

# wait_until TRIES CMD...: poll CMD every 0.5 s.
wait_until() {
	_n=$1
	shift
	while ! "$@" > /dev/null 2>&1; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.5
	done
}

# mkbundle NAME hook|nohook POLICY CMD...: a bundle $R/NAME whose root is
# an overlay over the nginx image holding /fgprobe. config.json is
# `runc spec' edited: CMD as the process, Docker's default capabilities
# (nginx switches to www-data), a writable root, no network namespace
# (nginx serves on the guest's loopback), the annotation
# org.fguard.policy=POLICY unless POLICY is empty, and with `hook' the
# createRuntime hook `fguardctl oci-hook'.
mkbundle() {
	_b=$R/$1 _hook=$2 _pol=$3
	shift 3
	mkdir -p $_b/rootfs $_b/upper $_b/work
	mount -t overlay overlay -o lowerdir=$IMG,upperdir=$_b/upper,workdir=$_b/work $_b/rootfs || return 1
	cp /payload/fgprobe $_b/rootfs/fgprobe
	(cd $_b && rm -f config.json && runc spec) || return 1
	jq --arg hook "$_hook" --arg pol "$_pol" '
		["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
		 "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
		 "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
		 "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"] as $caps
		| .process.terminal = false
		| .process.args = $ARGS.positional
		| .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
		| .root = {path: "rootfs", readonly: false}
		| .linux.namespaces |= map(select(.type != "network"))
		| if $pol != "" then .annotations["org.fguard.policy"] = $pol else . end
		| if $hook == "hook"
		  then .hooks.createRuntime = [{path: "/usr/sbin/fguardctl", args: ["fguardctl", "oci-hook"]}]
		  else del(.hooks) end
	' --args -- "$@" < $_b/config.json > $_b/config.new && mv $_b/config.new $_b/config.json
}

# status_is NS ARMED: fguardctl status shows namespace NS enforcing web.bin,
# armed (true) or waiting for the entry point's exec (false).
status_is() {
	fguardctl status --json | jq -e --argjson ns "$1" --argjson armed "$2" --arg d "$DIGEST" \
		'[.[] | select(.mntns == $ns and .mode == "enforce" and .armed == $armed and .digest == $d)] | length == 1' ||
		{ fguardctl status; return 1; }
}

# log_has FILE PATTERN: FILE has a line matching PATTERN (else show FILE).
log_has() {
	grep -q -- "$2" "$1" || { cat "$1"; return 1; }
}

# page_ok: GET / over loopback answers 200 with the image's index.html.
page_ok() {
	rm -f $R/page
	wget -S -O $R/page http://127.0.0.1/ > $R/wget.out 2>&1
	grep -q 'HTTP/1.1 200 OK' $R/wget.out && grep -q 'Welcome to nginx!' $R/page &&
		cmp $R/page $IMG/usr/share/nginx/html/index.html || { cat $R/wget.out; return 1; }
}

docroot_untouched() {
	page_ok && test ! -e $R/web/upper/usr/share/nginx/html/evil.html
}

# The nginx image's built policy, plus the probe playing a compromised
# process inside (a static program: it needs nothing else).
{ cat /payload/policies/nginx.txt; echo 'rx /fgprobe  # test: the attacker'; } > $R/web.txt
fguardctl compile $R/web.txt -o $R/web.bin > /dev/null
DIGEST=$(sha256sum $R/web.bin | cut -d' ' -f1)
head -c 200 $R/web.bin > $R/bad.bin

# --- nginx under runc create / start, hook from config.json ---------------
mkbundle web hook web.bin /usr/sbin/nginx -g 'daemon off;'
cp $R/web.bin $R/web/web.bin
# stdout and stderr a pipe, as runtimes give them (nginx logs to
# /dev/stdout); runc's own exit status is appended to the same log.
( runc create --bundle $R/web web < /dev/null 2>&1; echo "runc-exit=$?" ) | cat > $R/web.log &
wait_until $W grep -q '^runc-exit=' $R/web.log
t "runc create runs the hook (policy relative to the bundle) and succeeds" log_has $R/web.log '^runc-exit=0$'
WEB=$(runc state web | jq -r .pid)
NS=$(mntns "$WEB")
t "runc state: created, not yet running" sh -c "runc state web | jq -e '.status == \"created\"'"
t "status: guarded with web.bin, waiting for the entry point's exec" status_is "$NS" false
t "runc start" runc start web
wait_until $W wget -q -O /dev/null http://127.0.0.1/
t "nginx serves its page over loopback (HTTP 200, the image's index.html)" page_ok
t "status: the container's namespace guarded, enforcing, armed" status_is "$NS" true

# --- a compromised process inside: runc exec ------------------------------
t "runc exec: a process inside is refused /etc/shadow (EACCES)" \
	runc exec web /fgprobe expect EACCES open /etc/shadow r
t "runc exec: it reads nginx's configuration (allowed)" \
	runc exec web /fgprobe expect OK open /etc/nginx/nginx.conf r
t "runc exec: it is refused writing the document root's index.html (EACCES)" \
	runc exec web /fgprobe expect EACCES open /usr/share/nginx/html/index.html w
t "runc exec: it is refused creating a page in the document root (EACCES)" \
	runc exec web /fgprobe expect EACCES open /usr/share/nginx/html/evil.html creat
t "runc exec: it writes where the policy allows (/var/lib/nginx/body)" \
	runc exec web /fgprobe expect OK open /var/lib/nginx/body/probe creat
t "the document root is untouched: the same page is served" docroot_untouched
t "runc exec: it is refused running /bin/bash (EACCES)" \
	runc exec web /fgprobe expect EACCES exec /bin/bash
t "runc exec: it runs a program the policy allows" \
	runc exec web /fgprobe expect OK exec /fgprobe
t "runc exec /bin/sh into the container is refused (permission denied)" \
	expect_fail_msg 'ermission denied' runc exec web /bin/sh -c 'echo shell ran'
t "runc exec of the allowed program runs (nginx -v)" \
	sh -c "runc exec web /usr/sbin/nginx -v 2>&1 | grep 'nginx version'"
t "nginx itself was refused nothing (its log)" sh -c "! grep -i -e denied -e 'failed (13' $R/web.log"
echo "# nginx's log:"
sed 's/^/#   /' $R/web.log | tail -n 5

# --- the entry point never runs unguarded ---------------------------------
mkbundle first hook $R/web.bin /fgprobe expect EACCES open /etc/shadow r
t "a guarded entry point is refused /etc/shadow at its first open" runc run --bundle $R/first first
mkbundle open hook '' /fgprobe expect OK open /etc/shadow r
t "control: the same entry point with no policy reads /etc/shadow" runc run --bundle $R/open open

# --- fail closed ----------------------------------------------------------
mkbundle fc hook missing.bin /fgprobe expect OK open /tmp/ran creat
t "a missing policy: runc run fails and says why" \
	expect_fail_msg "cannot guard the container with $R/fc/missing.bin: refusing to start it" \
	runc run --bundle $R/fc fc
t "a missing policy: the entry point never ran, no container is left" \
	sh -c "test ! -e $R/fc/upper/tmp/ran && ! runc list -q | grep -qx fc"
jq '.annotations["org.fguard.policy"] = "/tmp/runc/bad.bin"' $R/fc/config.json > $R/fc.new && mv $R/fc.new $R/fc/config.json
t "a corrupt policy: runc run fails and says why" \
	expect_fail_msg "cannot guard the container with $R/bad.bin: refusing to start it" \
	runc run --bundle $R/fc fc
t "a corrupt policy: the entry point never ran, no container is left" \
	sh -c "test ! -e $R/fc/upper/tmp/ran && ! runc list -q | grep -qx fc"
jq 'del(.annotations["org.fguard.policy"])' $R/fc/config.json > $R/fc.new && mv $R/fc.new $R/fc/config.json
t "control: with no policy named the same bundle starts and its entry point runs" \
	sh -c "runc run --bundle $R/fc fc && test -e $R/fc/upper/tmp/ran"

# --- Docker: the fguard-runc wrapper ------------------------------------
mkbundle dk nohook $R/web.bin /fgprobe expect EACCES open /etc/shadow r
t "control: plain runc on a bundle without the hook runs it unguarded" \
	expect_fail_msg 'got OK, want EACCES' runc run --bundle $R/dk dk
t "fguard-runc (as Docker calls it) guards the entry point of that bundle" \
	$WRAP --root /run/runc --log-format text run --bundle $R/dk dk
t "fguard-runc added exactly one createRuntime hook" \
	jq -e '[.hooks.createRuntime[] | select(.path == "/usr/sbin/fguardctl" and .args == ["fguardctl", "oci-hook"])] | length == 1' $R/dk/config.json
t "fguard-runc on the same bundle again adds no second hook" sh -c \
	"$WRAP run --bundle $R/dk dk && jq -e '.hooks.createRuntime | length == 1' $R/dk/config.json"
mkbundle dp nohook '' /fgprobe expect EACCES open /etc/shadow r
t "fguard-runc --fguard-policy (daemon.json runtimeArgs) guards a container with no annotation" \
	$WRAP --fguard-policy $R/web.bin run --bundle $R/dp dp
mkdir -p $R/broken
echo '{' > $R/broken/config.json
t "fguard-runc refuses a bundle it cannot add the hook to" \
	expect_fail_msg 'refusing to start the container' $WRAP run --bundle $R/broken broken
t "daemon.json names the wrapper where it is installed" sh -c \
	"jq -e '.runtimes.fguard.path == \"/usr/local/sbin/fguard-runc\"' $OCI/daemon.json && test -x /usr/local/sbin/fguard-runc"

# --- podman and CRI-O: hooks.d --------------------------------------------
# podman is not in the guest: the entry is checked against the OCI hooks
# schema 1.0.0 (containers/common pkg/hooks), then applied the way podman
# applies it (a matching annotation adds .hook to each of .stages) and run.
H=$OCI/hooks.d/fguard.json
# Every key known, the types, the stages of the runtime spec, and
# patterns that compile (a bad one is a jq error: non-zero exit).
SCHEMA='(keys - ["version", "hook", "when", "stages"] == [])
	and .version == "1.0.0"
	and (.hook | type == "object" and (keys - ["path", "args", "env", "timeout"] == [])
		and (.path | type == "string" and startswith("/"))
		and ((.args // []) | type == "array" and all(type == "string")))
	and (.when | type == "object" and length > 0
		and (keys - ["always", "annotations", "commands", "hasBindMounts"] == [])
		and ((.annotations // {}) | to_entries
		     | all(.value | type == "string") and all((.key, .value) as $re | "" | test($re) | type == "boolean")))
	and (.stages | type == "array" and length > 0 and all(IN("prestart", "createRuntime",
		"createContainer", "startContainer", "poststart", "poststop")))'
t "hooks.d/fguard.json follows the OCI hooks schema 1.0.0" jq -e "$SCHEMA" $H
t "control: the schema check refuses an unknown stage" \
	sh -c "! jq '.stages = [\"createruntime\"]' $H | jq -e '$SCHEMA'"
t "control: the schema check refuses a pattern that does not compile" \
	sh -c "! jq '.when.annotations = {\"org.fguard.policy(\": \".+\"}' $H | jq -e '$SCHEMA'"
t "hooks.d/fguard.json: its hook is fguardctl oci-hook at createRuntime, and it runs" sh -c \
	"jq -e '.stages == [\"createRuntime\"] and .hook.args[1:] == [\"oci-hook\"]' $H && test -x \"\$(jq -r .hook.path $H)\""
t "hooks.d/fguard.json: the annotation pattern matches org.fguard.policy only" jq -e '
	.when.annotations | to_entries | length == 1 and (.[0] as $e
	| ("org.fguard.policy" | test($e.key)) and ("web.bin" | test($e.value))
	and ("org.fguard.policyx" | test($e.key) | not) and ("orgxfguard.policy" | test($e.key) | not)
	and ("" | test($e.value) | not))' $H
# podman's rule: a hook applies when any annotation matches a key and value
# pattern; it is appended to .hooks[stage] for each stage.
hooksd_apply() {
	jq --slurpfile h $H '$h[0] as $h
		| if [(.annotations // {}) | to_entries[] as $a | $h.when.annotations | to_entries[] as $p
		       | select(($a.key | test($p.key)) and ($a.value | test($p.value)))] | length > 0
		  then reduce $h.stages[] as $s (.; .hooks[$s] += [$h.hook]) else . end' \
		$R/$1/config.json > $R/$1.new && mv $R/$1.new $R/$1/config.json
}
mkbundle pm nohook $R/web.bin /fgprobe expect EACCES open /etc/shadow r
hooksd_apply pm
t "hooks.d entry applied as podman does: the annotated container is guarded" runc run --bundle $R/pm pm
mkbundle pn nohook '' /fgprobe expect OK open /etc/shadow r
hooksd_apply pn
t "hooks.d entry applied as podman does: a container without the annotation gets no hook" \
	sh -c "jq -e '.hooks == null' $R/pn/config.json && runc run --bundle $R/pn pn"

# --- teardown -------------------------------------------------------------
t "runc kill and delete stop nginx" sh -c "runc kill web KILL; runc delete -f web && ! runc list -q | grep -qx web"
wait
t "status forgets the container's namespace once it is gone" \
	wait_until $W sh -c "! fguardctl status --json | jq -e --argjson ns $NS 'any(.[]; .mntns == \$ns)'"
for b in web first open fc dk dp pm pn; do
	umount $R/$b/rootfs
done
t_done
