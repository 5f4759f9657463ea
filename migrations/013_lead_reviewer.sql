-- The lead reviewer issues (and later amends) the combined report. The first expert to join a
-- case leads unless the coordinator names another assigned expert.
ALTER TABLE cases ADD COLUMN lead_expert_id uuid REFERENCES users(id);
UPDATE cases c SET lead_expert_id = (
  SELECT m.user_id FROM case_members m WHERE m.case_id = c.id AND m.relation = 'expert' AND m.revoked_at IS NULL ORDER BY m.added_at LIMIT 1);
