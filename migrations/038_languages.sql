-- Spanish beside English: a signature keeps the language of the text that was signed (its hash
-- is of that text). A person's language is one the service speaks, or not chosen yet (the pages
-- then follow the device, and mail is in English): no account could choose one before now.
ALTER TABLE consent_signatures ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es'));
ALTER TABLE users ALTER COLUMN locale DROP NOT NULL;
ALTER TABLE users ALTER COLUMN locale DROP DEFAULT;
UPDATE users SET locale = NULL;
ALTER TABLE users ADD CONSTRAINT users_locale_known CHECK (locale IS NULL OR locale IN ('en', 'es'));
