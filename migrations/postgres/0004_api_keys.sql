-- API keys of integrators: only the SHA-256 of the secret is kept.
CREATE TABLE api_keys (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    id          uuid        NOT NULL,
    name        text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('owner', 'admin', 'staff', 'viewer')),
    secret_hash text        NOT NULL,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    PRIMARY KEY (tenant_id, id)
);
