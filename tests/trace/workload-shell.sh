# Workload of the shell-script image (tests/trace/trace.sh): busybox httpd
# started by /docker-entrypoint.sh, a page, the index, the 404 page.
workload() {
	wait_port 8080
	http_get 8080 / 200
	http_get 8080 /index.html 200
	http_get 8080 /missing.html 404
	http_get 8080 /404.html 200
}
