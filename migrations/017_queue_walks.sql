-- The queue's index walks read the index alone: the columns every list filters on (who may see a
-- case, a deleted draft) ride along in the index, so a walk that passes a few thousand cases of
-- other people's or finished work does not fetch each one from the table.
DROP INDEX cases_queue_age_idx;
DROP INDEX cases_queue_urgency_idx;
DROP INDEX cases_queue_status_idx;
DROP INDEX cases_queue_status_age_idx;
DROP INDEX cases_delivered_late_idx;
CREATE INDEX cases_queue_age_idx ON cases (queued_at, id) INCLUDE (status, coordinator_id, submitted_at, urgency);
CREATE INDEX cases_queue_urgency_idx ON cases (urgency, queued_at, id) INCLUDE (status, coordinator_id, submitted_at);
CREATE INDEX cases_queue_status_idx ON cases (status, urgency, queued_at, id) INCLUDE (coordinator_id, submitted_at);
CREATE INDEX cases_queue_status_age_idx ON cases (status, queued_at, id) INCLUDE (coordinator_id, submitted_at, urgency);

-- Cases whose service-level clock runs (ready for review, not yet delivered): a program's open
-- caseload, which stays the same size however many years of finished cases lie behind it. The
-- service-level filters walk these in queue order; a missed due date adds the cases delivered late.
CREATE INDEX cases_clock_age_idx ON cases (queued_at, id) INCLUDE (status, coordinator_id, submitted_at, urgency, sla_due_at)
  WHERE delivered_at IS NULL AND ready_at IS NOT NULL;
CREATE INDEX cases_clock_urgency_idx ON cases (urgency, queued_at, id) INCLUDE (status, coordinator_id, submitted_at, sla_due_at)
  WHERE delivered_at IS NULL AND ready_at IS NOT NULL;
CREATE INDEX cases_delivered_late_idx ON cases (queued_at, id) INCLUDE (status, coordinator_id, submitted_at, urgency)
  WHERE ready_at IS NOT NULL AND delivered_at > sla_due_at;
CREATE INDEX cases_delivered_late_urgency_idx ON cases (urgency, queued_at, id) INCLUDE (status, coordinator_id, submitted_at)
  WHERE ready_at IS NOT NULL AND delivered_at > sla_due_at;

