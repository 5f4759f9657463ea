-- At scale (100,000+ cases, millions of audit events) the queue must not recompute per row what
-- only changes when a case changes, and audited writes must not queue behind one lock.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The queue's sort keys and the service-level clock, stored when the case changes.
-- `queued_at`: a case's age counts from submission (a draft's from its creation).
ALTER TABLE cases
  ADD COLUMN queued_at timestamptz GENERATED ALWAYS AS (coalesce(submitted_at, created_at)) STORED,
  ADD COLUMN ready_at timestamptz,
  ADD COLUMN delivered_at timestamptz,
  ADD COLUMN sla_due_at timestamptz,
  ADD COLUMN sla_calendar text,
  ADD COLUMN search_text text NOT NULL DEFAULT '';

-- The latest time each case became ready for review and was delivered (what the clock starts
-- and stops at); the due date itself is computed by the server on its holiday calendar.
UPDATE cases c SET
  ready_at = (SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.to_status = 'ready_for_review'),
  delivered_at = (SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.to_status = 'delivered');

-- What the queue's search box matches: reference, patient's name, condition and its code.
CREATE FUNCTION case_search_text(ref text, patient uuid, intake jsonb) RETURNS text LANGUAGE sql STABLE AS $fn$
  SELECT lower(concat_ws(' ', ref, p.given_name, p.family_name, intake->'condition'->>'description', intake->'condition'->>'icd10Code'))
  FROM patients p WHERE p.id = patient
$fn$;

CREATE FUNCTION cases_fill_search_text() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.search_text := coalesce(case_search_text(NEW.reference, NEW.patient_id, NEW.intake), lower(NEW.reference));
  RETURN NEW;
END
$fn$;
CREATE TRIGGER cases_search_text BEFORE INSERT OR UPDATE OF reference, patient_id, intake ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_fill_search_text();

CREATE FUNCTION patients_refresh_case_search_text() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE cases SET search_text = coalesce(case_search_text(reference, patient_id, intake), lower(reference)) WHERE patient_id = NEW.id;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER patients_case_search_text AFTER UPDATE OF given_name, family_name ON patients
  FOR EACH ROW EXECUTE FUNCTION patients_refresh_case_search_text();

UPDATE cases SET search_text = coalesce(case_search_text(reference, patient_id, intake), lower(reference));

-- One index per way the queue is read: by age, by urgency then age, by one status, by due date,
-- and the search box through trigrams. `urgency` sorts 'expedited' before 'standard'.
DROP INDEX cases_status_idx;
CREATE INDEX cases_queue_age_idx ON cases (queued_at, id);
CREATE INDEX cases_queue_urgency_idx ON cases (urgency, queued_at, id);
CREATE INDEX cases_queue_status_idx ON cases (status, urgency, queued_at, id);
CREATE INDEX cases_queue_status_age_idx ON cases (status, queued_at, id);
CREATE INDEX cases_sla_due_idx ON cases (sla_due_at) WHERE delivered_at IS NULL;
CREATE INDEX cases_delivered_late_idx ON cases (queued_at, id) WHERE delivered_at > sla_due_at;
CREATE INDEX cases_search_idx ON cases USING gin (search_text gin_trgm_ops);
-- FHIR searches: ServiceRequest in creation order, Patient by name prefix.
CREATE INDEX cases_created_idx ON cases (created_at, id);
CREATE INDEX patients_family_idx ON patients (lower(family_name) text_pattern_ops);
CREATE INDEX patients_given_idx ON patients (lower(given_name) text_pattern_ops);
CREATE INDEX case_members_user_case_idx ON case_members (user_id, case_id) WHERE revoked_at IS NULL;
DROP INDEX case_members_user_idx;

-- The audit chain without a lock on every request: a request inserts its events unchained, each
-- stamped with its transaction's id; one sealer at a time links them into `audit_links` in the
-- order it seals them. It seals the events of transactions that have all finished (below the
-- oldest one still running), then moves its mark (`audit_seal_state`) past them, so an event that
-- commits late is sealed in a later round and none is missed. Each link's hash covers the event's
-- content and the previous link's hash, exactly as the chain did before, so the existing chain
-- moves over as the first links.
CREATE TABLE audit_links (
  pos bigint PRIMARY KEY,
  event_seq bigint NOT NULL UNIQUE,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_links (pos, event_seq, prev_hash, hash)
  SELECT row_number() OVER (ORDER BY seq), seq, prev_hash, hash FROM audit_events;
ALTER TABLE audit_events DROP COLUMN prev_hash, DROP COLUMN hash;
ALTER TABLE audit_events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX audit_events_tx_idx ON audit_events (tx, seq);

CREATE TABLE audit_seal_state (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  sealed_below xid8 NOT NULL
);
INSERT INTO audit_seal_state (sealed_below) VALUES (pg_snapshot_xmin(pg_current_snapshot()));

-- The links are append-only like the events: one guard, naming the table it refused.
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER audit_links_no_update_delete BEFORE UPDATE OR DELETE ON audit_links
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_links_no_truncate BEFORE TRUNCATE ON audit_links
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
