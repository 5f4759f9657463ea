-- Blob rows name the stored object that holds their encrypted bytes. New objects get a random
-- key, written whole before the row's transaction; files stored before keep their SHA-256 name.
ALTER TABLE blobs ADD COLUMN object_key text;
UPDATE blobs SET object_key = sha256;
ALTER TABLE blobs ALTER COLUMN object_key SET NOT NULL;
CREATE UNIQUE INDEX blobs_object_key ON blobs (object_key);
