-- When each tenant's next calendar sync may be due, so that the sync worker
-- visits only tenants with something to fetch instead of every tenant on every
-- pass. `due_at` is never later than the earliest due sync of the tenant (a
-- sync is due at max(next_fetch_at, lease_until)): adding, requesting and
-- finishing a sync move it earlier; a claim sets it to the exact earliest and
-- deletes it when the tenant has no sync left. Every tenant starts due (the
-- first pass finds what each really has).
CREATE TABLE calendar_sync_tenants (
    tenant_id BLOB    NOT NULL PRIMARY KEY REFERENCES tenants (id),
    due_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX calendar_sync_tenants_due ON calendar_sync_tenants (due_at);
INSERT INTO calendar_sync_tenants (tenant_id, due_at) SELECT id, 0 FROM tenants;
