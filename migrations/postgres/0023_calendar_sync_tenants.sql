-- When each tenant's next calendar sync may be due, so that the sync worker
-- visits only tenants with something to fetch instead of every tenant on every
-- pass. `due_at` is never later than the earliest due sync of the tenant (a
-- sync is due at max(next_fetch_at, lease_until)): adding, requesting and
-- finishing a sync move it earlier (LEAST); a claim, holding the row's lock,
-- sets it to the exact earliest and deletes it when the tenant has no sync
-- left. Like `webhook_tenants`, no row-level security: the worker reads it
-- before it knows a tenant, and it holds tenant ids and instants only.
--
-- Every tenant starts due (the first pass finds what each really has and sets
-- or drops its row): `tenants` has no row-level security, so unlike
-- `calendar_syncs` it can be read while migrating.
CREATE TABLE calendar_sync_tenants (
    tenant_id uuid        NOT NULL PRIMARY KEY REFERENCES tenants (id),
    due_at    timestamptz NOT NULL
);
CREATE INDEX calendar_sync_tenants_due ON calendar_sync_tenants (due_at);
INSERT INTO calendar_sync_tenants (tenant_id, due_at) SELECT id, 'epoch' FROM tenants;
