-- Users can be disabled (no sign-in, sessions refused) and signed out
-- everywhere: session tokens carry the epoch they were issued in, and a new
-- password or a sign-out everywhere moves the user's epoch on.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
