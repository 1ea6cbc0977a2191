-- Calendar syncs: another calendar's URL fetched on a schedule and imported as
-- the blocks of one source of one unit (at most one sync per unit and source).
-- A worker claims a due sync by setting lease_until; the fetch's report clears
-- it. Tenant-owned, so row-level security guards it like every other table.
CREATE TABLE calendar_syncs (
    tenant_id        uuid        NOT NULL REFERENCES tenants (id),
    id               uuid        NOT NULL,
    unit_id          uuid        NOT NULL,
    source           text        NOT NULL,
    url              text        NOT NULL,
    interval_minutes integer     NOT NULL CHECK (interval_minutes BETWEEN 15 AND 1440),
    created_at       timestamptz NOT NULL,
    next_fetch_at    timestamptz NOT NULL,
    lease_until      timestamptz,
    last_attempt_at  timestamptz,
    last_success_at  timestamptz,
    last_status      text CHECK (last_status IN ('imported', 'not_modified', 'failed')),
    last_error       text,
    failures         integer     NOT NULL DEFAULT 0,
    etag             text,
    last_modified    text,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, unit_id, source),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);
CREATE INDEX calendar_syncs_due ON calendar_syncs (tenant_id, next_fetch_at);

ALTER TABLE calendar_syncs ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_syncs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON calendar_syncs
    USING (tenant_id = berth_tenant_id())
    WITH CHECK (tenant_id = berth_tenant_id());
