-- Locks: leases on a unit's period (range_* NULL: the whole unit) or on a
-- reservation, held by a session until expires_at.
CREATE TABLE locks (
    tenant_id      BLOB    NOT NULL REFERENCES tenants (id),
    id             BLOB    NOT NULL,
    unit_id        BLOB    NOT NULL,
    range_start    INTEGER,
    range_end      INTEGER,
    reservation_id BLOB,
    holder_actor   TEXT    NOT NULL,
    holder_name    TEXT    NOT NULL,
    session_id     TEXT    NOT NULL,
    acquired_at    INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    CHECK ((range_start IS NULL) = (range_end IS NULL))
) STRICT;
CREATE INDEX locks_by_unit ON locks (tenant_id, unit_id, expires_at);
CREATE INDEX locks_by_session ON locks (tenant_id, session_id);
