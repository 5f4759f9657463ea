-- Medical interpreters: staff who join the video visits they are booked into, and nothing else.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('patient', 'referring_physician', 'coordinator', 'expert', 'board_chair', 'admin', 'interpreter'));
-- The languages an interpreter works in (ISO 639 codes, as the intake's preferred language).
ALTER TABLE users ADD COLUMN interprets text[];
-- The interpreter booked into a visit by the case's coordinator.
ALTER TABLE visits ADD COLUMN interpreter_id uuid REFERENCES users (id);
CREATE INDEX visits_interpreter_idx ON visits (interpreter_id, starts_at) WHERE interpreter_id IS NOT NULL;
