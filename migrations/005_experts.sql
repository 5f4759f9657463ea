-- The expert directory: one profile per expert account, edited by the expert or an admin.
CREATE TABLE expert_profiles (
  user_id uuid PRIMARY KEY REFERENCES users(id),
  npi text,
  credentials text NOT NULL DEFAULT '',
  taxonomy_codes text[] NOT NULL DEFAULT '{}',
  focus_codes text[] NOT NULL DEFAULT '{}',
  procedures jsonb NOT NULL DEFAULT '[]'::jsonb,
  institution jsonb NOT NULL DEFAULT '{"name":"","academic":false,"tumorBoards":false,"trialsOpen":false}'::jsonb,
  licensure text[] NOT NULL DEFAULT '{}',
  languages text[] NOT NULL DEFAULT '{en}',
  consult_modes text[] NOT NULL DEFAULT '{records_review}',
  insurance_networks text[] NOT NULL DEFAULT '{}',
  fee_usd int,
  capacity_max int NOT NULL DEFAULT 5 CHECK (capacity_max > 0),
  out_of_office jsonb NOT NULL DEFAULT '[]'::jsonb,
  conflicts text[] NOT NULL DEFAULT '{}',
  past_turnaround_days real,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX expert_profiles_taxonomy_idx ON expert_profiles USING gin (taxonomy_codes);
