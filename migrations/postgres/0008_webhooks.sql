-- Webhooks: integrators' endpoints for the tenant's events, the queue of
-- deliveries fed from the outbox, and the log of every attempt.

-- The signing secret (`whsec_…`) is kept as is: every message is signed with it,
-- so it cannot be hashed. It is never copied into the audit log or an event.
-- (cursor_txid, cursor_seq) is the webhook's position in the tenant's event
-- stream (see events.txid): the events after it have not been queued for it yet.
CREATE TABLE webhooks (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    id          uuid        NOT NULL,
    url         text        NOT NULL,
    events      jsonb       NOT NULL,
    secret      text        NOT NULL,
    cursor_txid bigint      NOT NULL,
    cursor_seq  bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    deleted_at  timestamptz,
    PRIMARY KEY (tenant_id, id)
);

-- One event for one webhook. `next_attempt_at` is when a pending delivery is due;
-- a claim moves it to the end of the claim's lease and sets `lease_id`, which the
-- outcome must present. (webhook_id, event_id) is unique: each event is queued
-- once per webhook.
CREATE TABLE webhook_deliveries (
    tenant_id       uuid        NOT NULL,
    id              uuid        NOT NULL,
    webhook_id      uuid        NOT NULL,
    event_id        uuid        NOT NULL,
    event_kind      text        NOT NULL,
    event_txid      bigint      NOT NULL,
    event_seq       bigint      NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    lease_id        uuid,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, webhook_id, event_id),
    FOREIGN KEY (tenant_id, webhook_id) REFERENCES webhooks (tenant_id, id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (tenant_id, next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (tenant_id, webhook_id, id);

-- Every attempt: written when it is claimed, completed with its outcome.
CREATE TABLE webhook_attempts (
    tenant_id       uuid        NOT NULL,
    delivery_id     uuid        NOT NULL,
    number          integer     NOT NULL,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    response_status integer,
    error           text,
    PRIMARY KEY (tenant_id, delivery_id, number),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id)
);

-- Row-level security, as for every tenant-owned table (see 0005).
ALTER TABLE webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhooks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhooks
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_attempts
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

-- Which tenants a delivery worker visits: those with active webhooks. Like
-- `tenants`, it has no row-level security: the worker reads it before it knows a
-- tenant, and it holds only tenant ids, no tenant data. Everything else the
-- worker does runs in a transaction scoped to one of these tenants.
CREATE TABLE webhook_tenants (
    tenant_id uuid NOT NULL PRIMARY KEY REFERENCES tenants (id)
);
