#!/bin/sh
# Issues 2 and 3 together: the real nginx image, its policy made by
# `fguardctl build' on the host, enforced from the first instruction of the
# entry point. nginx must serve, reload and stop under it; processes inside
# the container are refused what the policy does not allow.
. ./lib.sh
export PATH=/payload:$PATH
IMG=/payload/images/nginx
P=/payload/policies
[ -d "$IMG" ] || { echo "Bail out! no nginx image in the payload"; exit 1; }
lsmod | grep -q '^fguard' || insmod fguard.ko

O=/tmp/ovl-nginx
mkdir -p $O/upper
# the entry point waits on a FIFO until the policy is attached
mkfifo $O/upper/.fguard-go
C=$(./fgprobe container $IMG --overlay $O --log /tmp/nginx.log --status /tmp/nginx.status -- /bin/sh -c 'read x < /.fguard-go; exec /usr/sbin/nginx -g "daemon off;"')
t "nginx container created, entry point not started" test -n "$C"
nsenter -t "$C" -n -- ip link set lo up
cp ./fgprobe /proc/$C/root/fgprobe
# attackers already inside when the policy arrives (a compromised worker)
agent() {	# name expect...
	_n=$1
	shift
	( nsenter -t "$C" -m -p -- /fgprobe after /tmp/.go expect "$@"
	  echo "rc=$?" ) > /tmp/agent-$_n.out 2>&1 &
}
agent shadow EACCES open /etc/shadow r
agent docroot-write EACCES open /usr/share/nginx/html/index.html w
agent shell EACCES exec /bin/sh
agent tool EACCES exec /usr/bin/id
agent mime-write EACCES creat /etc/nginx/conf.d/evil.conf
agent docroot-read OK open /usr/share/nginx/html/index.html r
sleep 1
t "load the policy built from the image" fguardctl load $P/nginx.bin --pid "$C"
echo go > /proc/$C/root/.fguard-go

up=0
i=0
while [ $i -lt 60 ]; do
	if nsenter -t "$C" -n -- wget -q -O /tmp/page http://127.0.0.1/ 2>/dev/null; then
		up=1
		break
	fi
	sleep 1
	i=$((i + 1))
done
t "nginx serves its page under the policy" test $up = 1
t "the page is nginx's" grep -qi "nginx" /tmp/page
t "a missing page is a 404, not a denial" sh -c "nsenter -t $C -n -- wget -q -O - http://127.0.0.1/nope 2>&1 | grep -q '404'"
t "nginx -t under the policy" nsenter -t "$C" -m -p -- /usr/sbin/nginx -t -q
t "nginx -s reload under the policy" nsenter -t "$C" -m -p -- /usr/sbin/nginx -s reload
sleep 1
t "nginx serves after the reload" nsenter -t "$C" -n -- wget -q -O /dev/null http://127.0.0.1/

touch /proc/$C/root/tmp/.go
wait
for a in shadow docroot-write shell tool mime-write; do
	t "inside the container: $a refused" sh -c "grep -q '^rc=0' /tmp/agent-$a.out || { cat /tmp/agent-$a.out; exit 1; }"
done
t "inside the container: reading the document root allowed (control)" sh -c "grep -q '^rc=0' /tmp/agent-docroot-read.out || { cat /tmp/agent-docroot-read.out; exit 1; }"
t "a shell entering the container (docker exec) is refused" expect_fail_msg "Permission denied" nsenter -t "$C" -m -p -- /bin/sh -c true
NS=$(mntns "$C")
d=$(stat_field "$NS" denied)
echo "# status: $(fguardctl status | tail -n +2)"
t "status counts the refusals ($d)" test "$d" -ge 6
# `nginx -s quit' as `docker exec' runs it: inside the container's pid
# namespace, whose init is the master it signals. If the master is faster,
# the namespace's end kills the signaller (SIGKILL, 137) after its work is
# done; what counts is that it said nothing but its notice, and that the
# master then ended with status 0.
quit() {
	_o=$(nsenter -t "$C" -m -p -- /usr/sbin/nginx -s quit 2>&1)
	_rc=$?
	printf '%s\n' "$_o"
	echo "rc=$_rc"
	printf '%s\n' "$_o" | grep -q 'signal process started' || return 1
	! printf '%s\n' "$_o" | grep -v 'signal process started' | grep -q . || return 1
	[ $_rc = 0 ] || [ $_rc = 137 ]
}
t "nginx -s quit under the policy: the signal is sent, no error" quit
i=0
while [ ! -s /tmp/nginx.status ] && [ $i -lt 20 ]; do
	sleep 1
	i=$((i + 1))
done
t "nginx stops cleanly under the policy (exit=0)" sh -c 'cat /tmp/nginx.status; grep -qx "exit=0" /tmp/nginx.status'
echo "# nginx's own log:"
sed 's/^/#   /' /tmp/nginx.log | tail -20
t "nginx logged no refusal" sh -c "test -f /tmp/nginx.log && ! grep -q 'Permission denied' /tmp/nginx.log"
kill "$C" 2>/dev/null
t_done
