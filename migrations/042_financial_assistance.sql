-- Financial assistance on a bill: with their request for help, the patient side gives their
-- household size and the band of yearly household income it falls in (a range, never an exact
-- income, per the program's policy in billing/data/assistance.json); the coordinator decides
-- with a reason. Assistance reduces what is owed; granted in full, the bill is written off.
ALTER TABLE invoices ADD COLUMN hardship_household int CHECK (hardship_household BETWEEN 1 AND 50);
ALTER TABLE invoices ADD COLUMN hardship_income_band text;
ALTER TABLE invoices ADD COLUMN assistance_percent int CHECK (assistance_percent BETWEEN 0 AND 100);
ALTER TABLE invoices ADD COLUMN assistance_cents bigint NOT NULL DEFAULT 0 CHECK (assistance_cents >= 0);
ALTER TABLE invoices ADD COLUMN assistance_reason text;
ALTER TABLE invoices ADD COLUMN assistance_decided_at timestamptz;
ALTER TABLE invoices ADD COLUMN assistance_decided_by uuid REFERENCES users(id);
