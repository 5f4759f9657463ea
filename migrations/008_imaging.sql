-- Imaging: DICOM studies, series and instances of a case, indexed for DICOMweb queries. Each
-- instance's bytes are one encrypted blob, kept exactly as received.
CREATE TABLE dicom_studies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  study_uid text NOT NULL,
  patient_id text,
  patient_name text,
  patient_birth_date text,
  patient_sex text,
  study_date text,
  study_time text,
  accession_number text,
  study_description text,
  study_id text,
  referring_physician text,
  -- A patient identity that does not match the case's patient: shown to the coordinator, never merged.
  identity_flag text,
  attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, study_uid)
);
CREATE INDEX dicom_studies_uid_idx ON dicom_studies (study_uid);

CREATE TABLE dicom_series (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  study_id uuid NOT NULL REFERENCES dicom_studies(id),
  series_uid text NOT NULL,
  modality text,
  series_number int,
  series_description text,
  body_part text,
  attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (study_id, series_uid)
);

CREATE TABLE dicom_instances (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  study_id uuid NOT NULL REFERENCES dicom_studies(id),
  series_id uuid NOT NULL REFERENCES dicom_series(id),
  sop_instance_uid text NOT NULL,
  sop_class_uid text NOT NULL,
  instance_number int,
  number_of_frames int NOT NULL DEFAULT 1,
  rows int,
  columns int,
  transfer_syntax text NOT NULL,
  -- Where the bytes are: our encrypted blob store, or the site's own PACS ("external PACS" mode).
  location text NOT NULL DEFAULT 'local' CHECK (location IN ('local', 'upstream')),
  blob_sha256 text REFERENCES blobs(sha256),
  content_sha256 text NOT NULL,
  size bigint NOT NULL,
  metadata jsonb NOT NULL,
  document_id uuid REFERENCES documents(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, sop_instance_uid)
);
CREATE INDEX dicom_instances_series_idx ON dicom_instances (series_id, instance_number);
CREATE INDEX dicom_instances_study_idx ON dicom_instances (study_id);

-- Length and angle measurements a reviewer made in the viewer, saved with the case.
CREATE TABLE imaging_measurements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  study_uid text NOT NULL,
  series_uid text NOT NULL,
  sop_instance_uid text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('length', 'angle')),
  points jsonb NOT NULL,
  value double precision NOT NULL,
  unit text NOT NULL,
  label text,
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX imaging_measurements_case_idx ON imaging_measurements (case_id, study_uid);

-- How the indexing of an uploaded DICOM file or CD archive went, shown on the document.
ALTER TABLE documents ADD COLUMN imaging_summary jsonb;
