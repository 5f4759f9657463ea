-- Account security: failed second steps counted per account (not reset by a good password),
-- sessions a person can list and end by an id that is not their secret, password-reset links.

-- What kind of attempt failed: the password at sign-in, the authenticator code at sign-in, or
-- the password and code asked again before a sensitive act (signing, changing sign-in details).
ALTER TABLE login_failures ADD COLUMN kind text NOT NULL DEFAULT 'password' CHECK (kind IN ('password', 'mfa', 'step_up'));
ALTER TABLE login_failures ADD COLUMN user_id uuid REFERENCES users(id);
CREATE INDEX login_failures_user_idx ON login_failures (user_id, kind, at);

ALTER TABLE sessions ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX sessions_id_idx ON sessions (id);

