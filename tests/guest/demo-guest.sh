#!/bin/sh
# The guest half of `make demo': nginx under the policy built from its image.
. ./lib.sh
export PATH=/payload:$PATH
IMG=/payload/images/nginx
P=/payload/policies
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Loading fguard.ko into the guest kernel ($(uname -r))"
insmod fguard.ko && dmesg | grep 'fguard: loaded' | tail -n 1

say "Starting the nginx container; its entry point waits for the policy"
O=/tmp/ovl-nginx
mkdir -p $O/upper
mkfifo $O/upper/.fguard-go
C=$(./fgprobe container $IMG --overlay $O --log /tmp/nginx.log -- /bin/sh -c 'read x < /.fguard-go; exec /usr/sbin/nginx -g "daemon off;"')
nsenter -t "$C" -n -- ip link set lo up
cp ./fgprobe /proc/$C/root/fgprobe
( nsenter -t "$C" -m -p -- /fgprobe after /tmp/.go expect EACCES open /etc/shadow r
  echo "rc=$?" ) > /tmp/a1 2>&1 &
A1=$!
( nsenter -t "$C" -m -p -- /fgprobe after /tmp/.go expect EACCES open /usr/share/nginx/html/index.html w
  echo "rc=$?" ) > /tmp/a2 2>&1 &
A2=$!
sleep 1
echo "container init: host pid $C, mount namespace mnt:[$(mntns "$C")]"

say "fguardctl load nginx.bin --pid $C"
fguardctl load $P/nginx.bin --pid "$C"
echo go > /proc/$C/root/.fguard-go

say "An HTTP request to the guarded nginx"
i=0
while [ $i -lt 60 ] && ! nsenter -t "$C" -n -- wget -q -O /tmp/page http://127.0.0.1/ 2>/dev/null; do
	sleep 1
	i=$((i + 1))
done
echo "\$ wget -O - http://127.0.0.1/"
head -n 4 /tmp/page

say "Three attacks from inside the container"
fguardctl monitor --pid "$C" > /tmp/events.txt 2> /tmp/monitor.err &
MON=$!
i=0
while [ $i -lt 50 ] && ! grep -q Listening /tmp/monitor.err; do sleep 0.1; i=$((i + 1)); done
touch /proc/$C/root/tmp/.go
wait $A1 $A2
r1=$(grep -o 'rc=[0-9]*' /tmp/a1)
r2=$(grep -o 'rc=[0-9]*' /tmp/a2)
echo "1. a compromised process reads /etc/shadow:          $( [ "$r1" = rc=0 ] && echo 'refused (EACCES)' || echo "NOT refused: $(cat /tmp/a1)")"
echo "2. it overwrites the document root's index.html:      $( [ "$r2" = rc=0 ] && echo 'refused (EACCES)' || echo "NOT refused: $(cat /tmp/a2)")"
out=$(nsenter -t "$C" -m -p -- /bin/sh -c 'cat /etc/shadow' 2>&1)
echo "3. an operator's 'docker exec ... sh' into it:        $out"

say "fguardctl monitor --pid $C: the events of these attacks"
sleep 1
kill $MON
cat /tmp/events.txt

say "fguardctl status"
fguardctl status
echo
echo "(checked/allowed/denied count every decision in the container's namespace)"
nsenter -t "$C" -m -p -- /usr/sbin/nginx -s quit
sleep 1
echo "demo-done"
