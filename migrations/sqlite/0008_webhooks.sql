-- Webhooks: integrators' endpoints for the tenant's events, the queue of
-- deliveries fed from the outbox, and the log of every attempt.

-- The signing secret (`whsec_…`) is kept as is: every message is signed with it,
-- so it cannot be hashed. It is never copied into the audit log or an event.
-- cursor_seq is the webhook's position in the tenant's event stream: the events
-- after it have not been queued for it yet.
CREATE TABLE webhooks (
    tenant_id   BLOB    NOT NULL REFERENCES tenants (id),
    id          BLOB    NOT NULL,
    url         TEXT    NOT NULL,
    events      TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    cursor_seq  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    deleted_at  INTEGER,
    PRIMARY KEY (tenant_id, id)
) STRICT;

-- One event for one webhook. `next_attempt_at` is when a pending delivery is due;
-- a claim moves it to the end of the claim's lease and sets `lease_id`, which the
-- outcome must present. (webhook_id, event_id) is unique: each event is queued
-- once per webhook.
CREATE TABLE webhook_deliveries (
    tenant_id       BLOB    NOT NULL,
    id              BLOB    NOT NULL,
    webhook_id      BLOB    NOT NULL,
    event_id        BLOB    NOT NULL,
    event_kind      TEXT    NOT NULL,
    event_seq       INTEGER NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    lease_id        BLOB,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, webhook_id, event_id),
    FOREIGN KEY (tenant_id, webhook_id) REFERENCES webhooks (tenant_id, id)
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (tenant_id, next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (tenant_id, webhook_id, id);

-- Every attempt: written when it is claimed, completed with its outcome.
CREATE TABLE webhook_attempts (
    tenant_id       BLOB    NOT NULL,
    delivery_id     BLOB    NOT NULL,
    number          INTEGER NOT NULL,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    response_status INTEGER,
    error           TEXT,
    PRIMARY KEY (tenant_id, delivery_id, number),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id)
) STRICT;

-- Which tenants a delivery worker visits: those with active webhooks. Only
-- tenant ids, no tenant data.
CREATE TABLE webhook_tenants (
    tenant_id BLOB NOT NULL PRIMARY KEY REFERENCES tenants (id)
) STRICT;
