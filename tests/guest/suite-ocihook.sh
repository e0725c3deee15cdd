#!/bin/sh
# The OCI hook and arm-on-exec: the policy is attached when the container
# is created, the runtime's own setup after that is not disturbed, and
# enforcement starts with the exec of the entry point.
. ./lib.sh
export PATH=/payload:$PATH
IMG=/payload/images/nginx
[ -d "$IMG" ] || { echo "Bail out! no nginx image in the payload"; exit 1; }
lsmod | grep -q '^fguard' || insmod fguard.ko

O=/tmp/ovl-hook
mkdir -p $O/upper
mkfifo $O/upper/.fguard-go
C=$(./fgprobe container $IMG --overlay $O --log /tmp/hook-nginx.log -- /bin/sh -c 'read x < /.fguard-go; exec /usr/sbin/nginx -g "daemon off;"')
nsenter -t "$C" -n -- ip link set lo up
cp ./fgprobe /proc/$C/root/fgprobe
mkdir -p /proc/$C/root/mnt/setup
# "runc init": already inside, does the runtime's setup after the hook ran
( nsenter -t "$C" -m -p -- /fgprobe after /tmp/.setup expect OK mount-tmpfs /mnt/setup
  echo "rc=$?" ) > /tmp/hook-setup.out 2>&1 &
# an attacker already inside, acting once the entry point runs
( nsenter -t "$C" -m -p -- /fgprobe after /tmp/.attack expect EACCES open /etc/shadow r
  echo "rc=$?" ) > /tmp/hook-attack.out 2>&1 &
sleep 1

t "oci-hook without a policy lets the container through" sh -c "echo '{\"pid\": $C}' | fguardctl oci-hook"
t "oci-hook with a missing policy fails closed" expect_fail_msg "refusing to start it" \
	sh -c "echo '{\"pid\": $C, \"bundle\": \"/payload\", \"annotations\": {\"org.fguard.policy\": \"policies/missing.bin\"}}' | fguardctl oci-hook"
head -c 200 /payload/policies/nginx.bin > /tmp/bad.bin
t "oci-hook with a corrupt policy fails closed" expect_fail_msg "refusing to start it" \
	sh -c "echo '{\"pid\": $C, \"annotations\": {\"org.fguard.policy\": \"/tmp/bad.bin\"}}' | fguardctl oci-hook"
t "oci-hook with bad state JSON fails" expect_fail_msg "not JSON" sh -c "echo 'nope' | fguardctl oci-hook"
t "oci-hook guards the container (policy relative to the bundle)" \
	sh -c "echo '{\"ociVersion\": \"1.0.2\", \"id\": \"web\", \"status\": \"creating\", \"pid\": $C, \"bundle\": \"/payload\", \"annotations\": {\"org.fguard.policy\": \"policies/nginx.bin\"}}' | fguardctl oci-hook"
NS=$(mntns "$C")
t "status: attached, waiting for the entry point's exec" sh -c "fguardctl status | grep 'mnt:\[$NS\]' | grep -q ' exec '"
touch /proc/$C/root/tmp/.setup
i=0
while [ $i -lt 50 ] && ! grep -q '^rc=' /tmp/hook-setup.out; do
	sleep 0.2
	i=$((i + 1))
done
t "the runtime's setup after the hook is not disturbed (mount allowed)" grep -q '^rc=0' /tmp/hook-setup.out
echo go > /proc/$C/root/.fguard-go
i=0
while [ $i -lt 60 ] && ! nsenter -t "$C" -n -- wget -q -O /dev/null http://127.0.0.1/ 2>/dev/null; do
	sleep 1
	i=$((i + 1))
done
t "the entry point runs and serves under the policy" nsenter -t "$C" -n -- wget -q -O /dev/null http://127.0.0.1/
t "status: armed once the entry point ran" sh -c "fguardctl status --json | tr '{' '\n' | grep '\"mntns\":$NS,' | grep -q '\"armed\":true'"
touch /proc/$C/root/tmp/.attack
wait
t "after the entry point's exec, a process inside is refused /etc/shadow" grep -q '^rc=0' /tmp/hook-attack.out
t "a shell entering the container (runc exec) is refused" expect_fail_msg "Permission denied" nsenter -t "$C" -m -p -- /bin/sh -c true
nsenter -t "$C" -m -p -- /usr/sbin/nginx -s quit 2>/dev/null
kill "$C" 2>/dev/null
t_done
