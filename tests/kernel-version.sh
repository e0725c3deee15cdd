#!/bin/sh
# Print the Debian kernel release to build and test against: the running
# kernel if it is a Debian one with its headers installed, else the newest
# installed linux-headers-*-amd64. Never hard-coded.
set -eu
run=$(uname -r)
case "$run" in
*-amd64)
	if [ -d "/lib/modules/$run/build" ]; then
		echo "$run"
		exit 0
	fi ;;
esac
ver=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
	sed 's|.*/linux-headers-||' | sort -V | tail -n 1)
if [ -z "$ver" ]; then
	echo "no-debian-headers-installed"
	exit 0
fi
echo "$ver"
