-- Photos of the patient's insurance card, front and back: for the patient side and the
-- coordinator only (never the reviewers), with the member ID and group number read from them
-- by text recognition, which the patient confirms before they are used.
CREATE TABLE coverage_cards (
  case_id uuid NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  side text NOT NULL CHECK (side IN ('front', 'back')),
  blob_sha256 text NOT NULL REFERENCES blobs(sha256),
  content_type text NOT NULL CHECK (content_type IN ('jpeg', 'png')),
  size bigint NOT NULL,
  uploaded_by uuid NOT NULL REFERENCES users(id),
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  reading text NOT NULL CHECK (reading IN ('waiting', 'read', 'nothing_found', 'failed', 'off')),
  read_member_id text,
  read_group_number text,
  PRIMARY KEY (case_id, side)
);
CREATE INDEX coverage_cards_blob_idx ON coverage_cards (blob_sha256);
