-- Beside lengths, slide annotations are areas (a closed outline, with its area in µm²) and
-- arrows (pointing at something, with a note saying what). An arrow measures nothing.
ALTER TABLE slide_annotations DROP CONSTRAINT slide_annotations_kind_check;
ALTER TABLE slide_annotations ADD CONSTRAINT slide_annotations_kind_check CHECK (kind IN ('length', 'area', 'arrow'));
ALTER TABLE slide_annotations ALTER COLUMN value DROP NOT NULL;
ALTER TABLE slide_annotations ALTER COLUMN unit DROP NOT NULL;
ALTER TABLE slide_annotations ADD CONSTRAINT slide_annotations_measured CHECK ((kind = 'arrow') = (value IS NULL) AND (value IS NULL) = (unit IS NULL));
