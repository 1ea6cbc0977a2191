-- Migration 0017 started every existing unit's history with an
-- `INSERT … SELECT … FROM units`, which row-level security (forced on the
-- owner too, and no tenant named while migrating) turned into a select of no
-- rows: on PostgreSQL, units from before 0017 got no version, and analytics
-- counted them as never offered. This gives every unit without a version the
-- one 0017 meant to (at its creation, as it is now), tenant by tenant, each
-- under its own `berth.tenant_id` as the policies require. Idempotent.
DO $$
DECLARE
    t uuid;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('berth.tenant_id', t::text, true);
        INSERT INTO unit_versions (tenant_id, unit_id, valid_from, inventory, archived)
            SELECT u.tenant_id, u.id, u.created_at, u.inventory, u.archived
            FROM units u
            WHERE u.tenant_id = t
              AND NOT EXISTS (SELECT 1 FROM unit_versions v
                              WHERE v.tenant_id = u.tenant_id AND v.unit_id = u.id);
    END LOOP;
    PERFORM set_config('berth.tenant_id', '', true);
END
$$;
