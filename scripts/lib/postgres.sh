# shellcheck shell=bash
# A throwaway PostgreSQL server for tests and benchmarks: a fresh cluster in a
# temporary directory, on 127.0.0.1 and a free port, with fsync off. Source this
# file, call `pg_throwaway_start`, and `pg_throwaway_stop` when done (it is also
# registered on EXIT). On success BERTH_TEST_POSTGRES_URL holds the admin URL.
# Installs PostgreSQL with apt-get when it is absent and we are root.

pg_bin_dir() {
  local d
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

pg_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "postgres: not installed and not root, cannot apt-get install it" >&2
    return 1
  fi
  echo "postgres: installing with apt-get (not found under /usr/lib/postgresql)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq postgresql postgresql-contrib >&2
}

pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Runs a PostgreSQL binary as the postgres user when we are root (initdb refuses
# root), from / : the postgres user may not be able to enter the current
# directory (a checkout under root's home or in a mode-0700 folder). Whatever it
# reads must be outside the checkout too (the callers use mktemp directories).
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_throwaway_start() {
  local bin
  bin=$(pg_bin_dir) || { pg_install && bin=$(pg_bin_dir); } || return 1
  PG_THROWAWAY_DIR=$(mktemp -d /tmp/berth-pg.XXXXXX)
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_THROWAWAY_DIR"; fi
  pg_as_owner "$bin/initdb" -D "$PG_THROWAWAY_DIR/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null || return 1
  PG_THROWAWAY_PORT=$(pg_free_port)
  pg_as_owner "$bin/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -l "$PG_THROWAWAY_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_THROWAWAY_PORT -k $PG_THROWAWAY_DIR -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null || {
    cat "$PG_THROWAWAY_DIR/server.log" >&2
    return 1
  }
  PG_THROWAWAY_BIN=$bin
  export BERTH_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_THROWAWAY_PORT/postgres"
  trap pg_throwaway_stop EXIT
  echo "postgres: throwaway server $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_THROWAWAY_PORT" >&2
}

# After a failed step: the end of the throwaway server's log (a stop, a crash
# or a refused connection is written there), and whether it is still running.
pg_throwaway_log_tail() {
  if [ -n "${PG_THROWAWAY_DIR:-}" ] && [ -f "$PG_THROWAWAY_DIR/server.log" ]; then
    echo "== the throwaway PostgreSQL's log (last 60 lines of $PG_THROWAWAY_DIR/server.log)" >&2
    tail -n 60 "$PG_THROWAWAY_DIR/server.log" >&2
    pg_as_owner "$PG_THROWAWAY_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" status >&2 || true
  fi
}

pg_throwaway_stop() {
  if [ -n "${PG_THROWAWAY_DIR:-}" ] && [ -d "$PG_THROWAWAY_DIR" ]; then
    pg_as_owner "$PG_THROWAWAY_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_THROWAWAY_DIR"
    PG_THROWAWAY_DIR=
  fi
}
