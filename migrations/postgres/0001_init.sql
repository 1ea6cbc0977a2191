-- berth schema for PostgreSQL. Every tenant-owned table has (tenant_id, id) as its
-- key, and references between tenant-owned rows include tenant_id, so a row can
-- never point into another tenant.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE tenants (
    id          uuid        PRIMARY KEY,
    slug        text        NOT NULL UNIQUE,
    name        text        NOT NULL,
    timezone    text        NOT NULL,
    currency    text        NOT NULL,
    locale      text        NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE units (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    id          uuid        NOT NULL,
    name        text        NOT NULL,
    kind        text,
    inventory   bigint      NOT NULL CHECK (inventory >= 1),
    max_guests  bigint      NOT NULL CHECK (max_guests >= 1),
    description text,
    amenities   jsonb       NOT NULL DEFAULT '[]',
    attributes  jsonb       NOT NULL DEFAULT '{}',
    archived    boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE clients (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    id          uuid        NOT NULL,
    name        text        NOT NULL,
    email       text,
    phone       text,
    notes       text,
    blocked     boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE reservations (
    tenant_id         uuid        NOT NULL,
    id                uuid        NOT NULL,
    unit_id           uuid        NOT NULL,
    client_id         uuid,
    state             text        NOT NULL
        CHECK (state IN ('held', 'confirmed', 'checked_in', 'finished', 'canceled', 'absent')),
    start_at          timestamptz NOT NULL,
    end_at            timestamptz NOT NULL,
    occupied_start    timestamptz NOT NULL,
    occupied_end      timestamptz NOT NULL,
    check_in          date,
    check_out         date,
    quantity          bigint      NOT NULL CHECK (quantity >= 1),
    guests            bigint      NOT NULL CHECK (guests >= 1),
    price             jsonb,
    price_total_minor bigint,
    currency          text,
    channel           text        NOT NULL CHECK (channel IN ('admin', 'public', 'api')),
    idempotency_key   text,
    notes             text,
    hold_expires_at   timestamptz,
    version           bigint      NOT NULL CHECK (version >= 1),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    -- True when the unit had inventory 1 at booking time: such reservations may
    -- never overlap, which the exclusion constraint below enforces independently
    -- of the engine's capacity check.
    exclusive         boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id),
    CHECK (start_at < end_at),
    CHECK (occupied_start <= start_at AND occupied_end >= end_at),
    CONSTRAINT reservations_exclusive_no_overlap EXCLUDE USING gist (
        tenant_id WITH =,
        unit_id WITH =,
        tstzrange(occupied_start, occupied_end, '[)') WITH &&
    ) WHERE (exclusive AND state IN ('held', 'confirmed', 'checked_in'))
);

CREATE UNIQUE INDEX reservations_idempotency_key
    ON reservations (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX reservations_active_by_unit
    ON reservations (tenant_id, unit_id, occupied_start)
    WHERE state IN ('held', 'confirmed', 'checked_in');
CREATE INDEX reservations_by_client ON reservations (tenant_id, client_id);

CREATE TABLE audit_log (
    id          uuid        PRIMARY KEY,
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    actor       text        NOT NULL,
    entity_type text        NOT NULL,
    entity_id   uuid        NOT NULL,
    action      text        NOT NULL,
    at          timestamptz NOT NULL,
    metadata    jsonb       NOT NULL
);
CREATE INDEX audit_log_by_entity ON audit_log (tenant_id, entity_id, at);
CREATE INDEX audit_log_by_time ON audit_log (tenant_id, at);

-- The outbox. seq values are handed out before commit, so concurrent transactions
-- can commit them out of order; readers of the stream must allow for that.
CREATE TABLE events (
    seq         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          uuid        NOT NULL UNIQUE,
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    kind        text        NOT NULL,
    entity_id   uuid        NOT NULL,
    payload     jsonb       NOT NULL,
    at          timestamptz NOT NULL
);
CREATE INDEX events_by_tenant ON events (tenant_id, seq);
