-- What the patient's insurer actually said when the coordinator called: who, when, the call's
-- reference number and the answer, kept on the case beside the estimate's guidance.
CREATE TABLE coverage_checks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  insurer text NOT NULL,
  answer text NOT NULL CHECK (answer IN ('covered', 'partly_covered', 'authorization_needed', 'not_covered', 'no_answer')),
  reference text,
  spoke_on date NOT NULL,
  note text,
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX coverage_checks_case_idx ON coverage_checks (case_id, created_at);
