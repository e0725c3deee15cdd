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
#   |   |-- dir/x.txt      a directory no policy opens
#   |   |-- ro/            read-only under policy m: file.txt, sub/, dyn,
#   |   |                  scripts, libpre.so
#   |   |-- rw/            writable under policy m: file.txt, victim.txt,
#   |   |                  a.txt, b.txt, tool, emptydir/, d/x, inner/y
#   |   `-- drop/          write-only under policy m: f, d/x
#   |-- bin/dyn        a dynamically linked program; lib/ has its libc and
#   |                  ld.so, lib64/ the loader link, lib/pre/libpre.so
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
mkdir -p "$r"/data/{ro/sub,rw/emptydir,rw/d,rw/inner,drop/d} "$r/lib/pre" "$r/lib64"
echo ro > "$r/data/ro/file.txt"
for f in file victim a b; do echo "$f" > "$r/data/rw/$f.txt"; done
echo x > "$r/data/rw/d/x"
echo y > "$r/data/rw/inner/y"
echo f > "$r/data/drop/f"
echo x > "$r/data/drop/d/x"
cp "$probe" "$r/data/rw/tool"
printf '#!/bin/sh\nexit 0\n' > "$r/data/ro/script.sh"
printf '#!/bin/sh\nexit 0\n' > "$r/data/ro/script-ok.sh"
printf '#!/usr/bin/tool\nexit 0\n' > "$r/data/ro/badinterp.sh"
chmod 755 "$r"/data/ro/*.sh "$r/data/rw/tool"
gcc -O2 -o "$r/bin/dyn" "$here/dyn.c"
cp "$r/bin/dyn" "$r/data/ro/dyn"
gcc -O2 -shared -fPIC -o "$r/lib/pre/libpre.so" "$here/preload.c"
cp "$r/lib/pre/libpre.so" "$r/data/ro/libpre.so"
# the dynamic loader and libc of the build machine, at Debian's paths
ldso=$(readlink -f /lib64/ld-linux-x86-64.so.2)
mkdir -p "$r/lib/x86_64-linux-gnu"
cp "$ldso" "$r/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
cp "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)" "$r/lib/x86_64-linux-gnu/libc.so.6"
ln -sf ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$r/lib64/ld-linux-x86-64.so.2"
chmod 1777 "$r/tmp"
mkdir -p "$out/policies"
for p in "$here"/policies/*.txt; do
	n=$(basename "$p" .txt)
	cp "$p" "$out/policies/$n.txt"
	"$ctl" compile "$p" -o "$out/policies/$n.bin" 2>/dev/null
done
