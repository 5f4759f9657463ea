-- Records: encrypted content-addressed blobs, resumable uploads, documents and what was learnt
-- from them, a job queue for background work, checklist waivers and imported clinical data.

CREATE TABLE blobs (
  sha256 text PRIMARY KEY,
  size bigint NOT NULL,
  key_id text NOT NULL,
  wrapped_key bytea NOT NULL,
  iv bytea NOT NULL,
  tag bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  blob_sha256 text NOT NULL REFERENCES blobs(sha256),
  filename text NOT NULL,
  relative_path text,
  size bigint NOT NULL,
  content_type text NOT NULL CHECK (content_type IN ('pdf', 'dicom', 'zip', 'jpeg', 'png', 'tiff', 'fhir_json', 'ccda_xml', 'text', 'wsi')),
  category text NOT NULL CHECK (category IN ('document', 'imaging', 'digital_slide', 'structured')),
  document_type text,
  type_confidence real,
  type_evidence jsonb NOT NULL DEFAULT '[]'::jsonb,
  type_source text CHECK (type_source IN ('classifier', 'coordinator', 'import', 'content')),
  status text NOT NULL CHECK (status IN ('processing', 'ready', 'needs_review', 'failed')),
  status_detail text,
  extracted_text text,
  tests_reported jsonb NOT NULL DEFAULT '[]'::jsonb,
  flags jsonb NOT NULL DEFAULT '[]'::jsonb,
  uploaded_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, blob_sha256)
);
CREATE INDEX documents_case_idx ON documents (case_id, created_at);

CREATE TABLE uploads (
  id text PRIMARY KEY,
  case_id uuid NOT NULL REFERENCES cases(id),
  user_id uuid NOT NULL REFERENCES users(id),
  filename text NOT NULL,
  relative_path text,
  declared_type text,
  size bigint,
  document_id uuid REFERENCES documents(id),
  outcome text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  run_at timestamptz NOT NULL DEFAULT now(),
  attempts int NOT NULL DEFAULT 0,
  max_attempts int NOT NULL DEFAULT 5,
  locked_until timestamptz,
  done_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_pending_idx ON jobs (run_at) WHERE done_at IS NULL;

CREATE TABLE checklist_waivers (
  case_id uuid NOT NULL REFERENCES cases(id),
  item_id text NOT NULL,
  reason text NOT NULL,
  waived_by uuid NOT NULL REFERENCES users(id),
  waived_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, item_id)
);

-- Clinical facts imported from FHIR or C-CDA; the resource or section is kept as received.
CREATE TABLE clinical_entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  document_id uuid NOT NULL REFERENCES documents(id),
  kind text NOT NULL CHECK (kind IN ('condition', 'observation', 'diagnostic_report', 'procedure', 'medication', 'patient')),
  code text,
  code_system text,
  display text,
  value text,
  unit text,
  effective text,
  status text,
  source jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clinical_entries_case_idx ON clinical_entries (case_id, kind, effective);
