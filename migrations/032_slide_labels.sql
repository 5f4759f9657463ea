-- What identifies a glass slide to a pathologist: the photo of its label and the overview photo
-- of the whole glass (macro) as the scanner took them, stored encrypted (a label may show a
-- name), and the part/block and stain, which scanners rarely record: the case's staff give them.
ALTER TABLE slides ADD COLUMN label_sha256 text REFERENCES blobs(sha256);
ALTER TABLE slides ADD COLUMN macro_sha256 text REFERENCES blobs(sha256);
ALTER TABLE slides ADD COLUMN block text;
ALTER TABLE slides ADD COLUMN stain text;
