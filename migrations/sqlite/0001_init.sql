-- berth schema for SQLite. Instants are INTEGER microseconds since the Unix epoch,
-- dates are TEXT 'YYYY-MM-DD', ids are 16-byte UUID BLOBs, JSON is TEXT.
-- Every tenant-owned table has (tenant_id, id) as its key, and references between
-- tenant-owned rows include tenant_id, so a row can never point into another tenant.

CREATE TABLE tenants (
    id          BLOB    PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    timezone    TEXT    NOT NULL,
    currency    TEXT    NOT NULL,
    locale      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE units (
    tenant_id   BLOB    NOT NULL REFERENCES tenants (id),
    id          BLOB    NOT NULL,
    name        TEXT    NOT NULL,
    kind        TEXT,
    inventory   INTEGER NOT NULL CHECK (inventory >= 1),
    max_guests  INTEGER NOT NULL CHECK (max_guests >= 1),
    description TEXT,
    amenities   TEXT    NOT NULL DEFAULT '[]',
    attributes  TEXT    NOT NULL DEFAULT '{}',
    archived    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE clients (
    tenant_id   BLOB    NOT NULL REFERENCES tenants (id),
    id          BLOB    NOT NULL,
    name        TEXT    NOT NULL,
    email       TEXT,
    phone       TEXT,
    notes       TEXT,
    blocked     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE reservations (
    tenant_id         BLOB    NOT NULL,
    id                BLOB    NOT NULL,
    unit_id           BLOB    NOT NULL,
    client_id         BLOB,
    state             TEXT    NOT NULL
        CHECK (state IN ('held', 'confirmed', 'checked_in', 'finished', 'canceled', 'absent')),
    start_at          INTEGER NOT NULL,
    end_at            INTEGER NOT NULL,
    occupied_start    INTEGER NOT NULL,
    occupied_end      INTEGER NOT NULL,
    check_in          TEXT,
    check_out         TEXT,
    quantity          INTEGER NOT NULL CHECK (quantity >= 1),
    guests            INTEGER NOT NULL CHECK (guests >= 1),
    price             TEXT,
    price_total_minor INTEGER,
    currency          TEXT,
    channel           TEXT    NOT NULL CHECK (channel IN ('admin', 'public', 'api')),
    idempotency_key   TEXT,
    notes             TEXT,
    hold_expires_at   INTEGER,
    version           INTEGER NOT NULL CHECK (version >= 1),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id),
    CHECK (start_at < end_at),
    CHECK (occupied_start <= start_at AND occupied_end >= end_at)
) STRICT;

CREATE UNIQUE INDEX reservations_idempotency_key
    ON reservations (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- The capacity check reads the active reservations of one unit overlapping a range.
CREATE INDEX reservations_active_by_unit
    ON reservations (tenant_id, unit_id, occupied_start)
    WHERE state IN ('held', 'confirmed', 'checked_in');
CREATE INDEX reservations_by_client ON reservations (tenant_id, client_id);

CREATE TABLE audit_log (
    id          BLOB    PRIMARY KEY,
    tenant_id   BLOB    NOT NULL REFERENCES tenants (id),
    actor       TEXT    NOT NULL,
    entity_type TEXT    NOT NULL,
    entity_id   BLOB    NOT NULL,
    action      TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    metadata    TEXT    NOT NULL
) STRICT;
CREATE INDEX audit_log_by_entity ON audit_log (tenant_id, entity_id, at);
CREATE INDEX audit_log_by_time ON audit_log (tenant_id, at);

-- The outbox. seq is the cursor; SQLite serializes writers, so seq order is commit order.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          BLOB    NOT NULL UNIQUE,
    tenant_id   BLOB    NOT NULL REFERENCES tenants (id),
    kind        TEXT    NOT NULL,
    entity_id   BLOB    NOT NULL,
    payload     TEXT    NOT NULL,
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX events_by_tenant ON events (tenant_id, seq);
