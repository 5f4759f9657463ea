-- A local copy of the recruiting interventional studies of the trial registry (ClinicalTrials.gov)
-- for the conditions we cover, refreshed by a scheduled sync. Matching reads this copy, so an
-- install without a connection to the registry still works (with whatever it last had).
CREATE TABLE trials (
  nct_id text PRIMARY KEY CHECK (nct_id ~ '^NCT[0-9]{8}$'),
  -- The study as read from the registry (registry.ts: RegistryTrial).
  record jsonb NOT NULL,
  title text NOT NULL,
  status text NOT NULL,
  -- The registry condition terms the study was found under in the last sync.
  terms text[] NOT NULL DEFAULT '{}',
  last_update date,
  synced_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trials_terms_idx ON trials USING gin (terms);

-- Each sync run: what it fetched, and why it failed when it did (registry errors only).
CREATE TABLE trial_syncs (
  id bigserial PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  -- Moved on with every page read: a run whose heartbeat stopped was cut short (a restart).
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'done', 'failed')),
  studies int NOT NULL DEFAULT 0,
  skipped int NOT NULL DEFAULT 0,
  error text
);
