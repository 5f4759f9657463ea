-- Multidisciplinary tumor boards: proposals, sessions, agendas, members, the shared presentation
-- and the minutes. A board member sees a case only while it is on the agenda of a session they
-- are invited to, until the session ends: a grant that expires by itself.
ALTER TABLE case_members DROP CONSTRAINT case_members_relation_check;
ALTER TABLE case_members ADD CONSTRAINT case_members_relation_check
  CHECK (relation IN ('patient', 'proxy', 'referring', 'expert', 'board_chair', 'board_member'));
ALTER TABLE case_members ADD COLUMN expires_at timestamptz;

-- A case proposed for a board (by the rules, or asked for by the patient side or a reviewer);
-- the coordinator confirms it, with the board type, before a chair can put it on an agenda.
CREATE TABLE board_proposals (
  case_id uuid PRIMARY KEY REFERENCES cases(id),
  board_type text NOT NULL,
  reasons jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('requested', 'confirmed', 'declined', 'discussed')),
  requested_by uuid REFERENCES users(id),
  request_note text,
  confirmed_by uuid REFERENCES users(id),
  confirmed_at timestamptz,
  decline_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX board_proposals_open_idx ON board_proposals (board_type, confirmed_at) WHERE status = 'confirmed';

CREATE TABLE board_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  board_type text NOT NULL,
  title text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  time_zone text NOT NULL,
  -- Sessions created together by a recurrence share a series id.
  series_id uuid,
  chair_id uuid NOT NULL REFERENCES users(id),
  status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
  -- What the presenter shows now (ids and positions only): late joiners start from it.
  presentation jsonb,
  presentation_seq bigint NOT NULL DEFAULT 0,
  presenter_id uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX board_sessions_starts_idx ON board_sessions (starts_at);

CREATE TABLE board_agenda (
  session_id uuid NOT NULL REFERENCES board_sessions(id),
  case_id uuid NOT NULL REFERENCES cases(id),
  position int NOT NULL,
  minutes int NOT NULL CHECK (minutes BETWEEN 1 AND 240),
  added_by uuid NOT NULL REFERENCES users(id),
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, case_id)
);
CREATE INDEX board_agenda_case_idx ON board_agenda (case_id);

CREATE TABLE board_members (
  session_id uuid NOT NULL REFERENCES board_sessions(id),
  user_id uuid NOT NULL REFERENCES users(id),
  -- The specialty the person sits for (a roster entry of the board type).
  specialty text,
  invited_by uuid NOT NULL REFERENCES users(id),
  invited_at timestamptz NOT NULL DEFAULT now(),
  attended boolean NOT NULL DEFAULT false,
  joined_at timestamptz,
  removed_at timestamptz,
  PRIMARY KEY (session_id, user_id)
);
CREATE INDEX board_members_user_idx ON board_members (user_id) WHERE removed_at IS NULL;

-- The structured minutes of one case's discussion; confirmed minutes are final.
CREATE TABLE board_minutes (
  session_id uuid NOT NULL REFERENCES board_sessions(id),
  case_id uuid NOT NULL REFERENCES cases(id),
  content jsonb NOT NULL,
  attendees jsonb,
  updated_by uuid NOT NULL REFERENCES users(id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  confirmed_by uuid REFERENCES users(id),
  confirmed_at timestamptz,
  PRIMARY KEY (session_id, case_id)
);
CREATE INDEX board_minutes_case_idx ON board_minutes (case_id) WHERE confirmed_at IS NOT NULL;

-- Mail may carry files that hold no health data (a calendar invitation).
ALTER TABLE mail_outbox ADD COLUMN attachments jsonb;
