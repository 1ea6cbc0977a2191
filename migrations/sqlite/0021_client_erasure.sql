-- Client erasure: when a client's personal data was erased (its row keeps the
-- id only), and an index to find an entity's events (an erasure redacts them).
ALTER TABLE clients ADD COLUMN erased_at INTEGER;
CREATE INDEX events_by_entity ON events (tenant_id, entity_id);
