-- What each unit offered over time: a row when a unit is created and whenever
-- its inventory or archived flag changes, so analytics reads past dates with
-- the units as they stood then. Existing units start with one row at their
-- creation, as they are now (an already archived unit counts as archived since
-- its creation: when it was archived is not known). Tenant-owned, so row-level
-- security guards it like every other table.
CREATE TABLE unit_versions (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    unit_id    uuid        NOT NULL,
    valid_from timestamptz NOT NULL,
    inventory  bigint      NOT NULL CHECK (inventory >= 1),
    archived   boolean     NOT NULL,
    PRIMARY KEY (tenant_id, unit_id, valid_from),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);
INSERT INTO unit_versions (tenant_id, unit_id, valid_from, inventory, archived)
    SELECT tenant_id, id, created_at, inventory, archived FROM units;

ALTER TABLE unit_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE unit_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON unit_versions
    USING (tenant_id = berth_tenant_id())
    WITH CHECK (tenant_id = berth_tenant_id());
