-- The request an audit entry was written for (`x-request-id`; NULL for workers),
-- and an index that serves the audit log's newest-first keyset pages.
ALTER TABLE audit_log ADD COLUMN request_id TEXT;
DROP INDEX audit_log_by_time;
CREATE INDEX audit_log_by_time ON audit_log (tenant_id, at DESC, id DESC);
CREATE INDEX audit_log_by_actor ON audit_log (tenant_id, actor, at DESC, id DESC);
