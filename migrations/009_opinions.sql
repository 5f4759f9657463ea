-- The expert's structured opinion (one part per reviewer), the issued report in versions,
-- private review notes, follow-up questions after delivery and the patient's survey.
CREATE TABLE opinion_parts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  author_id uuid NOT NULL REFERENCES users(id),
  content jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'signed')),
  content_sha256 text,
  signed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, author_id)
);

CREATE TABLE opinion_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  version int NOT NULL,
  kind text NOT NULL CHECK (kind IN ('original', 'addendum', 'amendment')),
  reason text,
  content jsonb NOT NULL,
  pdf_sha256 text NOT NULL REFERENCES blobs(sha256),
  issued_by uuid NOT NULL REFERENCES users(id),
  issued_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, version)
);

CREATE TABLE review_notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  author_id uuid NOT NULL REFERENCES users(id),
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_notes_case_idx ON review_notes (case_id, author_id);

CREATE TABLE followup_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  author_id uuid NOT NULL REFERENCES users(id),
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX followup_messages_case_idx ON followup_messages (case_id, created_at);

CREATE TABLE opinion_surveys (
  case_id uuid PRIMARY KEY REFERENCES cases(id),
  author_id uuid NOT NULL REFERENCES users(id),
  clear int NOT NULL CHECK (clear BETWEEN 1 AND 5),
  changed text NOT NULL CHECK (changed IN ('diagnosis', 'plan', 'both', 'neither')),
  would_recommend boolean NOT NULL,
  comment text,
  created_at timestamptz NOT NULL DEFAULT now()
);
