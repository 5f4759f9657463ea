-- A coordinator's queue is their own cases and the unclaimed pool. The queue's walks in sort order
-- (every status, or by urgency or age) held every coordinator's cases in one index, so at a
-- program with a desk of twenty coordinators a page passed nineteen other people's cases for each
-- of its own, and a deep page by number read the coordinator's whole history and sorted it
-- (24 ms at 100,000 cases). Each coordinator's cases now have their walk (the coordinator first),
-- and the pool has small indexes of its own (only requests in flight no one has taken); the list
-- merges the two walks (src/cases/repository.ts). The walks by status stay as they are: a status
-- of open requests holds a few hundred cases however many coordinators share them.
DROP INDEX cases_queue_age_idx;
DROP INDEX cases_queue_urgency_idx;
CREATE INDEX cases_queue_age_idx ON cases (coordinator_id, queued_at, id) INCLUDE (status, submitted_at, urgency, search_text)
  WHERE coordinator_id IS NOT NULL;
CREATE INDEX cases_queue_urgency_idx ON cases (coordinator_id, urgency, queued_at, id) INCLUDE (status, submitted_at, search_text)
  WHERE coordinator_id IS NOT NULL;
CREATE INDEX cases_pool_age_idx ON cases (queued_at, id) INCLUDE (status, submitted_at, urgency, search_text)
  WHERE coordinator_id IS NULL AND status NOT IN ('draft', 'cancelled', 'closed');
CREATE INDEX cases_pool_urgency_idx ON cases (urgency, queued_at, id) INCLUDE (status, submitted_at, search_text)
  WHERE coordinator_id IS NULL AND status NOT IN ('draft', 'cancelled', 'closed');
