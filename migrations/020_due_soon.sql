-- Cases due soon are found by their due date, and counted, from the index alone.
DROP INDEX cases_sla_due_idx;
CREATE INDEX cases_sla_due_idx ON cases (sla_due_at) INCLUDE (ready_at, status, coordinator_id, submitted_at, urgency, queued_at)
  WHERE delivered_at IS NULL;
