-- Foundation: accounts, sessions, cases, consent, timeline, mail outbox and the audit trail.

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('patient', 'referring_physician', 'coordinator', 'expert', 'board_chair', 'admin')),
  password_hash text,
  email_verified_at timestamptz,
  totp_secret text,
  totp_pending_secret text,
  totp_enabled_at timestamptz,
  totp_last_step bigint,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users(id)
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- One-time tokens sent by mail: email verification, staff password set-up. Only hashes are kept.
CREATE TABLE user_tokens (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  purpose text NOT NULL CHECK (purpose IN ('verify_email', 'set_password')),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  mfa_state text NOT NULL CHECK (mfa_state IN ('ok', 'pending', 'enroll_required')),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  ip text,
  user_agent text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE login_failures (
  id bigserial PRIMARY KEY,
  email_lower text NOT NULL,
  ip text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (email_lower, at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, at);

CREATE TABLE mail_outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL,
  to_address text NOT NULL,
  subject text NOT NULL,
  body_text text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  attempts int NOT NULL DEFAULT 0,
  last_error text
);
CREATE INDEX mail_outbox_unsent_idx ON mail_outbox (created_at) WHERE sent_at IS NULL;

CREATE TABLE patients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  given_name text,
  family_name text,
  birth_date date,
  sex text,
  state text,
  country text,
  preferred_language text,
  phone text,
  email text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE case_reference_seq START 1001;

CREATE TABLE cases (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  reference text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('draft', 'submitted', 'collecting_records', 'ready_for_review', 'assigned',
    'in_review', 'board', 'opinion_signed', 'delivered', 'closed', 'cancelled', 'on_hold')),
  status_before_hold text,
  urgency text NOT NULL DEFAULT 'standard' CHECK (urgency IN ('standard', 'expedited')),
  urgency_reason text,
  patient_id uuid NOT NULL REFERENCES patients(id),
  created_by uuid NOT NULL REFERENCES users(id),
  coordinator_id uuid REFERENCES users(id),
  intake jsonb NOT NULL DEFAULT '{}'::jsonb,
  submitted_at timestamptz,
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_status_idx ON cases (status, submitted_at);
CREATE INDEX cases_coordinator_idx ON cases (coordinator_id);
CREATE INDEX cases_patient_idx ON cases (patient_id);

-- Who holds a grant on a case, and as what. Revoked grants stay for the record.
CREATE TABLE case_members (
  case_id uuid NOT NULL REFERENCES cases(id),
  user_id uuid NOT NULL REFERENCES users(id),
  relation text NOT NULL CHECK (relation IN ('patient', 'proxy', 'referring', 'expert', 'board_chair')),
  relationship text,
  added_at timestamptz NOT NULL DEFAULT now(),
  added_by uuid REFERENCES users(id),
  revoked_at timestamptz,
  PRIMARY KEY (case_id, user_id, relation)
);
CREATE INDEX case_members_user_idx ON case_members (user_id) WHERE revoked_at IS NULL;

CREATE TABLE proxy_invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  email text NOT NULL,
  relationship text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  invited_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_by uuid REFERENCES users(id),
  accepted_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE case_events (
  id bigserial PRIMARY KEY,
  case_id uuid NOT NULL REFERENCES cases(id),
  at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid REFERENCES users(id),
  type text NOT NULL,
  from_status text,
  to_status text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX case_events_case_idx ON case_events (case_id, id);

CREATE TABLE consent_signatures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  document text NOT NULL CHECK (document IN ('service_consent', 'hipaa_authorization')),
  version text NOT NULL,
  text_sha256 text NOT NULL,
  signer_id uuid NOT NULL REFERENCES users(id),
  signer_relation text NOT NULL,
  typed_name text NOT NULL,
  signed_at timestamptz NOT NULL DEFAULT now(),
  ip text,
  user_agent text
);
CREATE INDEX consent_signatures_case_idx ON consent_signatures (case_id);

-- The audit trail: append-only and hash-chained. Each row's hash covers its content and the
-- previous row's hash, so an edit anywhere breaks every later link (see `consilium audit-verify`).
CREATE TABLE audit_events (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  at timestamptz NOT NULL,
  actor_id uuid,
  actor_role text,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text,
  case_id uuid,
  ip text,
  user_agent text,
  outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_events_case_idx ON audit_events (case_id, seq);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, seq);
CREATE INDEX audit_events_at_idx ON audit_events (at);

CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
