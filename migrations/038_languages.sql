-- Spanish beside English: a signature keeps the language of the text that was signed (its hash
-- is of that text), and a person's language is one the service speaks.
ALTER TABLE consent_signatures ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es'));
UPDATE users SET locale = 'en' WHERE locale NOT IN ('en', 'es');
ALTER TABLE users ADD CONSTRAINT users_locale_known CHECK (locale IN ('en', 'es'));
