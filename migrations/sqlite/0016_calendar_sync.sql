-- Calendar syncs: another calendar's URL fetched on a schedule and imported as
-- the blocks of one source of one unit (at most one sync per unit and source).
-- A worker claims a due sync by setting lease_until; the fetch's report clears it.
CREATE TABLE calendar_syncs (
    tenant_id        BLOB    NOT NULL REFERENCES tenants (id),
    id               BLOB    NOT NULL,
    unit_id          BLOB    NOT NULL,
    source           TEXT    NOT NULL,
    url              TEXT    NOT NULL,
    interval_minutes INTEGER NOT NULL CHECK (interval_minutes BETWEEN 15 AND 1440),
    created_at       INTEGER NOT NULL,
    next_fetch_at    INTEGER NOT NULL,
    lease_until      INTEGER,
    last_attempt_at  INTEGER,
    last_success_at  INTEGER,
    last_status      TEXT CHECK (last_status IN ('imported', 'not_modified', 'failed')),
    last_error       TEXT,
    failures         INTEGER NOT NULL DEFAULT 0,
    etag             TEXT,
    last_modified    TEXT,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, unit_id, source),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
) STRICT;
CREATE INDEX calendar_syncs_due ON calendar_syncs (tenant_id, next_fetch_at);
