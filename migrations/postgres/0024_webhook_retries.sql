-- A failed delivery retried by an admin (retryFailedWebhookDeliveries) gets
-- one more attempt: its attempts may go up to attempt_limit instead of the
-- usual bound (NULL: the usual bound, 8).
ALTER TABLE webhook_deliveries ADD COLUMN attempt_limit integer;
