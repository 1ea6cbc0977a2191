-- Web push: users' registered devices, their notification settings, the queue of
-- notifications fed from the outbox, and the push worker's list of tenants.

-- One browser or device of a user: its push service endpoint and the
-- subscription's keys (RFC 8291: `p256dh`, the browser's P-256 public key, and
-- `auth`, its 16-byte secret; both unpadded base64url). The keys are needed to
-- encrypt every message, so they are stored as they are; they never enter the
-- audit log or an event. An endpoint is registered once per tenant (one
-- browser, one signed-in user). (since_txid, since_seq) is the position of the
-- registration's event: the device gets only events after it.
CREATE TABLE push_subscriptions (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    id         uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    endpoint   text        NOT NULL,
    p256dh     text        NOT NULL,
    auth       text        NOT NULL,
    since_txid bigint      NOT NULL,
    since_seq  bigint      NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, endpoint),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (tenant_id, user_id, updated_at);

-- Which notifications a user wants; no row means all of them.
CREATE TABLE notification_settings (
    tenant_id            uuid        NOT NULL,
    user_id              uuid        NOT NULL,
    reservation_created  boolean     NOT NULL,
    reservation_changed  boolean     NOT NULL,
    reservation_canceled boolean     NOT NULL,
    no_show              boolean     NOT NULL,
    lock_conflict        boolean     NOT NULL,
    updated_at           timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

-- One event for one device. `next_attempt_at` is when a pending delivery is due;
-- a claim moves it to the end of the claim's lease and sets `lease_id`, which the
-- outcome must present. (subscription_id, event_id) is unique: each event is
-- queued once per device. A removed device takes its deliveries with it.
CREATE TABLE push_deliveries (
    tenant_id       uuid        NOT NULL,
    id              uuid        NOT NULL,
    subscription_id uuid        NOT NULL,
    event_id        uuid        NOT NULL,
    kind            text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    lease_id        uuid,
    last_status     integer,
    last_error      text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, subscription_id, event_id),
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES push_subscriptions (tenant_id, id)
);
CREATE INDEX push_deliveries_due ON push_deliveries (tenant_id, next_attempt_at)
    WHERE status = 'pending';

-- Row-level security, as for every tenant-owned table (see 0005).
ALTER TABLE push_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE push_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON push_subscriptions
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE notification_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_settings
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE push_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE push_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON push_deliveries
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

-- Which tenants the push worker visits (those with registered devices), and
-- each one's position in its event stream (see events.txid): the events after
-- it have not been queued yet. Like `webhook_tenants`, it has no row-level
-- security: the worker reads it before it knows a tenant, and it holds only
-- tenant ids and stream positions, no tenant data. Everything else the worker
-- does runs in a transaction scoped to one of these tenants.
CREATE TABLE push_tenants (
    tenant_id   uuid   NOT NULL PRIMARY KEY REFERENCES tenants (id),
    cursor_txid bigint NOT NULL,
    cursor_seq  bigint NOT NULL
);
