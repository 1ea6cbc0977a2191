-- Transactional e-mail (issue 21; docs/decisions/0116-0121): the messages
-- queued from the outbox for guests and opted-in staff, their attempts, the
-- mail worker's position in each tenant's event stream, and staff's e-mail
-- opt-ins.

-- One message to one recipient. A guest message names its client, a staff
-- message its user; `recipient` (the address) and `recipient_name` are what
-- erasing the client blanks. `reservation` is the reservation as the event
-- left it (the event's payload: no name or address, only the client's id),
-- what the message tells; a reminder's is moved with its stay. `event_id` is
-- the event it was queued for (none for a reminder): an event is queued once
-- per recipient. A claim moves `next_attempt_at` to the end of its lease and
-- sets `lease_id`, which the outcome must present; a reminder is pending with
-- its day as `next_attempt_at`. `attempt_limit`, when set (a resend), is the
-- attempt after which the message fails instead of the usual eight.
CREATE TABLE mail_messages (
    tenant_id       uuid        NOT NULL REFERENCES tenants (id),
    id              uuid        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('request_received', 'confirmed',
                        'period_changed', 'canceled', 'reminder', 'staff_new_request',
                        'staff_canceled', 'staff_no_show')),
    status          text        NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    recipient       text,
    recipient_name  text,
    client_id       uuid,
    user_id         uuid,
    reservation_id  uuid        NOT NULL,
    event_id        uuid,
    reservation     jsonb       NOT NULL,
    subject         text,
    attempts        bigint      NOT NULL DEFAULT 0,
    attempt_limit   bigint,
    next_attempt_at timestamptz,
    lease_id        uuid,
    last_code       bigint,
    last_error      text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK ((client_id IS NULL) <> (user_id IS NULL))
);
-- Each event once per recipient.
CREATE UNIQUE INDEX mail_messages_once ON mail_messages
    (tenant_id, event_id, coalesce(user_id, client_id)) WHERE event_id IS NOT NULL;
-- At most one pending reminder per reservation.
CREATE UNIQUE INDEX mail_messages_one_reminder ON mail_messages (tenant_id, reservation_id)
    WHERE kind = 'reminder' AND status = 'pending';
CREATE INDEX mail_messages_due ON mail_messages (tenant_id, next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX mail_messages_by_status ON mail_messages (tenant_id, status, id);
CREATE INDEX mail_messages_by_reservation ON mail_messages (tenant_id, reservation_id, id);
CREATE INDEX mail_messages_by_client ON mail_messages (tenant_id, client_id)
    WHERE client_id IS NOT NULL;
CREATE INDEX mail_messages_finished ON mail_messages (tenant_id, updated_at)
    WHERE status <> 'pending';

-- Every attempt to send a message, logged when its outcome is reported; it
-- goes with its message.
CREATE TABLE mail_attempts (
    tenant_id  uuid        NOT NULL,
    message_id uuid        NOT NULL,
    attempt    bigint      NOT NULL,
    at         timestamptz NOT NULL,
    smtp_code  bigint,
    error      text,
    PRIMARY KEY (tenant_id, message_id, attempt),
    FOREIGN KEY (tenant_id, message_id) REFERENCES mail_messages (tenant_id, id)
        ON DELETE CASCADE
);

-- Row-level security, as for every tenant-owned table (see 0005).
ALTER TABLE mail_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mail_messages
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

ALTER TABLE mail_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mail_attempts
    USING (tenant_id = berth_tenant_id()) WITH CHECK (tenant_id = berth_tenant_id());

-- The mail worker's position in each tenant's event stream (see events.txid):
-- the events after it have not been queued yet. A tenant's row is written on
-- the worker's first visit, at the end of its stream then. Like `push_tenants`,
-- no row-level security: the worker lists tenants before it knows one, and the
-- table holds only tenant ids and stream positions, no tenant data; an enqueue
-- pass locks its tenant's row inside a transaction scoped to that tenant.
CREATE TABLE mail_tenants (
    tenant_id   uuid   NOT NULL PRIMARY KEY REFERENCES tenants (id),
    cursor_txid bigint NOT NULL,
    cursor_seq  bigint NOT NULL
);

-- Staff opt in to e-mail per kind (off until they do).
ALTER TABLE notification_settings ADD COLUMN email_new_request boolean NOT NULL DEFAULT false;
ALTER TABLE notification_settings ADD COLUMN email_canceled boolean NOT NULL DEFAULT false;
ALTER TABLE notification_settings ADD COLUMN email_no_show boolean NOT NULL DEFAULT false;
