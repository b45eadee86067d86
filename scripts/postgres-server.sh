#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server on loopback for the tests and benchmarks (Debian's postgresql-15 package).
#
#   scripts/postgres-server.sh start   # initdb (once) and start; prints the URL to use
#   scripts/postgres-server.sh stop
#   scripts/postgres-server.sh url
#
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user. Settings:
#   SWITCHBOARD_PG_PORT (default 54329), SWITCHBOARD_PG_DIR (default /tmp/switchboard-pg-$PORT),
#   SWITCHBOARD_PG_DURABLE=1 keeps fsync on (benchmarks); tests run with fsync off.
set -euo pipefail
PORT="${SWITCHBOARD_PG_PORT:-54329}"
DIR="${SWITCHBOARD_PG_DIR:-/tmp/switchboard-pg-$PORT}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
URL="postgres://switchboard@127.0.0.1:$PORT/switchboard"

as_owner() {
    # from / : the postgres user may not read the current directory
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

case "${1:-start}" in
start)
    if [ -z "$BIN" ]; then
        echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2
        exit 1
    fi
    if [ ! -f "$DIR/PG_VERSION" ]; then
        mkdir -p "$DIR"
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
        as_owner "$BIN/initdb" -D "$DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
        fsync=off
        [ "${SWITCHBOARD_PG_DURABLE:-0}" = 1 ] && fsync=on
        as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w start \
            -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=$fsync \
                -c synchronous_commit=$fsync -c full_page_writes=$fsync" >/dev/null
    fi
    "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qtAc \
        "SELECT 1 FROM pg_roles WHERE rolname='switchboard'" | grep -q 1 ||
        "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE ROLE switchboard LOGIN SUPERUSER"
    "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qtAc \
        "SELECT 1 FROM pg_database WHERE datname='switchboard'" | grep -q 1 ||
        "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE switchboard OWNER switchboard"
    echo "$URL"
    ;;
stop)
    [ -n "$BIN" ] && [ -f "$DIR/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
    ;;
url)
    echo "$URL"
    ;;
*)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
