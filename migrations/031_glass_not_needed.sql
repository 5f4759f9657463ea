-- Glass slides asked for but not yet sent can be called off: the pathologist's review of the
-- digital slides sufficed (recorded when they sign), or the coordinator says so.
ALTER TABLE specimens DROP CONSTRAINT specimens_status_check;
ALTER TABLE specimens ADD CONSTRAINT specimens_status_check CHECK (status IN ('requested', 'shipped', 'received', 'with_reviewer', 'returned', 'not_needed'));
