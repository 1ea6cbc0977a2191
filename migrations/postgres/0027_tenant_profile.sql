-- Tenant profiles (issue 20; docs/decisions/0080-0084): the `profile:` block of
-- tenant.yaml as stored each time the tenant's policy goes live, one JSON
-- document per tenant (core's `TenantProfile`), replaced as a whole. Tenant
-- data, so under row-level security like every tenant-owned table.
CREATE TABLE tenant_profiles (
    tenant_id  uuid        NOT NULL PRIMARY KEY REFERENCES tenants (id),
    profile    jsonb       NOT NULL,
    updated_at timestamptz NOT NULL
);

ALTER TABLE tenant_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_profiles
    USING (tenant_id = berth_tenant_id())
    WITH CHECK (tenant_id = berth_tenant_id());
