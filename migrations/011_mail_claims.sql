-- The mail sender claims messages for a while and commits before it talks to the SMTP server, so
-- no database transaction stays open during a slow send, and a crash re-sends at most the
-- message that was in flight (once the claim runs out).
ALTER TABLE mail_outbox ADD COLUMN claimed_until timestamptz;
