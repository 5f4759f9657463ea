-- Notifications: what each person should hear about, derived from the case's domain events
-- (case_events) by a dispatch job in the event's own transaction. The words are chosen when a
-- notice is shown or mailed, in the reader's language, so only the kind and its parameters are
-- kept here. One notice per event, person and kind: a retried dispatch never notifies twice.
ALTER TABLE users ADD COLUMN locale text NOT NULL DEFAULT 'en';

CREATE TABLE notifications (
  id bigserial PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  case_id uuid NOT NULL REFERENCES cases(id),
  event_id bigint NOT NULL REFERENCES case_events(id),
  kind text NOT NULL,
  params jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz,
  UNIQUE (event_id, user_id, kind)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id, case_id, kind) WHERE read_at IS NULL;
