-- Failed sign-ins per account, shared by every instance: the account is a
-- SHA-256 digest (hex) of the tenant slug and the e-mail address as typed, so
-- no address is stored. Rows older than the throttle's window are deleted with
-- every new failure. No tenant owns a row (the slug typed may name none).
CREATE TABLE login_failures (
    account   text        NOT NULL,
    failed_at timestamptz NOT NULL
);
CREATE INDEX login_failures_by_account ON login_failures (account, failed_at);
CREATE INDEX login_failures_by_age ON login_failures (failed_at);
