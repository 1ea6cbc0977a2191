-- iCalendar: each unit's feed token (the feed is off while a unit has none) and
-- the busy periods imported from other calendars, per source. A block takes the
-- unit's whole inventory for [start_at, end_at); all-day events also keep their
-- dates (first_day up to end_day, i.e. check-in to check-out). Both tables are
-- tenant-owned, so row-level security guards them like every other.
CREATE TABLE ical_feeds (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    unit_id    uuid        NOT NULL,
    token      text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, unit_id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);

CREATE TABLE calendar_blocks (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    id          uuid        NOT NULL,
    unit_id     uuid        NOT NULL,
    source      text        NOT NULL,
    uid         text        NOT NULL,
    start_at    timestamptz NOT NULL,
    end_at      timestamptz NOT NULL,
    first_day   date,
    end_day     date,
    imported_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    CHECK (start_at < end_at),
    CHECK ((first_day IS NULL) = (end_day IS NULL))
);
CREATE INDEX calendar_blocks_by_unit ON calendar_blocks (tenant_id, unit_id, start_at);
CREATE INDEX calendar_blocks_by_source ON calendar_blocks (tenant_id, unit_id, source);

ALTER TABLE ical_feeds ENABLE ROW LEVEL SECURITY;
ALTER TABLE ical_feeds FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ical_feeds
    USING (tenant_id = berth_tenant_id())
    WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE calendar_blocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_blocks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON calendar_blocks
    USING (tenant_id = berth_tenant_id())
    WITH CHECK (tenant_id = berth_tenant_id());
