-- Event positions that never skip: sequence numbers are handed out before commit
-- and can commit out of order, so each event also records its writing
-- transaction. Readers take only events of transactions older than every running
-- one (pg_snapshot_xmin), ordered by (txid, seq): nothing can later appear below
-- a position already read.
ALTER TABLE events ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_by_position ON events (tenant_id, txid, seq);
