-- A session moved after its invitations went out is sent again with a higher calendar sequence,
-- so members' calendars replace the event rather than add a second one.
ALTER TABLE board_sessions ADD COLUMN sequence int NOT NULL DEFAULT 0;
-- When the agenda last changed: members hear of it once the chair has stopped editing for a while.
ALTER TABLE board_sessions ADD COLUMN agenda_changed_at timestamptz;
-- "This and the following sessions" of a series.
CREATE INDEX board_sessions_series_idx ON board_sessions (series_id, starts_at) WHERE series_id IS NOT NULL;
