#!/bin/bash
# Assemble the guest payload: the module, fguardctl, the static test
# programs, the suites, the policies (compiled) and a container root:
#
#   rootfs/
#   |-- bin/        busybox (static) + applet links, fgprobe
#   |-- usr/bin/tool       a copy of fgprobe that no policy lets run
#   |-- etc/        passwd, group, shadow (secret)
#   |-- data/       allowed.txt both.txt alt.txt secret.txt rw.txt
#   |   |-- pub/a.txt      readable under policy a
#   |   `-- dir/x.txt      a directory no policy opens
#   |-- tmp/ proc/ dev/
#
# Usage: mkpayload.sh OUTDIR MODULE.ko FGUARDCTL FGPROBE
set -euo pipefail
out=$1 ko=$2 ctl=$3 probe=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
cp "$ko" "$out/fguard.ko"
cp "$ctl" "$out/fguardctl"
cp "$probe" "$out/fgprobe"
cp "$here"/suite-*.sh "$here/lib.sh" "$out/"
r=$out/rootfs
mkdir -p "$r"/{bin,usr/bin,etc,data/pub,data/dir,tmp,proc,dev}
cp /bin/busybox "$r/bin/busybox"
for a in sh cat ls true echo sleep id; do ln -s busybox "$r/bin/$a"; done
cp "$probe" "$r/bin/fgprobe"
cp "$probe" "$r/usr/bin/tool"
echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
echo 'root:x:0:' > "$r/etc/group"
echo 'root:SECRET-HASH:19000:0:99999:7:::' > "$r/etc/shadow"
for f in allowed both alt secret rw; do echo "$f" > "$r/data/$f.txt"; done
echo pub > "$r/data/pub/a.txt"
echo x > "$r/data/dir/x.txt"
chmod 1777 "$r/tmp"
mkdir -p "$out/policies"
for p in "$here"/policies/*.txt; do
	n=$(basename "$p" .txt)
	cp "$p" "$out/policies/$n.txt"
	"$ctl" compile "$p" -o "$out/policies/$n.bin" 2>/dev/null
done
