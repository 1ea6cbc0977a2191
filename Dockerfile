# syntax=docker/dockerfile:1
# The berth image: a multi-stage build (dependencies compiled in their own layer
# with cargo-chef, so a source change rebuilds only berth's crates; the admin
# web app built by Node in a stage of its own) and a slim Debian runtime running
# as a non-root user, which needs no Node: it ships the built app beside the
# binary (/usr/share/berth/web, BERTH_WEB_DIR) and serves it at /admin/.
#
#   docker build -t berth .
#   docker run --rm berth migrate --database-url postgres://...    # one-shot migrator
#   docker run -p 8080:8080 -v "$PWD/tenants:/srv/berth/tenants:ro" berth serve
#
# Built and pushed by .github/workflows/release.yml; run by deploy/compose.yaml.
ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm
# The Node the web app is built and tested with (web/package.json's engines).
ARG NODE_VERSION=20.20.2

# The admin app (web/): npm ci from the lock, then the build (typecheck, Vite,
# and the build's own checks: no inline script, size budgets) into web/dist.
# The lock and manifest are copied first, so a source change reuses the
# installed packages.
FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS web
WORKDIR /build/web
COPY web/package.json web/package-lock.json web/.npmrc ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
# The SDL web/codegen.ts reads (the build itself compiles the committed,
# generated types; this keeps codegen usable in the stage).
COPY graphql/schema.graphql /build/graphql/schema.graphql
RUN npm run build

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /build

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /build/recipe.json recipe.json
RUN cargo chef cook --release --locked --recipe-path recipe.json -p berth
COPY . .
RUN cargo build --release --locked -p berth \
 && install -D -m 0755 target/release/berth /out/berth

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# ca-certificates for anything that trusts the system store; tzdata is not
# needed (chrono-tz carries the time zone database).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 berth \
 && useradd --system --uid 10001 --gid berth --home-dir /srv/berth --shell /usr/sbin/nologin berth \
 && install -d -o berth -g berth -m 0750 /srv/berth /srv/berth/data
COPY --from=builder /out/berth /usr/local/bin/berth
# The admin app and GraphiQL page, read-only, served from BERTH_WEB_DIR.
COPY --from=web /build/web/dist/ /usr/share/berth/web/
# The example tenants and the policy schemas; in production both are mounted
# over (deploy/compose.yaml mounts the operator's, read-only).
COPY --chown=berth:berth tenants/ /srv/berth/tenants/
COPY --chown=berth:berth policies/ /srv/berth/policies/
WORKDIR /srv/berth
ENV BERTH_LISTEN=0.0.0.0:8080 \
    BERTH_TENANTS_DIR=/srv/berth/tenants \
    BERTH_SECRET_FILE=/srv/berth/data/jwt-secret \
    BERTH_SECRETS_KEY_FILE=/srv/berth/data/secrets-key \
    BERTH_WEB_DIR=/usr/share/berth/web \
    BERTH_LOG_FORMAT=json \
    RUST_LOG=info
VOLUME ["/srv/berth/tenants", "/srv/berth/policies", "/srv/berth/data"]
USER berth
EXPOSE 8080
# The process answers; readiness (/readyz) is checked by scripts/deploy. The
# check reads BERTH_LISTEN, so it follows a changed port.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["berth", "healthcheck", "--path", "/healthz"]
ENTRYPOINT ["berth"]
CMD ["serve"]
