# Workload of the redis image (tests/trace/trace.sh): commands over the
# protocol, a write, a SAVE to disk, INFO, and the stop signal.
workload() {
	local out
	wait_port 6379
	exec 3<>/dev/tcp/127.0.0.1/6379
	printf 'PING\r\nSET fguard test\r\nGET fguard\r\nSAVE\r\nINFO server\r\nQUIT\r\n' >&3
	out=$(timeout 10 cat <&3)
	exec 3<&-
	printf '%s\n' "$out" >>"$LOGDIR/responses"
	grep -q '^+PONG' <<<"$out" && grep -q '^test' <<<"$out" ||
		die "redis did not answer as expected"
	echo "PING SET GET SAVE INFO -> ok" >>"$LOGDIR/requests"
}
