-- Event retention: how far each tenant's old events were deleted (a resume
-- from before that position is refused), and an index to find old events.
CREATE TABLE event_retention (
    tenant_id   BLOB    NOT NULL PRIMARY KEY REFERENCES tenants (id),
    pruned_txid INTEGER NOT NULL,
    pruned_seq  INTEGER NOT NULL
) STRICT;
CREATE INDEX events_by_age ON events (tenant_id, at);
