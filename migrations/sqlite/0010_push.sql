-- Web push: users' registered devices, their notification settings, the queue of
-- notifications fed from the outbox, and the push worker's list of tenants.

-- One browser or device of a user: its push service endpoint and the
-- subscription's keys (RFC 8291: `p256dh`, the browser's P-256 public key, and
-- `auth`, its 16-byte secret; both unpadded base64url). The keys are needed to
-- encrypt every message, so they are stored as they are; they never enter the
-- audit log or an event. An endpoint is registered once per tenant (one
-- browser, one signed-in user). since_seq is the position of the
-- registration's event: the device gets only events after it.
CREATE TABLE push_subscriptions (
    tenant_id  BLOB    NOT NULL REFERENCES tenants (id),
    id         BLOB    NOT NULL,
    user_id    BLOB    NOT NULL,
    endpoint   TEXT    NOT NULL,
    p256dh     TEXT    NOT NULL,
    auth       TEXT    NOT NULL,
    since_seq  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, endpoint),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
) STRICT;
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (tenant_id, user_id, updated_at);

-- Which notifications a user wants; no row means all of them.
CREATE TABLE notification_settings (
    tenant_id            BLOB    NOT NULL,
    user_id              BLOB    NOT NULL,
    reservation_created  INTEGER NOT NULL,
    reservation_changed  INTEGER NOT NULL,
    reservation_canceled INTEGER NOT NULL,
    no_show              INTEGER NOT NULL,
    lock_conflict        INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
) STRICT;

-- One event for one device. `next_attempt_at` is when a pending delivery is due;
-- a claim moves it to the end of the claim's lease and sets `lease_id`, which the
-- outcome must present. (subscription_id, event_id) is unique: each event is
-- queued once per device. A removed device takes its deliveries with it.
CREATE TABLE push_deliveries (
    tenant_id       BLOB    NOT NULL,
    id              BLOB    NOT NULL,
    subscription_id BLOB    NOT NULL,
    event_id        BLOB    NOT NULL,
    kind            TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    lease_id        BLOB,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, subscription_id, event_id),
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES push_subscriptions (tenant_id, id)
) STRICT;
CREATE INDEX push_deliveries_due ON push_deliveries (tenant_id, next_attempt_at)
    WHERE status = 'pending';

-- Which tenants the push worker visits (those with registered devices), and
-- each one's position in its event stream: the events after it have not been
-- queued yet. Only tenant ids and positions, no tenant data.
CREATE TABLE push_tenants (
    tenant_id  BLOB    NOT NULL PRIMARY KEY REFERENCES tenants (id),
    cursor_seq INTEGER NOT NULL
) STRICT;
