#!/usr/bin/env bash
# Tests of scripts/deploy, scripts/switch and the compose side of scripts/backup
# and scripts/restore-drill, with a fake `docker` on PATH that records its calls
# (scripts/tests/fake-docker/docker): dry run, success, failed preflight, failed
# backup, failed migration, unhealthy and unready service, health timeout; the
# switch's checks, typed confirmation, cutover and rollback. Each case asserts
# the exact sequence of docker calls, so nothing after a failing step may run.
# Also static checks of the deployment files: compose.yaml parses and has the
# required shape, every variable it uses is documented in .env.example, the
# Dockerfiles and the workflows have what docs/operations.md promises.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
# shellcheck source=scripts/tests/lib.sh
source scripts/tests/lib.sh

work=$(mktemp -d /tmp/berth-deploy-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
export PATH="$root/scripts/tests/fake-docker:$PATH"
export FAKE_DOCKER_LOG="$work/docker.log"
export BERTH_ENV_FILE="$work/.env"
export BERTH_COMPOSE_FILE="$root/deploy/compose.yaml"
export BERTH_RESTORES_DIR="$work/restores"
export OPS_POLL_SECONDS=0
unset FAKE_DOCKER_FAIL FAKE_DOCKER_HEALTH FAKE_DOCKER_VOLUMES FAKE_DOCKER_DRILL FAKE_DOCKER_ENV BERTH_TAG

write_env() {
  cat >"$BERTH_ENV_FILE" <<'EOF'
BERTH_IMAGE=ghcr.io/acme/berth
BERTH_TAG=v1.1.0
BERTH_POSTGRES_IMAGE=ghcr.io/acme/berth-postgres
BERTH_POSTGRES_TAG=15
BERTH_DB_VOLUME=berth-pgdata-1
POSTGRES_PASSWORD=superuser-secret
BERTH_DB_PASSWORD=0123456789abcdef
BERTH_JWT_SECRET=0123456789abcdef0123456789abcdef01
COMPOSE_PROJECT_NAME=berth
EOF
}

# Runs a command with a fresh call log; sets $out (stdout and stderr), $rc, $calls.
run() {
  : >"$FAKE_DOCKER_LOG"
  rm -f "$FAKE_DOCKER_LOG.inspect-count"
  out=$("$@" 2>&1) && rc=0 || rc=$?
  calls=$(cat "$FAKE_DOCKER_LOG")
}

HEALTH='inspect --format {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}'
PREFLIGHT="compose config --quiet
volume inspect berth-pgdata-1
manifest inspect ghcr.io/acme/berth:v1.2.0
manifest inspect ghcr.io/acme/berth-postgres:15
compose run --rm --no-deps -T berth policy check
compose run --rm --no-deps -T berth policy test"
BACKUP="compose exec -T --user postgres db pgbackrest --stanza=berth --log-level-console=info --type=diff --annotation=label=pre-deploy-v1.2.0 backup
compose exec -T --user postgres db pgbackrest --stanza=berth --log-level-console=warn info"

echo "== deploy: dry run"
write_env
export FAKE_DOCKER_VOLUMES="berth-pgdata-1"
run scripts/deploy --tag v1.2.0 --dry-run
t_eq "dry run exits 0" 0 "$rc"
t_eq "dry run: only the read-only preflight calls docker" "$PREFLIGHT" "$calls"
t_contains "dry run: prints the backup it would take" "$out" "would run: docker compose --env-file $BERTH_ENV_FILE --file $BERTH_COMPOSE_FILE exec -T --user postgres db pgbackrest --stanza=berth --log-level-console=info --type=diff --annotation=label=pre-deploy-v1.2.0 backup"
t_contains "dry run: prints the pull" "$out" "pull --quiet"
t_contains "dry run: prints the migration" "$out" "run --rm -T migrate"
t_contains "dry run: prints the recreate" "$out" "up -d --remove-orphans"
t_contains "dry run: says nothing changed" "$out" "dry run: nothing was changed"
t_eq "dry run: the settings file is unchanged" "v1.1.0" "$(grep '^BERTH_TAG=' "$BERTH_ENV_FILE" | cut -d= -f2)"

echo "== deploy: success"
write_env
export FAKE_DOCKER_HEALTH="starting healthy" FAKE_DOCKER_ENV=BERTH_TAG
run scripts/deploy --tag v1.2.0
unset FAKE_DOCKER_ENV
t_eq "success exits 0" 0 "$rc"
expected=$(while IFS= read -r l; do echo "$l [BERTH_TAG=v1.2.0]"; done <<<"$PREFLIGHT
$BACKUP
compose pull --quiet
compose run --rm -T migrate
compose up -d --remove-orphans
compose ps -q berth
$HEALTH fake-berth-1
compose ps -q berth
$HEALTH fake-berth-1
compose ps -q berth
exec fake-berth-1 berth healthcheck --path /readyz")
t_eq "success: every step in order, each compose call with the new tag" "$expected" "$calls"
t_contains "success: reports the deploy" "$out" "deploy of v1.2.0 done: berth healthy and ready"
t_eq "success: the tag is recorded" "v1.2.0" "$(grep '^BERTH_TAG=' "$BERTH_ENV_FILE" | cut -d= -f2)"
t_eq "success: the previous tag is kept for rollback" "v1.1.0" "$(grep '^BERTH_TAG_PREVIOUS=' "$BERTH_ENV_FILE" | cut -d= -f2)"
t_eq "success: other settings are untouched" "berth-pgdata-1" "$(grep '^BERTH_DB_VOLUME=' "$BERTH_ENV_FILE" | cut -d= -f2)"
t_contains "success: steps are numbered" "$out" "== [6/6] health"

echo "== deploy: rollback by tag (deploying the previous tag)"
run scripts/deploy --tag v1.1.0
t_eq "rollback exits 0" 0 "$rc"
t_eq "rollback: the tag is back" "v1.1.0" "$(grep '^BERTH_TAG=' "$BERTH_ENV_FILE" | cut -d= -f2)"
t_eq "rollback: the rolled-back tag is the previous one" "v1.2.0" "$(grep '^BERTH_TAG_PREVIOUS=' "$BERTH_ENV_FILE" | cut -d= -f2)"
t_contains "rollback: a pre-deploy backup labelled with the tag" "$calls" "--annotation=label=pre-deploy-v1.1.0 backup"

echo "== deploy: failed preflight"
write_env
rm "$BERTH_ENV_FILE"
run scripts/deploy --tag v1.2.0
t_eq "no settings file: exit 1" 1 "$rc"
t_contains "no settings file: clear message" "$out" 'deploy FAILED at step "preflight": no settings file'
t_eq "no settings file: docker is never called" "" "$calls"

write_env
sed -i 's/^BERTH_JWT_SECRET=.*/BERTH_JWT_SECRET=change-me/' "$BERTH_ENV_FILE"
run scripts/deploy --tag v1.2.0
t_contains "placeholder secret: refused" "$out" "BERTH_JWT_SECRET still holds the example's placeholder"
t_eq "placeholder secret: docker is never called" "" "$calls"

write_env
sed -i '/^BERTH_DB_VOLUME=/d' "$BERTH_ENV_FILE"
run scripts/deploy --tag v1.2.0
t_contains "missing setting: named" "$out" "settings missing in $BERTH_ENV_FILE: BERTH_DB_VOLUME"

write_env
export FAKE_DOCKER_FAIL='^manifest inspect ghcr.io/acme/berth:'
run scripts/deploy --tag v1.2.0
t_eq "unreachable image: exit 1" 1 "$rc"
t_contains "unreachable image: clear message" "$out" 'deploy FAILED at step "preflight": image ghcr.io/acme/berth:v1.2.0 is not reachable'
t_eq "unreachable image: nothing after the failing call" "$(head -n 3 <<<"$PREFLIGHT")" "$calls"

export FAKE_DOCKER_FAIL='policy check'
run scripts/deploy --tag v1.2.0
t_contains "policy check fails: clear message" "$out" "berth policy check refuses the tenants directory"
t_eq "policy check fails: no backup, no pull, no migration" "$(head -n 5 <<<"$PREFLIGHT")" "$calls"

export FAKE_DOCKER_VOLUMES="" FAKE_DOCKER_FAIL=""
run scripts/deploy --tag v1.2.0
t_contains "missing database volume: explained" "$out" "the database volume berth-pgdata-1 does not exist"
export FAKE_DOCKER_VOLUMES="berth-pgdata-1"

echo "== deploy: failed backup"
export FAKE_DOCKER_FAIL='pgbackrest.* backup$'
run scripts/deploy --tag v1.2.0
t_eq "failed backup: exit 1" 1 "$rc"
t_contains "failed backup: clear message" "$out" 'deploy FAILED at step "backup": the pre-deploy backup failed'
t_eq "failed backup: nothing after it" "$PREFLIGHT
$(head -n 1 <<<"$BACKUP")" "$calls"

echo "== deploy: failed migration"
write_env
export FAKE_DOCKER_FAIL='run --rm -T migrate'
run scripts/deploy --tag v1.2.0
t_eq "failed migration: exit 1" 1 "$rc"
t_contains "failed migration: clear message" "$out" 'deploy FAILED at step "migrate": the migration failed; the running berth was not touched'
t_contains "failed migration: names the pre-deploy backup" "$out" "labelled pre-deploy-v1.2.0"
t_contains "failed migration: says nothing after it ran" "$out" 'Nothing after "migrate" was run.'
t_eq "failed migration: no recreate, no health wait" "$PREFLIGHT
$BACKUP
compose pull --quiet
compose run --rm -T migrate" "$calls"
t_eq "failed migration: the recorded tag is unchanged" "v1.1.0" "$(grep '^BERTH_TAG=' "$BERTH_ENV_FILE" | cut -d= -f2)"

echo "== deploy: unhealthy service"
write_env
export FAKE_DOCKER_FAIL="" FAKE_DOCKER_HEALTH="starting unhealthy"
run scripts/deploy --tag v1.2.0
t_eq "unhealthy: exit 1" 1 "$rc"
t_contains "unhealthy: clear message" "$out" 'deploy FAILED at step "health": berth did not become healthy'
t_contains "unhealthy: names the container" "$out" "container fake-berth-1 is unhealthy"
t_contains "unhealthy: shows berth's last log lines" "$out" "the last lines of berth's log"
t_contains "unhealthy: says how to roll back" "$out" "Roll back with: scripts/deploy --tag v1.1.0"
t_eq "unhealthy: stops at the unhealthy answer (logs, no readiness check)" "$PREFLIGHT
$BACKUP
compose pull --quiet
compose run --rm -T migrate
compose up -d --remove-orphans
compose ps -q berth
$HEALTH fake-berth-1
compose ps -q berth
$HEALTH fake-berth-1
compose logs --no-color --tail 40 berth" "$calls"

echo "== deploy: healthy but not ready, and a health timeout"
write_env
export FAKE_DOCKER_HEALTH="healthy" FAKE_DOCKER_FAIL='healthcheck --path /readyz'
run scripts/deploy --tag v1.2.0
t_eq "not ready: exit 1" 1 "$rc"
t_contains "not ready: clear message" "$out" "berth container fake-berth-1 is not ready"
write_env
export FAKE_DOCKER_HEALTH="starting" FAKE_DOCKER_FAIL=""
run scripts/deploy --tag v1.2.0 --timeout 3
t_eq "health timeout: exit 1" 1 "$rc"
t_contains "health timeout: clear message" "$out" "berth: not healthy after 3s"
t_eq "health timeout: polls a bounded number of times" 4 "$(grep -c '^inspect' <<<"$calls")"
unset FAKE_DOCKER_HEALTH

echo "== backup --compose"
write_env
run scripts/backup --compose --type full --label weekly
t_eq "backup: exit 0" 0 "$rc"
t_eq "backup: pgBackRest in the db service as postgres, then the summary" \
  "compose exec -T --user postgres db pgbackrest --stanza=berth --log-level-console=info --type=full --annotation=label=weekly backup
compose exec -T --user postgres db pgbackrest --stanza=berth --log-level-console=warn info" "$calls"
run scripts/backup --compose --type weekly
t_contains "backup: a bad type is refused" "$out" "--type must be full, diff or incr"

echo "== restore-drill --compose"
write_env
export FAKE_DOCKER_VOLUMES="berth-pgdata-1"
run scripts/restore-drill --compose berth-pgdata-2
t_eq "drill: exit 0" 0 "$rc"
migrations=$(find migrations/postgres -maxdepth 1 -name '[0-9]*_*.sql' | wc -l)
t_eq "drill: a new volume, then the drill from the db image; the live volume is never mounted" \
  "volume inspect berth-pgdata-2
volume create --label berth.restore-drill=$(sed -n 's/^volume create --label berth.restore-drill=\([^ ]*\) .*/\1/p' "$FAKE_DOCKER_LOG") berth-pgdata-2
run --rm --network berth_default -e PGPASSWORD -v berth-pgbackrest:/var/lib/pgbackrest -v $root/deploy/pgbackrest.conf:/etc/pgbackrest/pgbackrest.conf:ro -v berth-pgdata-2:/restore ghcr.io/acme/berth-postgres:15 /opt/berth/scripts/restore-drill --target /restore/pgdata --report /restore/berth-drill-report.txt --source host=db port=5432 user=postgres dbname=berth --expect-migration $migrations" "$calls"
t_lacks "drill: the password is not on a command line" "$calls" "superuser-secret"
t_eq "drill: the report is kept for scripts/switch" "result: PASS" "$(tail -n 1 "$BERTH_RESTORES_DIR/berth-pgdata-2.report")"
run scripts/restore-drill --compose berth-pgdata-1
t_contains "drill: the live volume is refused as a target" "$out" "berth-pgdata-1 is the live database volume"
t_eq "drill: ... before any docker call" "" "$calls"
export FAKE_DOCKER_VOLUMES="berth-pgdata-1 berth-pgdata-3"
run scripts/restore-drill --compose berth-pgdata-3
t_contains "drill: an existing volume is refused" "$out" "volume berth-pgdata-3 exists already"
export FAKE_DOCKER_VOLUMES="berth-pgdata-1" FAKE_DOCKER_DRILL="check  migrations  FAIL
result: FAIL"
run scripts/restore-drill --compose berth-pgdata-4
t_eq "drill: a failing drill exits 1" 1 "$rc"
unset FAKE_DOCKER_DRILL

echo "== switch"
write_env
export FAKE_DOCKER_VOLUMES="berth-pgdata-1 berth-pgdata-2 berth-pgdata-4 berth-pgdata-5"
run scripts/switch berth-pgdata-5 --confirm berth-pgdata-5
t_contains "switch: a volume without a drill report is refused" "$out" "no drill report for berth-pgdata-5"
t_eq "switch: ... before any docker call" "" "$calls"
run scripts/switch berth-pgdata-4 --confirm berth-pgdata-4
t_contains "switch: a failed drill cannot be promoted" "$out" "the drill of berth-pgdata-4 did not pass"
run scripts/switch berth-pgdata-2 <<<"berth-pgdata-3"
t_eq "switch: a wrong typed name aborts" 1 "$rc"
t_contains "switch: ... saying nothing changed" "$out" "not confirmed ('berth-pgdata-3' is not berth-pgdata-2); nothing was changed"
t_eq "switch: ... before stopping anything" "volume inspect berth-pgdata-2" "$calls"
run scripts/switch berth-pgdata-2 </dev/null
t_contains "switch: no answer aborts" "$out" "nothing was changed"
run scripts/switch berth-pgdata-2 --dry-run --confirm berth-pgdata-2
t_eq "switch: dry run changes nothing" "berth-pgdata-1" "$(grep '^BERTH_DB_VOLUME=' "$BERTH_ENV_FILE" | cut -d= -f2)"
t_eq "switch: dry run calls docker only to look" "volume inspect berth-pgdata-2" "$calls"
SWITCH_CALLS="volume inspect berth-pgdata-2
compose stop berth
compose stop db
compose up -d db
compose ps -q db
$HEALTH fake-db-1
compose up -d
compose ps -q berth
$HEALTH fake-berth-1
compose exec -T --user postgres db pgbackrest --stanza=berth --log-level-console=info --type=full --annotation=label=switch-berth-pgdata-2 backup
compose exec -T --user postgres db pgbackrest --stanza=berth --log-level-console=warn info"
run scripts/switch berth-pgdata-2 <<<"berth-pgdata-2"
t_eq "switch: typed confirmation switches" 0 "$rc"
t_eq "switch: stop, switch, start the database, then berth, each healthy, then a full backup" "$SWITCH_CALLS" "$calls"
t_eq "switch: the database volume is the restored one" "berth-pgdata-2" "$(grep '^BERTH_DB_VOLUME=' "$BERTH_ENV_FILE" | cut -d= -f2)"
t_eq "switch: the previous one is kept for rollback" "berth-pgdata-1" "$(grep '^BERTH_DB_VOLUME_PREVIOUS=' "$BERTH_ENV_FILE" | cut -d= -f2)"
t_eq "switch: a copy of the settings is kept" 1 "$(find "$work" -maxdepth 1 -name '.env.before-switch-*' | wc -l)"
t_eq "switch: the settings file changed by exactly those lines" \
  "-BERTH_DB_VOLUME=berth-pgdata-1
+BERTH_DB_VOLUME=berth-pgdata-2
+BERTH_DB_VOLUME_PREVIOUS=berth-pgdata-1" \
  "$(diff "$(find "$work" -maxdepth 1 -name '.env.before-switch-*')" "$BERTH_ENV_FILE" | grep '^[<>]' | sed 's/^< /-/; s/^> /+/')"
run scripts/switch berth-pgdata-2 --confirm berth-pgdata-2
t_contains "switch: the live volume cannot be switched to again" "$out" "berth-pgdata-2 is already the live database volume"
export FAKE_DOCKER_HEALTH="unhealthy"
run scripts/switch --rollback --confirm berth-pgdata-1
t_eq "rollback: an unhealthy database stops the switch" 1 "$rc"
t_contains "rollback: ... and says how to go back" "$out" "to go back: scripts/switch --rollback"
t_eq "rollback: ... berth is not started on it" "volume inspect berth-pgdata-1
compose stop berth
compose stop db
compose up -d db
compose ps -q db
$HEALTH fake-db-1" "$calls"
unset FAKE_DOCKER_HEALTH
write_env
printf 'BERTH_DB_VOLUME=berth-pgdata-2\nBERTH_DB_VOLUME_PREVIOUS=berth-pgdata-1\n' >>"$BERTH_ENV_FILE"
run scripts/switch --rollback --confirm berth-pgdata-1
t_eq "rollback: exit 0" 0 "$rc"
t_eq "rollback: back on the previous volume" "berth-pgdata-1" "$(grep '^BERTH_DB_VOLUME=' "$BERTH_ENV_FILE" | cut -d= -f2)"
t_eq "rollback: the one rolled back from is kept" "berth-pgdata-2" "$(grep '^BERTH_DB_VOLUME_PREVIOUS=' "$BERTH_ENV_FILE" | cut -d= -f2)"
t_eq "rollback: one assignment per setting" 1 "$(grep -c '^BERTH_DB_VOLUME=' "$BERTH_ENV_FILE")"

echo "== deployment files"
py=/usr/bin/python3
compose_checks=$("$py" - "$root/deploy/compose.yaml" <<'EOF' 2>&1
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
s = doc["services"]
problems = []
def need(cond, what):
    if not cond:
        problems.append(what)
need(set(s) == {"db", "migrate", "berth"}, "services are db, migrate, berth")
need("pg_isready" in " ".join(s["db"]["healthcheck"]["test"]), "db health check uses pg_isready")
need("archive_mode=on" in s["db"]["command"], "db archives WAL")
need(any("pgbackrest" in c and "archive-push" in c for c in s["db"]["command"]), "archive_command is pgBackRest")
need(s["migrate"]["command"] == ["migrate"] and s["migrate"]["restart"] == "no", "migrate is a one-shot berth migrate")
need(s["migrate"]["depends_on"]["db"]["condition"] == "service_healthy", "migrate waits for a healthy db")
need(s["berth"]["depends_on"]["db"]["condition"] == "service_healthy", "berth waits for a healthy db")
need(s["berth"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", "berth waits for the migration")
need(doc["volumes"]["pgdata"]["name"].startswith("${BERTH_DB_VOLUME"), "the database volume is named by BERTH_DB_VOLUME")
need(doc["volumes"]["pgdata"].get("external") is True, "the database volume is external")
need(any(v.endswith(":/var/lib/postgresql/data") and v.startswith("pgdata") for v in s["db"]["volumes"]), "db mounts pgdata")
need(any("/srv/berth/tenants:ro" in v for v in s["berth"]["volumes"]), "berth mounts the tenants read-only")
need(any("/srv/berth/policies:ro" in v for v in s["berth"]["volumes"]), "berth mounts the policies read-only")
print("\n".join(problems) if problems else "ok")
EOF
)
t_eq "compose.yaml parses and has the required shape" ok "$compose_checks"
undocumented=""
# shellcheck disable=SC2016 # the patterns match a literal ${ in compose.yaml
for var in $(grep -o '\${[A-Z_][A-Z0-9_]*' deploy/compose.yaml | tr -d '${' | sort -u); do
  grep -Eq "^#? ?$var=" deploy/.env.example || undocumented+=" $var"
done
t_eq "every variable of compose.yaml is documented in .env.example" "" "$undocumented"
for var in $(grep -oE '^#? ?[A-Z_][A-Z0-9_]*=' deploy/.env.example | tr -d '# =' | sort -u); do
  case $var in BERTH_TAG_PREVIOUS|BERTH_DB_VOLUME_PREVIOUS) continue ;; esac
  grep -q "\${$var" deploy/compose.yaml || undocumented+=" $var"
done
t_eq "every setting of .env.example is used by compose.yaml" "" "$undocumented"
write_env
# shellcheck disable=SC2016 # as above
required=$(grep -o '\${[A-Z_][A-Z0-9_]*:?' deploy/compose.yaml | tr -d '${:?' | sort -u)
for var in $required; do
  grep -q "^$var=" "$BERTH_ENV_FILE" || undocumented+=" $var"
done
t_eq "scripts/deploy's preflight checks every setting compose requires" "" "$undocumented"

dockerfile=$(cat Dockerfile)
t_eq "Dockerfile: multi-stage" yes "$([ "$(grep -c '^FROM ' Dockerfile)" -ge 2 ] && echo yes)"
# shellcheck disable=SC2016 # a literal ${DEBIAN_RELEASE} of the Dockerfile
t_contains "Dockerfile: slim runtime" "$dockerfile" 'FROM debian:${DEBIAN_RELEASE}-slim AS runtime'
t_contains "Dockerfile: runs as a non-root user" "$dockerfile" "USER berth"
t_contains "Dockerfile: tenants and policies are volumes" "$dockerfile" 'VOLUME ["/srv/berth/tenants", "/srv/berth/policies", "/srv/berth/data"]'
t_contains "Dockerfile: health check on /healthz" "$dockerfile" 'CMD ["berth", "healthcheck", "--path", "/healthz"]'
t_contains "Dockerfile: berth is the entrypoint (so \`migrate\` is a one-shot command)" "$dockerfile" 'ENTRYPOINT ["berth"]'
t_contains ".dockerignore keeps build output out of the context" "$(cat .dockerignore)" "target"
# shellcheck disable=SC2016 # literal ${...} of the Dockerfile
t_contains "Dockerfile: a Node stage builds the admin app" "$dockerfile" 'FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS web'
t_contains "Dockerfile: the web stage installs from the lock" "$dockerfile" "RUN npm ci --no-audit --no-fund"
t_contains "Dockerfile: the web stage builds" "$dockerfile" "RUN npm run build"
t_contains "Dockerfile: the runtime ships the build" "$dockerfile" "COPY --from=web /build/web/dist/ /usr/share/berth/web/"
t_contains "Dockerfile: berth serves it from there" "$dockerfile" "BERTH_WEB_DIR=/usr/share/berth/web"
t_eq "Dockerfile: the runtime image has no Node" "" "$(sed -n '/^FROM debian:/,$p' Dockerfile | grep -iE 'nodejs|npm' || true)"
ignored=$(grep -vE '^\s*(#|$)' .dockerignore)
t_contains ".dockerignore: no installed web packages in the context" "$ignored" "web/node_modules/"
t_contains ".dockerignore: no local web build in the context" "$ignored" "web/dist/"
t_eq ".dockerignore: the web sources stay in the context" "" "$(grep -xE '/?web/?\*?' <<<"$ignored" || true)"
workflows=$("$py" - <<'EOF' 2>&1
import yaml
ci = yaml.safe_load(open(".github/workflows/ci.yml"))
rel = yaml.safe_load(open(".github/workflows/release.yml"))
problems = []
steps = [s.get("run", "") for job in ci["jobs"].values() for s in job["steps"]]
if not any("bash .ci/run" in r for r in steps):
    problems.append("ci.yml runs bash .ci/run")
on = rel.get(True) or rel.get("on")
if on["push"]["tags"] != ["v*"]:
    problems.append("release.yml runs on v* tags")
text = open(".github/workflows/release.yml").read()
for needle in ["ghcr.io", "docker/build-push-action", "packages: write", "scripts/deploy --tag", "BERTH_WEB_DIR"]:
    if needle not in text:
        problems.append("release.yml mentions " + needle)
print("\n".join(problems) if problems else "ok")
EOF
)
t_eq "workflows parse: CI runs .ci/run, release pushes to GHCR on v* tags and deploys" ok "$workflows"

t_summary deploy
