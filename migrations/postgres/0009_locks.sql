-- Locks: leases on a unit's period (range_* NULL: the whole unit) or on a
-- reservation, held by a session until expires_at. Tenant-owned, so guarded by
-- row-level security like every other tenant table.
CREATE TABLE locks (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    id             uuid        NOT NULL,
    unit_id        uuid        NOT NULL,
    range_start    timestamptz,
    range_end      timestamptz,
    reservation_id uuid,
    holder_actor   text        NOT NULL,
    holder_name    text        NOT NULL,
    session_id     text        NOT NULL,
    acquired_at    timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    CHECK ((range_start IS NULL) = (range_end IS NULL))
);
CREATE INDEX locks_by_unit ON locks (tenant_id, unit_id, expires_at);
CREATE INDEX locks_by_session ON locks (tenant_id, session_id);

ALTER TABLE locks ENABLE ROW LEVEL SECURITY;
ALTER TABLE locks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON locks
    USING (tenant_id = berth_tenant_id())
    WITH CHECK (tenant_id = berth_tenant_id());
