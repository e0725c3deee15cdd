# Workload of the python image (tests/trace/trace.sh): static files, the
# JSON API, a directory listing, a 404.
workload() {
	wait_port 8000
	http_get 8000 / 200
	http_get 8000 /static/style.css 200
	http_get 8000 /version.json 200
	http_get 8000 /api/status 200
	http_get 8000 /static/ 200
	http_get 8000 /missing.html 404
}
