#!/usr/bin/env bash
# First start of the database (run once by the postgres image's entrypoint, as
# the postgres user, against a server listening only on its Unix socket): the
# role berth connects as — the owner of the berth database, not a superuser, so
# row-level security applies to it — and the pgBackRest stanza.
set -euo pipefail

if [ -z "${BERTH_DB_PASSWORD:-}" ]; then
  echo "10-berth.sh: BERTH_DB_PASSWORD is not set" >&2
  exit 1
fi

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=password="$BERTH_DB_PASSWORD" <<'SQL'
CREATE ROLE berth LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
ALTER DATABASE berth OWNER TO berth;
ALTER SCHEMA public OWNER TO berth;
SQL

# The stanza in the backup repository. Idempotent: a repository that already
# holds this cluster's stanza (a restored volume) is accepted as it is.
pgbackrest --stanza=berth --log-level-console=warn stanza-create
