-- A slide is no longer only an uploaded slide file: a DICOM whole-slide image (VL Whole Slide
-- Microscopy, sent by STOW-RS or on a CD) is a series in the image index, and becomes a slide
-- too. So slides get their own id (an uploaded file's slide keeps its document's id) and point at
-- either the document or the series; a slide waiting for its tiles has its row, as 'processing'.
ALTER TABLE slides ADD COLUMN id uuid;
UPDATE slides SET id = document_id;
ALTER TABLE slides ALTER COLUMN id SET NOT NULL;
ALTER TABLE slides ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE slide_annotations DROP CONSTRAINT slide_annotations_slide_id_fkey;
ALTER TABLE slides DROP CONSTRAINT slides_pkey;
ALTER TABLE slides ADD PRIMARY KEY (id);
ALTER TABLE slides ALTER COLUMN document_id DROP NOT NULL;
ALTER TABLE slides ADD CONSTRAINT slides_document_key UNIQUE (document_id);
ALTER TABLE slides ADD COLUMN series_id uuid REFERENCES dicom_series(id);
ALTER TABLE slides ADD CONSTRAINT slides_series_key UNIQUE (series_id);
ALTER TABLE slides ADD CONSTRAINT slides_one_source CHECK ((document_id IS NULL) <> (series_id IS NULL));
-- How a DICOM slide is named (its series description), and when it arrived.
ALTER TABLE slides ADD COLUMN source_name text;
ALTER TABLE slides ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
-- When the series last gained an instance: its tiles are made once it has been quiet a while.
ALTER TABLE slides ADD COLUMN instances_at timestamptz;
ALTER TABLE slides DROP CONSTRAINT slides_status_check;
ALTER TABLE slides ADD CONSTRAINT slides_status_check CHECK (status IN ('processing', 'ready', 'failed'));
ALTER TABLE slides ALTER COLUMN prepared_at DROP NOT NULL;
ALTER TABLE slides ALTER COLUMN prepared_at DROP DEFAULT;
ALTER TABLE slide_annotations ADD CONSTRAINT slide_annotations_slide_id_fkey FOREIGN KEY (slide_id) REFERENCES slides(id);
-- Slide files still waiting for their tiles get their row now.
INSERT INTO slides (id, document_id, case_id, status, created_at)
  SELECT d.id, d.id, d.case_id, 'processing', d.created_at FROM documents d
  WHERE d.content_type = 'wsi' AND NOT EXISTS (SELECT 1 FROM slides s WHERE s.document_id = d.id);
UPDATE slides s SET created_at = d.created_at FROM documents d WHERE d.id = s.document_id;
