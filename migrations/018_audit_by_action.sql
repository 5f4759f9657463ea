-- The audit log filtered by action, newest first: one index walk per action (a prefix such as
-- "document." names several), found by a skip over this index; byte order (COLLATE "C") so a
-- prefix is one range of it.
CREATE INDEX audit_events_action_idx ON audit_events ((action COLLATE "C"), seq);
