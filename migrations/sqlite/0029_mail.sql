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
    tenant_id       BLOB    NOT NULL REFERENCES tenants (id),
    id              BLOB    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('request_received', 'confirmed',
                        'period_changed', 'canceled', 'reminder', 'staff_new_request',
                        'staff_canceled', 'staff_no_show')),
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    recipient       TEXT,
    recipient_name  TEXT,
    client_id       BLOB,
    user_id         BLOB,
    reservation_id  BLOB    NOT NULL,
    event_id        BLOB,
    reservation     TEXT    NOT NULL,
    subject         TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    attempt_limit   INTEGER,
    next_attempt_at INTEGER,
    lease_id        BLOB,
    last_code       INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK ((client_id IS NULL) <> (user_id IS NULL))
) STRICT;
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
    tenant_id  BLOB    NOT NULL,
    message_id BLOB    NOT NULL,
    attempt    INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    smtp_code  INTEGER,
    error      TEXT,
    PRIMARY KEY (tenant_id, message_id, attempt),
    FOREIGN KEY (tenant_id, message_id) REFERENCES mail_messages (tenant_id, id)
        ON DELETE CASCADE
) STRICT;

-- The mail worker's position in each tenant's event stream: the events after
-- it have not been queued yet. A tenant's row is written on the worker's first
-- visit, at the end of its stream then. Only tenant ids and positions.
CREATE TABLE mail_tenants (
    tenant_id  BLOB    NOT NULL PRIMARY KEY REFERENCES tenants (id),
    cursor_seq INTEGER NOT NULL
) STRICT;

-- Staff opt in to e-mail per kind (off until they do).
ALTER TABLE notification_settings ADD COLUMN email_new_request INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notification_settings ADD COLUMN email_canceled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notification_settings ADD COLUMN email_no_show INTEGER NOT NULL DEFAULT 0;
