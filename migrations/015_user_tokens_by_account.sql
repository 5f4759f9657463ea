-- "Forgot password" links: an account's recent links are counted (a few mails an hour at most)
-- and its open links are spent together when a new password is chosen.
CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, purpose, created_at);
