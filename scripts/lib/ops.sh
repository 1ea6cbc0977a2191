# shellcheck shell=bash
# Shared helpers of the operations scripts (deploy, backup, restore-drill, switch):
# messages, dry-run, the compose command, running PostgreSQL tools as the
# database's OS user, and waiting for container health. Source it; it defines
# functions and reads these variables:
#   BERTH_COMPOSE_FILE  the compose file (default: deploy/compose.yaml beside scripts/)
#   BERTH_ENV_FILE      its settings (default: deploy/.env)
#   BERTH_RESTORES_DIR  the restore drills' reports (default: deploy/restores)
#   BERTH_PG_OS_USER    the OS user PostgreSQL runs as (default: postgres)
#   OPS_DRY_RUN         non-empty: print changing commands instead of running them

OPS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BERTH_COMPOSE_FILE=${BERTH_COMPOSE_FILE:-$OPS_ROOT/deploy/compose.yaml}
BERTH_ENV_FILE=${BERTH_ENV_FILE:-$OPS_ROOT/deploy/.env}
BERTH_RESTORES_DIR=${BERTH_RESTORES_DIR:-$OPS_ROOT/deploy/restores}
BERTH_PG_OS_USER=${BERTH_PG_OS_USER:-postgres}
OPS_DRY_RUN=${OPS_DRY_RUN:-}

ops_say() { printf '%s\n' "$*" >&2; }

ops_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Runs a command that changes something, or prints it under --dry-run.
ops_change() {
  if [ -n "$OPS_DRY_RUN" ]; then
    printf 'would run:'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

# docker compose with the project's file and settings (also as an array, for
# ops_change).
OPS_COMPOSE=(docker compose --env-file "$BERTH_ENV_FILE" --file "$BERTH_COMPOSE_FILE")
ops_compose() { "${OPS_COMPOSE[@]}" "$@"; }

# The value of KEY in the settings file (the last assignment wins, as in compose);
# empty when absent. Surrounding quotes are removed.
ops_env_value() {
  local key=$1 line value=""
  [ -f "$BERTH_ENV_FILE" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      "$key="*) value=${line#"$key="} ;;
    esac
  done <"$BERTH_ENV_FILE"
  value=${value%\"}; value=${value#\"}
  value=${value%\'}; value=${value#\'}
  printf '%s' "$value"
}

# Sets KEY=VALUE in the settings file (replacing every assignment of KEY, or
# appending one), through a temporary file and a rename.
ops_env_set() {
  local key=$1 value=$2 tmp line done=""
  tmp=$(mktemp "$BERTH_ENV_FILE.XXXXXX")
  if [ -f "$BERTH_ENV_FILE" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case $line in
        "$key="*)
          if [ -z "$done" ]; then printf '%s=%s\n' "$key" "$value"; done=yes; fi
          ;;
        *) printf '%s\n' "$line" ;;
      esac
    done <"$BERTH_ENV_FILE" >"$tmp"
    chmod --reference="$BERTH_ENV_FILE" "$tmp"
  fi
  if [ -z "$done" ]; then printf '%s=%s\n' "$key" "$value" >>"$tmp"; fi
  mv "$tmp" "$BERTH_ENV_FILE"
}

# Runs a PostgreSQL tool as the database's OS user when we are root (initdb,
# pg_ctl and pgBackRest refuse root or would leave root-owned files), from /.
ops_as_pg() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u "$BERTH_PG_OS_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}

# Fails clearly unless the database's OS user can `read` (a file) or `write` (a
# directory) PATH, when we are root and hand it that path: a checkout or folder
# only root can enter (root's home, a mktemp -d folder) is not such a place.
ops_pg_can() {
  local how=$1 path=$2 flag=-r
  if [ "$how" = write ]; then flag=-w; fi
  if [ "$(id -u)" = 0 ] && ! ops_as_pg test "$flag" "$path"; then
    ops_die "the PostgreSQL OS user ($BERTH_PG_OS_USER) cannot $how $path; put it where that user can reach it (every directory above it must let it in)"
  fi
}

# The newest PostgreSQL server binary directory (PG_BIN overrides): Debian's
# /usr/lib/postgresql/N/bin, as in the postgres image and on these machines.
ops_pg_bin() {
  local d
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return 0; fi
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && [ -x "$d/psql" ]; then echo "$d"; return 0; fi
  done
  return 1
}

# A free TCP port on 127.0.0.1 at or above $1 (nothing accepts connections on it).
ops_free_port() {
  local port=$1
  while [ "$port" -lt 65535 ]; do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
    port=$((port + 1))
  done
  return 1
}

# Waits until every container of a compose service reports healthy. Fails at
# once when one is unhealthy, or after $2 seconds (default 120). The poll interval
# is OPS_POLL_SECONDS (default 2).
ops_wait_healthy() {
  local service=$1 timeout=${2:-120} waited=0 ids id status all
  while :; do
    ids=$(ops_compose ps -q "$service") || return 1
    if [ -n "$ids" ]; then
      all=yes
      for id in $ids; do
        status=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id") || return 1
        case $status in
          healthy) ;;
          unhealthy)
            ops_say "$service: container $id is unhealthy"
            return 1
            ;;
          none)
            ops_say "$service: container $id has no health check"
            return 1
            ;;
          *) all="" ;;
        esac
      done
      if [ -n "$all" ]; then return 0; fi
    fi
    if [ "$waited" -ge "$timeout" ]; then
      ops_say "$service: not healthy after ${timeout}s"
      return 1
    fi
    sleep "${OPS_POLL_SECONDS:-2}"
    waited=$((waited + ${OPS_POLL_SECONDS:-2}))
    # A zero poll interval (the tests) still ends: count polls as one second each.
    if [ "${OPS_POLL_SECONDS:-2}" = 0 ]; then waited=$((waited + 1)); fi
  done
}
