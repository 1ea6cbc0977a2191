-- Published policy versions (issue 23; docs/decisions/0162): a tenant's whole
-- policy directory — tenant.yaml, its *.rhai hooks and tests/*.yaml — as one
-- JSON object of path → text, numbered 1, 2, 3… per tenant. Append-only: a
-- row is never changed or deleted; the live version is the tenant's highest
-- number, and a rollback is a new row whose files are an older one's
-- (`restored_from`). `hash` is the SHA-256 of the files (core's
-- `policy_versions::content_hash`); `author` the audit actor who published.
-- `plan` keeps the summary of the plan the publication was checked against
-- (none until plans are kept).
CREATE TABLE policy_versions (
    tenant_id     BLOB    NOT NULL REFERENCES tenants (id),
    number        INTEGER NOT NULL CHECK (number >= 1),
    files         TEXT    NOT NULL,
    hash          TEXT    NOT NULL,
    author        TEXT    NOT NULL,
    published_at  INTEGER NOT NULL,
    restored_from INTEGER,
    plan          TEXT,
    PRIMARY KEY (tenant_id, number),
    CHECK (restored_from IS NULL OR restored_from < number)
) STRICT;
