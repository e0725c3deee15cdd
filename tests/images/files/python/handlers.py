"""Request handlers of the test application."""
import datetime
import functools
import json
import logging
import platform
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler

log = logging.getLogger("access")


class Handler(SimpleHTTPRequestHandler):
    server_version = "fguard-test/1.0"

    def do_GET(self):
        if self.path == "/api/status":
            body = json.dumps({
                "time": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                "python": platform.python_version(),
            }).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, fmt, *args):
        log.info("%s %s", self.address_string(), fmt % args)


def make_handler(root):
    return functools.partial(Handler, directory=root)
