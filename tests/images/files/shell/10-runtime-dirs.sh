#!/bin/sh
# Runtime directories, and a stamp of when the container started.
mkdir -p /run/httpd /var/log/httpd
date -u +%Y-%m-%dT%H:%M:%SZ > /run/httpd/started
