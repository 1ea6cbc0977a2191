-- On PostgreSQL, migration 0017's backfill of unit versions selected no rows
-- (row-level security); its 0022 gives every unit without a version one. Here
-- 0017 worked, so this changes nothing; it keeps the two histories aligned and
-- is idempotent.
INSERT INTO unit_versions (tenant_id, unit_id, valid_from, inventory, archived)
    SELECT u.tenant_id, u.id, u.created_at, u.inventory, u.archived
    FROM units u
    WHERE NOT EXISTS (SELECT 1 FROM unit_versions v
                      WHERE v.tenant_id = u.tenant_id AND v.unit_id = u.id);
