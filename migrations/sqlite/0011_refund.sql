-- The refund due on a canceled reservation, as the tenant's policy computed it.
ALTER TABLE reservations ADD COLUMN refund TEXT;
