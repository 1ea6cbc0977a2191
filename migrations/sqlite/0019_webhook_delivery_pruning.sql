-- Delivered and failed webhook deliveries are pruned after 30 days (with their
-- attempts), oldest first: this index finds them without scanning the pending
-- ones or the whole log.
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (tenant_id, updated_at)
    WHERE status <> 'pending';
