-- Measurements on whole-slide images, saved with the case: a length between two points of the
-- full-resolution image, in µm (from the slide's own microns per pixel), with an optional note.
-- Numbered per slide in the order they were made, so a report can cite "annotation 2".
CREATE TABLE slide_annotations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  slide_id uuid NOT NULL REFERENCES slides(document_id),
  number integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('length')),
  -- Points in full-resolution image pixels: [[x, y], [x, y]].
  points jsonb NOT NULL,
  value double precision NOT NULL,
  unit text NOT NULL,
  note text,
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  UNIQUE (slide_id, number)
);
CREATE INDEX slide_annotations_case_idx ON slide_annotations (case_id, slide_id);
