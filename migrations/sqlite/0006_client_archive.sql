-- Archived clients are hidden from lists and cannot be booked for; their history stays.
ALTER TABLE clients ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
