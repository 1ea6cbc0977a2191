-- The front desk's API (issue 18).
--
-- Staff blocks: staff take a unit out of service (maintenance, the owner's own
-- use) as a calendar block of the reserved source `@staff`, which no import or
-- sync can name (sources are letters, digits and `. _ - :`). Such a block keeps
-- why (reason, 1-500 characters, checked by the engine) and who made it (the
-- actor, and the name shown for them then). Imported blocks have none of these.
ALTER TABLE calendar_blocks ADD COLUMN reason TEXT;
ALTER TABLE calendar_blocks ADD COLUMN created_by TEXT;
ALTER TABLE calendar_blocks ADD COLUMN created_by_name TEXT
    CHECK ((source = '@staff') = (reason IS NOT NULL AND created_by IS NOT NULL));
-- The board and analytics read every block of a tenant overlapping a range:
-- keyed by the end, like reservations_by_end.
CREATE INDEX calendar_blocks_by_end ON calendar_blocks (tenant_id, end_at, start_at);

-- Booking anyway: the policy refusal an admin set aside for a reservation as it
-- stands (reason, violations, by whom, when), as JSON; NULL when it meets the
-- tenant's rules.
ALTER TABLE reservations ADD COLUMN policy_override TEXT;
