-- Whole-slide images: what the slide reader found in an uploaded slide file (a document of
-- content type 'wsi', whose id the slide shares) and the Deep Zoom tile pyramid built from it:
-- a zip of JPEG tiles and the index of where each tile sits in it with its digest, each stored
-- encrypted as a blob. A slide file without a row is still waiting.
CREATE TABLE slides (
  document_id uuid PRIMARY KEY REFERENCES documents(id),
  case_id uuid NOT NULL REFERENCES cases(id),
  status text NOT NULL CHECK (status IN ('ready', 'failed')),
  -- Why a slide cannot be shown: unreadable, tiles, too_large or missing (worded by the web app).
  failure text,
  vendor text,
  width integer,
  height integer,
  -- Microns per pixel at full resolution, as the scanner recorded it (null when it did not).
  mpp_x double precision,
  mpp_y double precision,
  objective_power double precision,
  levels integer,
  tile_size integer,
  tile_overlap integer,
  tile_format text,
  pyramid_sha256 text REFERENCES blobs(sha256),
  index_sha256 text REFERENCES blobs(sha256),
  -- The names of the extra pictures the file carries (label, macro, thumbnail), null when that
  -- could not be told. A label is a photo of the glass slide's sticker: it may show a name.
  associated text[],
  prepared_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX slides_case_idx ON slides (case_id);
