-- The queue's walks hold only the cases some coordinator may see: assigned ones, and unassigned
-- ones in the pool. A request cancelled (or a draft left) before any coordinator took it is
-- nobody's queue, yet it sat in every walk: years of them, all passed on the way to a page (the
-- first page by urgency read about 4,900 index entries for 25 rows at 100,000 cases). A
-- coordinator's access condition (src/core/access.ts) implies this one, so PostgreSQL still walks
-- these indexes for it, with a plan kept or not.
DROP INDEX cases_queue_age_idx;
DROP INDEX cases_queue_urgency_idx;
DROP INDEX cases_queue_status_idx;
DROP INDEX cases_queue_status_age_idx;
CREATE INDEX cases_queue_age_idx ON cases (queued_at, id) INCLUDE (status, coordinator_id, submitted_at, urgency, search_text)
  WHERE coordinator_id IS NOT NULL OR status NOT IN ('draft', 'cancelled', 'closed');
CREATE INDEX cases_queue_urgency_idx ON cases (urgency, queued_at, id) INCLUDE (status, coordinator_id, submitted_at, search_text)
  WHERE coordinator_id IS NOT NULL OR status NOT IN ('draft', 'cancelled', 'closed');
CREATE INDEX cases_queue_status_idx ON cases (status, urgency, queued_at, id) INCLUDE (coordinator_id, submitted_at, search_text)
  WHERE coordinator_id IS NOT NULL OR status NOT IN ('draft', 'cancelled', 'closed');
CREATE INDEX cases_queue_status_age_idx ON cases (status, queued_at, id) INCLUDE (coordinator_id, submitted_at, urgency, search_text)
  WHERE coordinator_id IS NOT NULL OR status NOT IN ('draft', 'cancelled', 'closed');
