# Workload of the nginx image (tests/trace/trace.sh): static pages, a 404,
# the error page, a configuration reload through `nginx -s reload' (as
# `docker exec' would run it), and the stop signal.
workload() {
	wait_port 80
	http_get 80 / 200
	http_get 80 /index.htm 200
	http_get 80 /does-not-exist.html 404
	http_get 80 /50x.html 200
	container_exec nginx -t -q
	container_exec nginx -s reload
	sleep 0.5
	http_get 80 / 200
	http_get 80 /nope/ 404
}
