-- Event retention: how far each tenant's old events were deleted (a resume
-- from before that position is refused), and an index to find old events.
-- Tenant-owned, so row-level security guards it like every other table.
CREATE TABLE event_retention (
    tenant_id   uuid   NOT NULL PRIMARY KEY REFERENCES tenants (id),
    pruned_txid bigint NOT NULL,
    pruned_seq  bigint NOT NULL
);
CREATE INDEX events_by_age ON events (tenant_id, at);

ALTER TABLE event_retention ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_retention FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_retention
    USING (tenant_id = berth_tenant_id())
    WITH CHECK (tenant_id = berth_tenant_id());
