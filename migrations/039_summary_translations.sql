-- The patient summary in the patient's language when the expert wrote it in another: a
-- translation reviewed by a person, attached by the coordinator to one report version. The signed
-- text stays the original; the translation is shown labelled as such, with who made and reviewed
-- it. A correction adds a row: what a patient may already have read is never overwritten.
CREATE TABLE opinion_summary_translations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  report_version int NOT NULL,
  language text NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
  summary text NOT NULL,
  translated_by text NOT NULL,
  reviewed_by text NOT NULL,
  attached_by uuid NOT NULL REFERENCES users(id),
  attached_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (case_id, report_version) REFERENCES opinion_reports (case_id, version)
);
CREATE INDEX opinion_summary_translations_case_idx ON opinion_summary_translations (case_id, report_version, language, attached_at DESC);
