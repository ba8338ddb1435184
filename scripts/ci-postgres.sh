#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: a cluster in a folder of its own, listening on
# 127.0.0.1 only (and a socket inside that folder), trust authentication, stopped and removed
# by `stop`. Installs Debian's `postgresql` package when no server binaries are found (as root).
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user the package
# creates (or to a `digest-ci` system user made here when there is none).
#
#   DSN=$(scripts/ci-postgres.sh start DIR)   prints postgresql+psycopg://digest@127.0.0.1:PORT/digest
#   scripts/ci-postgres.sh stop DIR           stops the server and deletes DIR
#
# .ci/run exports the DSN as DIGEST_TEST_POSTGRES; the tests that need PostgreSQL skip without it.
set -euo pipefail

cmd=${1:?usage: ci-postgres.sh start|stop DIR}
dir=${2:?usage: ci-postgres.sh start|stop DIR}

bindir() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$found" ] && [ -x "$found/initdb" ] && [ -x "$found/pg_ctl" ] && echo "$found"
}

as_owner() {
    # Run a command as the cluster's owner: ourselves, or (as root) the unprivileged user.
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$owner" -- "$@"
    else
        "$@"
    fi
}

case "$cmd" in
start)
    bin=$(bindir || true)
    if [ -z "$bin" ]; then
        if [ "$(id -u)" != 0 ]; then
            echo "ci-postgres: no PostgreSQL server found and not root; apt-get install postgresql" >&2
            exit 1
        fi
        { apt-get update -qq >/dev/null &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; } || {
            echo "ci-postgres: apt-get install postgresql failed" >&2
            exit 1
        }
        bin=$(bindir) || { echo "ci-postgres: postgresql installed but no initdb found" >&2; exit 1; }
    fi
    owner=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        owner=postgres
        if ! id "$owner" >/dev/null 2>&1; then
            owner=digest-ci
            id "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
        fi
    fi
    mkdir -p "$dir"
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown "$owner" "$dir"
    echo "$owner" >"$dir/owner"
    as_owner test -x "$dir" || {
        echo "ci-postgres: $owner cannot enter $dir (a folder above it is private); use one like \$(mktemp -d)" >&2
        exit 1
    }
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U digest --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    # fsync off: a test cluster thrown away at the end needs no crash safety, and it is much faster.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -p $port -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    echo "$bin" >"$dir/bin"
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U digest digest
    echo "postgresql+psycopg://digest@127.0.0.1:$port/digest"
    ;;
stop)
    if [ -f "$dir/bin" ] && [ -d "$dir/data" ]; then
        owner=$(cat "$dir/owner")
        as_owner "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: ci-postgres.sh start|stop DIR" >&2
    exit 2
    ;;
esac
