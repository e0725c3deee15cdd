#!/bin/sh
# Generate the httpd configuration from its template.
template=/etc/httpd/httpd.conf.template
if [ "$(id -u)" = 0 ]; then
    echo "20-config.sh: running as root" >&2
fi
sed -e "s|@INDEX@|${HTTPD_INDEX:-index.html}|g" "$template" > /run/httpd/httpd.conf
grep -c . /run/httpd/httpd.conf > /dev/null
