-- Invoices of a request: drafted by the coordinator from the estimate at the request's fees,
-- issued with a number and a due date, then paid (payments recorded, or taken online), void (issued in error,
-- nothing paid) or written off (the balance waived, e.g. for hardship). Amounts in the currency's
-- minor unit (cents). One invoice per request is open (draft or issued) at a time.
CREATE SEQUENCE invoice_numbers;
CREATE TABLE invoices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases(id),
  number text UNIQUE,
  status text NOT NULL CHECK (status IN ('draft', 'issued', 'paid', 'void', 'written_off')),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  lines jsonb NOT NULL,
  discount_cents bigint NOT NULL DEFAULT 0 CHECK (discount_cents >= 0),
  discount_reason text,
  tax_basis_points int NOT NULL DEFAULT 0 CHECK (tax_basis_points BETWEEN 0 AND 5000),
  subtotal_cents bigint NOT NULL CHECK (subtotal_cents >= 0),
  tax_cents bigint NOT NULL CHECK (tax_cents >= 0),
  total_cents bigint NOT NULL CHECK (total_cents >= 0),
  due_on date,
  issued_at timestamptz,
  issued_by uuid REFERENCES users(id),
  closed_at timestamptz,
  closed_by uuid REFERENCES users(id),
  close_reason text,
  hardship_request text,
  -- The payment page opened last for this bill (closed at the provider once the bill is settled).
  checkout_session_id text,
  hardship_requested_at timestamptz,
  version int NOT NULL DEFAULT 1,
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (status = 'draft' OR (number IS NOT NULL AND issued_at IS NOT NULL AND due_on IS NOT NULL))
);
CREATE INDEX invoices_case_idx ON invoices (case_id, created_at);
CREATE UNIQUE INDEX invoices_one_open_per_case ON invoices (case_id) WHERE status IN ('draft', 'issued');

CREATE TABLE invoice_payments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  invoice_id uuid NOT NULL REFERENCES invoices(id),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  method text NOT NULL CHECK (method IN ('check', 'transfer', 'card', 'cash', 'other')),
  reference text,
  received_on date NOT NULL,
  -- Who recorded it; none for a payment taken online (the provider's signed notice recorded it).
  recorded_by uuid REFERENCES users(id),
  -- The online provider's event, once: a notice sent again records nothing more.
  provider_event_id text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (recorded_by IS NOT NULL OR provider_event_id IS NOT NULL)
);
CREATE INDEX invoice_payments_invoice_idx ON invoice_payments (invoice_id, created_at);
