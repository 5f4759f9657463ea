-- The program's fees, versioned: an administrator's change is a new version (who, when, why), and
-- a request keeps the version in force when it was sent, so its estimate does not move later.
-- The services themselves (names, what they include, billing codes) are data in the code.
CREATE TABLE fee_schedules (
  version int PRIMARY KEY CHECK (version > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  fees jsonb NOT NULL,
  note text NOT NULL,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE cases ADD COLUMN fee_schedule_version int REFERENCES fee_schedules(version);
