-- An expert can pause new offers without an absence period (e.g. a full month ahead).
ALTER TABLE expert_profiles ADD COLUMN accepting_cases boolean NOT NULL DEFAULT true;
