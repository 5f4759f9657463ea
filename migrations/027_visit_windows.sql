-- One window per person in a visit's room: the newest connection is the person's presence, and
-- an older window is told to leave, so closing it does not take the person out of the visit.
ALTER TABLE visit_presence ADD COLUMN connection uuid;
-- A moved visit is sent again with a higher calendar sequence, so calendars move the event.
ALTER TABLE visits ADD COLUMN sequence int NOT NULL DEFAULT 0;
