-- Video visits with the expert: weekly hours in the expert's own time zone, visits booked on a
-- case, who is in a visit's waiting room or admitted, and the WebRTC signalling messages between
-- them (relayed through the database so each participant may be on any server).
ALTER TABLE expert_profiles ADD COLUMN visit_hours jsonb;

CREATE TABLE visits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  expert_id uuid NOT NULL REFERENCES users(id),
  visit_type text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'ended')),
  booked_by uuid NOT NULL REFERENCES users(id),
  patient_time_zone text NOT NULL,
  interpreter_language text,
  cancelled_by uuid REFERENCES users(id),
  cancelled_at timestamptz,
  cancel_reason text,
  started_at timestamptz,
  ended_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX visits_expert_time_idx ON visits (expert_id, starts_at) WHERE status = 'booked';
CREATE INDEX visits_case_idx ON visits (case_id, starts_at);

CREATE TABLE visit_presence (
  visit_id uuid NOT NULL REFERENCES visits(id),
  user_id uuid NOT NULL REFERENCES users(id),
  state text NOT NULL CHECK (state IN ('waiting', 'admitted', 'left')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (visit_id, user_id)
);

CREATE TABLE visit_signals (
  id bigserial PRIMARY KEY,
  visit_id uuid NOT NULL REFERENCES visits(id),
  from_user uuid NOT NULL REFERENCES users(id),
  to_user uuid NOT NULL REFERENCES users(id),
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visit_signals_to_idx ON visit_signals (to_user, id);
