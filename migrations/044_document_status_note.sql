-- A record's status note as the catalogue's key and its values ({"key": "reading", "values": {…}}),
-- worded in each reader's language; status_detail keeps the English for staff and older rows.
ALTER TABLE documents ADD COLUMN status_note jsonb;
