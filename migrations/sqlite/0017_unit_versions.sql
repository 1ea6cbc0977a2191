-- What each unit offered over time: a row when a unit is created and whenever
-- its inventory or archived flag changes, so analytics reads past dates with
-- the units as they stood then. Existing units start with one row at their
-- creation, as they are now (an already archived unit counts as archived since
-- its creation: when it was archived is not known).
CREATE TABLE unit_versions (
    tenant_id  BLOB    NOT NULL REFERENCES tenants (id),
    unit_id    BLOB    NOT NULL,
    valid_from INTEGER NOT NULL,
    inventory  INTEGER NOT NULL CHECK (inventory >= 1),
    archived   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, unit_id, valid_from),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
) STRICT;
INSERT INTO unit_versions (tenant_id, unit_id, valid_from, inventory, archived)
    SELECT tenant_id, id, created_at, inventory, archived FROM units;
