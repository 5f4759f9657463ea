-- One message centre per case: threads between the patient's side and the care team, with the
-- follow-up questions after delivery as one kind of thread (its messages move here).
CREATE TABLE case_threads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  kind text NOT NULL CHECK (kind IN ('followup', 'care_team')),
  subject text NOT NULL,
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_message_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX case_threads_followup_idx ON case_threads (case_id) WHERE kind = 'followup';
CREATE INDEX case_threads_case_idx ON case_threads (case_id, last_message_at DESC);

CREATE TABLE case_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  thread_id uuid NOT NULL REFERENCES case_threads(id),
  case_id uuid NOT NULL REFERENCES cases(id),
  author_id uuid NOT NULL REFERENCES users(id),
  body text NOT NULL,
  document_id uuid REFERENCES documents(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_messages_thread_idx ON case_messages (thread_id, created_at);
CREATE INDEX case_messages_case_idx ON case_messages (case_id, created_at);

CREATE TABLE thread_reads (
  thread_id uuid NOT NULL REFERENCES case_threads(id),
  user_id uuid NOT NULL REFERENCES users(id),
  read_at timestamptz NOT NULL,
  PRIMARY KEY (thread_id, user_id)
);

INSERT INTO case_threads (case_id, kind, subject, created_by, created_at, last_message_at)
SELECT case_id, 'followup', 'Questions about the opinion', (array_agg(author_id ORDER BY created_at))[1], min(created_at), max(created_at)
FROM followup_messages GROUP BY case_id;
INSERT INTO case_messages (id, thread_id, case_id, author_id, body, created_at)
SELECT f.id, t.id, f.case_id, f.author_id, f.body, f.created_at FROM followup_messages f JOIN case_threads t ON t.case_id = f.case_id AND t.kind = 'followup';
DROP TABLE followup_messages;
