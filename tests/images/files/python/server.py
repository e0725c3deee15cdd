#!/usr/bin/env python3
"""A small static file and JSON API server: the interpreted test image."""
import json
import logging
import os
import signal
import sys
from http.server import ThreadingHTTPServer

import handlers

CONFIG = os.environ.get("APP_CONFIG", "/etc/app/config.json")


def main():
    with open(CONFIG, encoding="utf-8") as f:
        cfg = json.load(f)
    logging.basicConfig(
        filename=cfg["access_log"],
        level=logging.INFO,
        format="%(asctime)s %(message)s",
    )
    with open(cfg["pid_file"], "w", encoding="ascii") as f:
        f.write("%d\n" % os.getpid())
    handler = handlers.make_handler(cfg["document_root"])
    server = ThreadingHTTPServer((cfg["listen"], cfg["port"]), handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    logging.info("serving %s on port %d", cfg["document_root"], cfg["port"])
    try:
        server.serve_forever()
    finally:
        os.unlink(cfg["pid_file"])


if __name__ == "__main__":
    main()
