#!/usr/bin/env bash
# The restore drill end to end, for real: a PostgreSQL cluster of its own (the
# shared test cluster is left alone) archiving WAL through pgBackRest, set up by
# the db image's first-start script, migrated and seeded with the demo tenants
# by the berth binary; a full and a differential backup by scripts/backup, with
# application writes after each; then scripts/restore-drill restores into a new
# directory, promotes the shadow and compares it with the source. Also: the
# drill fails on a wrong expectation, refuses a non-empty target, and the shadow
# archives nothing into the repository.
#
#   scripts/tests/restore-drill.sh BERTH_BINARY
#
# Needs root or the postgres user, PostgreSQL's server binaries and pgbackrest.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=scripts/tests/lib.sh
source scripts/tests/lib.sh

berth=$(realpath "${1:?usage: scripts/tests/restore-drill.sh BERTH_BINARY}")
bin=$(pg_bin_dir) || { echo "restore-drill test: no PostgreSQL binaries" >&2; exit 1; }
command -v pgbackrest >/dev/null || { echo "restore-drill test: pgbackrest is not installed" >&2; exit 1; }

work=$(mktemp -d /tmp/berth-drill-test.XXXXXX)
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$work"; fi
port=$(pg_free_port)
conf=$work/pgbackrest.conf
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  for d in "$work/data" "$work/restore/pgdata" "$work/restore-bad/pgdata"; do
    if [ -f "$d/postmaster.pid" ]; then
      pg_as_owner "$bin/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '== restore drill: %s\n' "$*"; }
as_pg() { (cd / && pg_as_owner "$@"); }

step "source cluster on 127.0.0.1:$port, archiving through pgBackRest"
cat >"$conf" <<EOF
[global]
repo1-path=$work/repo
repo1-retention-full=2
log-path=$work/log
lock-path=$work/lock
spool-path=$work/spool
archive-async=y
start-fast=y
archive-timeout=30
compress-type=zst
compress-level=3
log-level-console=warn

[berth]
pg1-path=$work/data
pg1-port=$port
pg1-socket-path=$work
pg1-user=postgres
EOF
mkdir -p "$work/log"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$conf" "$work/log"; fi
as_pg "$bin/initdb" -D "$work/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
fsync = off
synchronous_commit = off
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$conf --stanza=berth archive-push %p'
EOF
as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/source.log" -w -t 60 start >/dev/null
psql_src() { "$bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
psql_src -d postgres -c "CREATE DATABASE berth"

step "first-start script of the db image (deploy/postgres/initdb.d/10-berth.sh)"
# It runs as the postgres user, who may not be able to reach the checkout (a
# clone under root's home or in a mode-0700 folder): run a copy from $work.
initdb_script=$work/10-berth.sh
install -m 0555 "$root/deploy/postgres/initdb.d/10-berth.sh" "$initdb_script"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$initdb_script"; fi
as_pg env POSTGRES_USER=postgres POSTGRES_DB=berth BERTH_DB_PASSWORD=drill-password \
  PGHOST="$work" PGPORT="$port" PGBACKREST_CONFIG="$conf" \
  bash "$initdb_script"
t_eq "the berth role is no superuser and cannot bypass row-level security" "f|f" \
  "$(psql_src -d berth -c "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'berth'")"

step "berth migrates and seeds the demo tenants (berth serve --demo, then SIGTERM)"
url="postgres://berth:drill-password@127.0.0.1:$port/berth"
"$berth" serve --demo --database-url "$url" --listen 127.0.0.1:0 \
  --tenants "$root/tenants" --secret-file "$work/jwt-secret" --secrets-key-file "$work/secrets-key" \
  >"$work/berth.out" 2>"$work/berth.err" &
server_pid=$!
addr=""
for _ in $(seq 1 600); do
  addr=$(sed -n 's|^berth listening on http://||p' "$work/berth.out")
  if [ -n "$addr" ] || ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.2
done
if [ -z "$addr" ]; then
  cat "$work/berth.err" >&2
  echo "restore-drill test: berth serve did not start" >&2
  exit 1
fi
ready=$("$berth" healthcheck --listen "$addr" --path /readyz 2>&1 || true)
t_contains "berth healthcheck --path /readyz passes on the seeded server" "$ready" "answered 200"
kill -TERM "$server_pid"
wait "$server_pid" || { cat "$work/berth.err" >&2; t_fail "berth serve stopped cleanly on SIGTERM"; }
server_pid=""
reservations=$(psql_src -d berth -c "SELECT count(*) FROM reservations")
tenants=$(psql_src -d berth -c "SELECT count(*) FROM tenants")
if [ "$reservations" -gt 0 ]; then t_pass "the demo holds $reservations reservations of $tenants tenants"; else
  t_fail "the demo holds reservations" "count: $reservations"; fi

step "full backup, a write, differential backup, another write"
full=$(scripts/backup --config "$conf" --type full --label ci-full 2>&1) || t_fail "full backup" "$full"
t_contains "full backup: summary lists it" "$full" "full backup:"
add_user() {
  RUST_LOG=warn BERTH_PASSWORD=drill-password-1 "$berth" user add --database-url "$url" \
    --tenant alpine-cabins --email "$1" --role viewer >/dev/null
}
add_user after-full@example.com
diffb=$(scripts/backup --config "$conf" --type diff --label ci-diff 2>&1) || t_fail "differential backup" "$diffb"
t_contains "differential backup: summary lists it" "$diffb" "diff backup:"
labels=$(as_pg pgbackrest --config="$conf" --stanza=berth info --output=json)
t_contains "the backups carry their labels" "$labels" '"label":"ci-diff"'
add_user after-diff@example.com
bad_label=$(scripts/backup --config "$conf" --type diff --label 'bad label' 2>&1 || true)
t_contains "a label with a space is refused" "$bad_label" "--label may hold"

step "scripts/restore-drill against the source"
source_conninfo="host=127.0.0.1 port=$port user=postgres dbname=berth"
started=$(date +%s)
# The shadow's port comes from the kernel: a fixed start such as 55432 lies in
# the ephemeral range, where a busy machine's outgoing connections may hold it.
if drill=$(scripts/restore-drill --config "$conf" --source "$source_conninfo" \
  --target "$work/restore/pgdata" --port "$(pg_free_port)" 2>"$work/drill.err"); then
  t_pass "the drill passes ($(($(date +%s) - started)) s)"
else
  t_fail "the drill passes" "$drill"$'\n'"$(cat "$work/drill.err")"
fi
while IFS= read -r line; do printf '    | %s\n' "$line"; done <<<"$drill"
t_contains "report: result" "$drill" "result: PASS"
t_contains "report: restored from the differential backup" "$drill" "$(
  as_pg pgbackrest --config="$conf" --stanza=berth info --output=json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["backup"][-1]["label"])')"
t_contains "report: migrations checked" "$drill" \
  "version $(find migrations/postgres -name '[0-9]*.sql' | wc -l) ($(find migrations/postgres -name '[0-9]*.sql' | wc -l) applied), expected"
t_contains "report: exclusion constraint" "$drill" "reservations_exclusive_no_overlap present and valid"
t_contains "report: reservations compared" "$drill" "rows reservations"
users=$(psql_src -d berth -c "SELECT count(*) FROM users")
t_contains "report: the user written after the differential backup is there (WAL replayed)" \
  "$(grep 'check  rows users ' <<<"$drill")" "PASS  $users (source $users)"
t_contains "report: sample identical" "$drill" "lines differ"
t_lacks "report: no failed check" "$drill" " FAIL "
t_eq "the report file is written beside the target" "$drill" "$(cat "$work/restore/berth-drill-report.txt" 2>&1 || true)"
if [ -f "$work/restore/pgdata/postmaster.pid" ]; then
  t_fail "the shadow is stopped after the drill"
else t_pass "the shadow is stopped after the drill"; fi
auto=$(cat "$work/restore/pgdata/postgresql.auto.conf" 2>&1 || true)
t_contains "the restored cluster keeps archive_mode off" "$auto" "archive_mode = 'off'"
t_lacks "the restored cluster keeps no restore_command" "$auto" "restore_command"
history=$(find "$work/repo/archive" -name '00000002.history*' | wc -l)
t_eq "the promoted shadow archived nothing into the repository" 0 "$history"

step "failure paths"
bad=$(scripts/restore-drill --config "$conf" --source "$source_conninfo" \
  --target "$work/restore-bad/pgdata" --port "$(pg_free_port)" --expect-migration 999 2>"$work/bad.err") && bad_rc=0 || bad_rc=$?
t_eq "a wrong expected migration version fails the drill" 1 "$bad_rc"
t_contains "  ... with the migrations check marked FAIL" "$bad" "expected 999"
t_contains "  ... and the result FAIL" "$bad" "result: FAIL"
t_contains "  ... naming the kept directory" "$(cat "$work/bad.err")" "kept for inspection"
full_target=$(scripts/restore-drill --config "$conf" --source "$source_conninfo" \
  --target "$work/restore/pgdata" 2>&1) && rc=0 || rc=$?
t_eq "a non-empty target is refused" 1 "$rc"
t_contains "  ... with a clear message" "$full_target" "is not empty"
unreachable=$(scripts/restore-drill --config "$conf" --target "$work/y" \
  --source "postgres://postgres:hunter2-secret@127.0.0.1:1/berth" 2>&1) && rc=0 || rc=$?
t_contains "an unreachable source fails clearly" "$unreachable" "cannot connect to the source: postgres://postgres:***@127.0.0.1:1/berth"
t_lacks "  ... without printing its password" "$unreachable" "hunter2-secret"
if [ "$(id -u)" = 0 ]; then
  # A configuration only root can reach (as in a checkout under root's home):
  # refused up front, naming it, instead of failing inside pgBackRest.
  hidden=$(mktemp -d)
  cp "$conf" "$hidden/pgbackrest.conf"
  unreadable=$(scripts/backup --config "$hidden/pgbackrest.conf" --type diff 2>&1) && rc=0 || rc=$?
  t_eq "a configuration the postgres user cannot read is refused" 1 "$rc"
  t_contains "  ... naming it" "$unreadable" "cannot read $hidden/pgbackrest.conf"
  unreachable_target=$(scripts/restore-drill --config "$conf" --source "$source_conninfo" \
    --target "$hidden/restore/pgdata" 2>&1) && rc=0 || rc=$?
  t_eq "a target the postgres user cannot write is refused" 1 "$rc"
  t_contains "  ... naming it" "$unreachable_target" "cannot write $hidden/restore/pgdata"
  rm -rf "$hidden"
fi
nosrc=$(scripts/restore-drill --config "$conf" --target "$work/x" 2>&1) && rc=0 || rc=$?
t_contains "a drill without --source (or --no-source) is refused" "$nosrc" "--source CONNINFO is required"

step "the restored cluster as the live database (what scripts/switch does to PostgreSQL)"
# Stop the source, start the restore with archiving on from the command line
# (as the compose db service does), write through berth, back it up.
as_pg "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
t_contains "report: the new timeline's history file is marked for archiving" "$drill" \
  "history file marked for archiving after a switch: yes"
new_port=$(pg_free_port)
# The restored directory is not where the source's was (as it is in the compose
# volume), so pgBackRest gets a configuration naming it.
sed "s|^pg1-path=.*|pg1-path=$work/restore/pgdata|; s|^pg1-port=.*|pg1-port=$new_port|" \
  "$conf" >"$work/switched.conf"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$work/switched.conf"; fi
as_pg "$bin/pg_ctl" -D "$work/restore/pgdata" -l "$work/switched.log" -w -t 60 \
  -o "-c port=$new_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work -c archive_mode=on -c archive_command='pgbackrest --config=$work/switched.conf --stanza=berth archive-push %p'" \
  start >/dev/null
switched_url="postgres://berth:drill-password@127.0.0.1:$new_port/berth"
migrated=$(RUST_LOG=warn "$berth" migrate --database-url "$switched_url" 2>&1) && rc=0 || rc=$?
t_eq "berth migrate accepts the restored database (nothing pending)" "0 migrations applied" "$rc $(grep -o "migrations applied" <<<"$migrated")"
RUST_LOG=warn BERTH_PASSWORD=drill-password-1 "$berth" user add --database-url "$switched_url" \
  --tenant harbor-hotel --email after-switch@example.com --role viewer >/dev/null && rc=0 || rc=$?
t_eq "berth writes to the restored database" 0 "$rc"
after=$(scripts/backup --config "$work/switched.conf" --type full --label after-switch 2>&1) && rc=0 || rc=$?
if [ "$rc" = 0 ]; then t_pass "a full backup of the restored database after the switch"; else
  t_fail "a full backup of the restored database after the switch" "$after"; fi
t_eq "the new timeline's history file reached the repository" 1 \
  "$(find "$work/repo/archive" -name '00000002.history*' | wc -l)"
as_pg "$bin/pg_ctl" -D "$work/restore/pgdata" -m fast -w stop >/dev/null
t_summary restore-drill
