-- Offering a case to an expert: the expert accepts or declines with a reason; an offer left
-- unanswered past its deadline expires and goes back to the coordinator.
CREATE TABLE expert_offers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  expert_id uuid NOT NULL REFERENCES users(id),
  role text NOT NULL,
  status text NOT NULL CHECK (status IN ('offered', 'accepted', 'declined', 'expired', 'withdrawn')),
  reason text,
  offered_by uuid NOT NULL REFERENCES users(id),
  offered_at timestamptz NOT NULL DEFAULT now(),
  respond_by timestamptz NOT NULL,
  responded_at timestamptz
);
CREATE INDEX expert_offers_expert_idx ON expert_offers (expert_id, status);
CREATE INDEX expert_offers_case_idx ON expert_offers (case_id);
CREATE UNIQUE INDEX expert_offers_one_open ON expert_offers (case_id, expert_id) WHERE status = 'offered';
