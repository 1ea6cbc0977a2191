-- Published policy versions (issue 23; docs/decisions/0162): a tenant's whole
-- policy directory — tenant.yaml, its *.rhai hooks and tests/*.yaml — as one
-- JSON object of path → text, numbered 1, 2, 3… per tenant. Append-only: a
-- row is never changed or deleted; the live version is the tenant's highest
-- number, and a rollback is a new row whose files are an older one's
-- (`restored_from`). `hash` is the SHA-256 of the files (core's
-- `policy_versions::content_hash`); `author` the audit actor who published.
-- `plan` keeps the summary of the plan the publication was checked against
-- (none until plans are kept). Tenant data, so under row-level security.
CREATE TABLE policy_versions (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id),
    number        bigint      NOT NULL CHECK (number >= 1),
    files         jsonb       NOT NULL,
    hash          text        NOT NULL,
    author        text        NOT NULL,
    published_at  timestamptz NOT NULL,
    restored_from bigint,
    plan          jsonb,
    PRIMARY KEY (tenant_id, number),
    CHECK (restored_from IS NULL OR restored_from < number)
);

ALTER TABLE policy_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE policy_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON policy_versions
    USING (tenant_id = berth_tenant_id())
    WITH CHECK (tenant_id = berth_tenant_id());
