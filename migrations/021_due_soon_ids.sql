-- The due-soon list takes each case's id from this index too, so it never visits the table.
DROP INDEX cases_sla_due_idx;
CREATE INDEX cases_sla_due_idx ON cases (sla_due_at) INCLUDE (id, ready_at, status, coordinator_id, submitted_at, urgency, queued_at)
  WHERE delivered_at IS NULL;
