#!/bin/sh
# Entry point in the style of the official images: run the scripts of
# /docker-entrypoint.d, then exec the command.
set -eu

if [ -z "${SKIP_ENTRYPOINT_D:-}" ]; then
    for f in /docker-entrypoint.d/*.sh; do
        [ -r "$f" ] || continue
        echo "$0: sourcing $f" >&2
        . "$f"
    done
fi

echo "$0: starting $*" >&2
exec "$@"
