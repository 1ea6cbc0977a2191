-- Row-level security: the second tenancy wall. The first is that every query of the
-- store filters by tenant_id; this one holds even when a query forgets to. Every
-- tenant-owned table lets a session see and write only the rows of the tenant named
-- by the setting `berth.tenant_id`, which the store sets as the first statement of
-- each transaction with set_config(..., true): transaction-local, so a pooled
-- connection never carries one tenant's setting into its next use.
--
-- An unset setting (NULL) and an empty one (what current_setting returns after a
-- transaction-local value has ended) both match no row: the policy compares with
-- NULL, which is never true. A session that names no tenant sees nothing.
--
-- FORCE applies the policies to the tables' owner too: the application normally
-- connects as the role that ran these migrations, and owners are otherwise exempt.
-- Superusers and roles with BYPASSRLS are exempt regardless: production must connect
-- as a role that is neither (the tests connect as such a role, `berth_app`, owner of
-- their database; see core/src/testing.rs). Referential-integrity checks and unique
-- and exclusion constraints are not filtered by these policies.
--
-- `tenants` stays without row-level security: it is the public directory, read by
-- slug for the public queries and at login, before any tenant is known.

CREATE FUNCTION berth_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('berth.tenant_id', true), '')::uuid $$;

COMMENT ON FUNCTION berth_tenant_id() IS
    'The tenant of the current transaction (setting berth.tenant_id), NULL when unset or empty.';

ALTER TABLE units ENABLE ROW LEVEL SECURITY;
ALTER TABLE units FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON units
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE clients FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON clients
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE reservations ENABLE ROW LEVEL SECURITY;
ALTER TABLE reservations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON reservations
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());
