-- iCalendar: each unit's feed token (the feed is off while a unit has none) and
-- the busy periods imported from other calendars, per source. A block takes the
-- unit's whole inventory for [start_at, end_at); all-day events also keep their
-- dates (first_day up to end_day, i.e. check-in to check-out).
CREATE TABLE ical_feeds (
    tenant_id  BLOB    NOT NULL REFERENCES tenants (id),
    unit_id    BLOB    NOT NULL,
    token      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, unit_id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
) STRICT;

CREATE TABLE calendar_blocks (
    tenant_id   BLOB    NOT NULL REFERENCES tenants (id),
    id          BLOB    NOT NULL,
    unit_id     BLOB    NOT NULL,
    source      TEXT    NOT NULL,
    uid         TEXT    NOT NULL,
    start_at    INTEGER NOT NULL,
    end_at      INTEGER NOT NULL,
    first_day   TEXT,
    end_day     TEXT,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    CHECK (start_at < end_at),
    CHECK ((first_day IS NULL) = (end_day IS NULL))
) STRICT;
CREATE INDEX calendar_blocks_by_unit ON calendar_blocks (tenant_id, unit_id, start_at);
CREATE INDEX calendar_blocks_by_source ON calendar_blocks (tenant_id, unit_id, source);
