-- Physical pathology material (slides and blocks) tracked from request to return, and
-- release-of-information requests sent to the facilities that hold the records.
CREATE TABLE specimens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  kind text NOT NULL CHECK (kind IN ('slides', 'blocks')),
  label text NOT NULL,
  expected_count int NOT NULL CHECK (expected_count > 0),
  source_facility text NOT NULL,
  barcode text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('requested', 'shipped', 'received', 'with_reviewer', 'returned')),
  carrier text,
  tracking_number text,
  received_count int,
  condition_note text,
  return_carrier text,
  return_tracking_number text,
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX specimens_case_idx ON specimens (case_id);

CREATE TABLE specimen_events (
  id bigserial PRIMARY KEY,
  specimen_id uuid NOT NULL REFERENCES specimens(id),
  from_status text,
  to_status text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  actor_id uuid NOT NULL REFERENCES users(id),
  at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE roi_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  facility_name text NOT NULL,
  facility_address text NOT NULL,
  facility_fax text,
  items jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('prepared', 'sent', 'partially_received', 'received')),
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX roi_requests_case_idx ON roi_requests (case_id);
