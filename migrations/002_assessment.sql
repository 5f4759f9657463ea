-- The answers a patient gave in the public assessment, carried into the case they started from it.
-- The case's own assessment runs on these together with its intake and records.
ALTER TABLE cases ADD COLUMN assessment_answers jsonb;
