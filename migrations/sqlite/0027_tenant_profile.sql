-- Tenant profiles (issue 20; docs/decisions/0080-0084): the `profile:` block of
-- tenant.yaml as stored each time the tenant's policy goes live, one JSON
-- document per tenant (core's `TenantProfile`), replaced as a whole.
CREATE TABLE tenant_profiles (
    tenant_id  BLOB    NOT NULL PRIMARY KEY REFERENCES tenants (id),
    profile    TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
