-- Users of a tenant: administrators and staff who sign in to the admin API.
CREATE TABLE users (
    tenant_id     BLOB    NOT NULL REFERENCES tenants (id),
    id            BLOB    NOT NULL,
    email         TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'staff', 'viewer')),
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
) STRICT;
