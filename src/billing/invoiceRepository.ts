import type { Queryable } from '../core/db.ts';
import { balanceCents, type InvoiceLine, type InvoiceStatus, type InvoiceTotals, type PaymentMethod } from './invoice.ts';

export interface Payment { id: string; amountCents: number; method: PaymentMethod; reference: string | null; receivedOn: string; recordedByName: string | null; online: boolean; at: string }

export interface Invoice {
  id: string;
  caseId: string;
  number: string | null;
  status: InvoiceStatus;
  currency: string;
  lines: InvoiceLine[];
  discountCents: number;
  discountReason: string | null;
  taxBasisPoints: number;
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
  paidCents: number;
  balanceCents: number;
  dueOn: string | null;
  issuedAt: string | null;
  closedAt: string | null;
  closeReason: string | null;
  hardshipRequest: string | null;
  hardshipRequestedAt: string | null;
  /** Financial assistance: what the patient side gave with their request, and the coordinator's decision. */
  assistance: Assistance;
  version: number;
  payments: Payment[];
  createdAt: string;
}

export interface Assistance {
  household: number | null;
  incomeBand: string | null;
  /** The share of what was owed that the coordinator waived (0: declined); null until decided. */
  percent: number | null;
  cents: number;
  reason: string | null;
  decidedAt: string | null;
}

interface InvoiceRow {
  id: string; case_id: string; number: string | null; status: InvoiceStatus; currency: string; lines: InvoiceLine[];
  discount_cents: string | number; discount_reason: string | null; tax_basis_points: number;
  subtotal_cents: string | number; tax_cents: string | number; total_cents: string | number; due_on: Date | string | null;
  issued_at: Date | null; closed_at: Date | null; close_reason: string | null; hardship_request: string | null; hardship_requested_at: Date | null;
  hardship_household: number | null; hardship_income_band: string | null; assistance_percent: number | null; assistance_cents: string | number; assistance_reason: string | null; assistance_decided_at: Date | null;
  version: number; created_at: Date;
}
interface PaymentRow { id: string; invoice_id: string; amount_cents: string | number; method: PaymentMethod; reference: string | null; received_on: Date | string; name: string | null; provider_event_id: string | null; created_at: Date }

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const day = (d: Date | string | null) => (d === null ? null : typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));

function toInvoice(r: InvoiceRow, payments: PaymentRow[]): Invoice {
  const paid = payments.map((p): Payment => ({ id: p.id, amountCents: Number(p.amount_cents), method: p.method, reference: p.reference, receivedOn: day(p.received_on)!, recordedByName: p.name, online: p.provider_event_id !== null, at: iso(p.created_at)! }));
  const total = Number(r.total_cents);
  const assisted = Number(r.assistance_cents);
  return {
    id: r.id, caseId: r.case_id, number: r.number, status: r.status, currency: r.currency, lines: r.lines,
    discountCents: Number(r.discount_cents), discountReason: r.discount_reason, taxBasisPoints: r.tax_basis_points,
    subtotalCents: Number(r.subtotal_cents), taxCents: Number(r.tax_cents), totalCents: total,
    paidCents: paid.reduce((n, p) => n + p.amountCents, 0), balanceCents: r.status === 'issued' ? balanceCents(total - assisted, paid) : 0,
    dueOn: day(r.due_on), issuedAt: iso(r.issued_at), closedAt: iso(r.closed_at), closeReason: r.close_reason,
    hardshipRequest: r.hardship_request, hardshipRequestedAt: iso(r.hardship_requested_at),
    assistance: { household: r.hardship_household, incomeBand: r.hardship_income_band, percent: r.assistance_percent, cents: assisted, reason: r.assistance_reason, decidedAt: iso(r.assistance_decided_at) },
    version: r.version, payments: paid, createdAt: iso(r.created_at)!,
  };
}

/** A case's invoices, oldest first; drafts only when asked for (the patient side does not see them). */
export async function caseInvoices(q: Queryable, caseId: string, withDrafts: boolean): Promise<Invoice[]> {
  const rows = await q.query<InvoiceRow>(`SELECT * FROM invoices WHERE case_id = $1 ${withDrafts ? '' : "AND status <> 'draft'"} ORDER BY created_at, id`, [caseId]);
  if (!rows.length) return [];
  const payments = await q.query<PaymentRow>(
    `SELECT p.*, u.name FROM invoice_payments p LEFT JOIN users u ON u.id = p.recorded_by WHERE p.invoice_id = ANY($1::uuid[]) ORDER BY p.created_at, p.id`, [rows.map((r) => r.id)]);
  return rows.map((r) => toInvoice(r, payments.filter((p) => p.invoice_id === r.id)));
}

/** One invoice of a case with its payments; locked for a change when asked. */
async function oneInvoice(q: Queryable, caseId: string, invoiceId: string, forUpdate: boolean): Promise<Invoice | null> {
  const [row] = await q.query<InvoiceRow>(`SELECT * FROM invoices WHERE id = $1 AND case_id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [invoiceId, caseId]);
  if (!row) return null;
  const payments = await q.query<PaymentRow>('SELECT p.*, u.name FROM invoice_payments p LEFT JOIN users u ON u.id = p.recorded_by WHERE p.invoice_id = $1 ORDER BY p.created_at, p.id', [invoiceId]);
  return toInvoice(row, payments);
}
export const invoiceForUpdate = (tx: Queryable, caseId: string, invoiceId: string) => oneInvoice(tx, caseId, invoiceId, true);
export const invoiceById = (q: Queryable, caseId: string, invoiceId: string) => oneInvoice(q, caseId, invoiceId, false);

export async function insertDraft(tx: Queryable, caseId: string, by: string, draft: { currency: string; lines: InvoiceLine[]; totals: InvoiceTotals }): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO invoices (case_id, status, currency, lines, subtotal_cents, tax_cents, total_cents, created_by) VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7) RETURNING id`,
    [caseId, draft.currency, JSON.stringify(draft.lines), draft.totals.subtotalCents, draft.totals.taxCents, draft.totals.totalCents, by]);
  return row!.id;
}

export async function saveDraft(tx: Queryable, id: string, d: { lines: InvoiceLine[]; discountReason: string | null; taxBasisPoints: number; dueOn: string | null; totals: InvoiceTotals }): Promise<void> {
  await tx.query(
    `UPDATE invoices SET lines = $2, discount_cents = $3, discount_reason = $4, tax_basis_points = $5, due_on = $6, subtotal_cents = $7, tax_cents = $8, total_cents = $9,
       version = version + 1, updated_at = now() WHERE id = $1`,
    [id, JSON.stringify(d.lines), d.totals.discountCents, d.discountReason, d.taxBasisPoints, d.dueOn, d.totals.subtotalCents, d.totals.taxCents, d.totals.totalCents]);
}

/** Issues a draft: the next number of the year, the day, who, and the due date. */
export async function markIssued(tx: Queryable, id: string, by: string, dueOn: string, numberOf: (sequence: number, at: Date) => string): Promise<void> {
  const [{ n, at }] = await tx.query<{ n: string; at: Date }>(`SELECT nextval('invoice_numbers') AS n, now() AS at`) as [{ n: string; at: Date }];
  await tx.query(`UPDATE invoices SET status = 'issued', number = $2, issued_at = $3, issued_by = $4, due_on = $5, version = version + 1, updated_at = now() WHERE id = $1`,
    [id, numberOf(Number(n), new Date(at)), at, by, dueOn]);
}

export async function insertPayment(tx: Queryable, invoiceId: string, by: string | null, p: { amountCents: number; method: PaymentMethod; reference: string | null; receivedOn: string; providerEventId?: string }): Promise<string> {
  const [row] = await tx.query<{ id: string }>('INSERT INTO invoice_payments (invoice_id, amount_cents, method, reference, received_on, recorded_by, provider_event_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
    [invoiceId, p.amountCents, p.method, p.reference, p.receivedOn, by, p.providerEventId ?? null]);
  // A new version: forms edited from the bill before the payment start again from what is now owed.
  await tx.query('UPDATE invoices SET version = version + 1, updated_at = now() WHERE id = $1', [invoiceId]);
  return row!.id;
}

/** Whether the provider's notice was already recorded (a notice sent again records nothing more). */
export async function providerEventSeen(tx: Queryable, eventId: string): Promise<boolean> {
  return (await tx.query('SELECT 1 FROM invoice_payments WHERE provider_event_id = $1', [eventId])).length > 0;
}

export async function markClosed(tx: Queryable, id: string, status: 'paid' | 'void' | 'written_off', by: string | null, reason: string | null): Promise<void> {
  await tx.query('UPDATE invoices SET status = $2, closed_at = now(), closed_by = $3, close_reason = $4, version = version + 1, updated_at = now() WHERE id = $1', [id, status, by, reason]);
}

export async function markHardshipAsked(tx: Queryable, id: string, request: string, household: number | null, incomeBand: string | null): Promise<void> {
  await tx.query('UPDATE invoices SET hardship_request = $2, hardship_household = $3, hardship_income_band = $4, hardship_requested_at = now(), version = version + 1, updated_at = now() WHERE id = $1', [id, request, household, incomeBand]);
}

/** The coordinator's decision on a request for help: the share waived, the amount it came to, why. */
export async function markAssistanceDecided(tx: Queryable, id: string, by: string, d: { percent: number; cents: number; reason: string }): Promise<void> {
  await tx.query('UPDATE invoices SET assistance_percent = $2, assistance_cents = $3, assistance_reason = $4, assistance_decided_at = now(), assistance_decided_by = $5, version = version + 1, updated_at = now() WHERE id = $1',
    [id, d.percent, d.cents, d.reason, by]);
}

/** The payment page opened last for a bill, and a new one in its place (null once closed). */
export async function checkoutSession(tx: Queryable, id: string): Promise<string | null> {
  const [row] = await tx.query<{ checkout_session_id: string | null }>('SELECT checkout_session_id FROM invoices WHERE id = $1', [id]);
  return row?.checkout_session_id ?? null;
}
export async function setCheckoutSession(tx: Queryable, id: string, sessionId: string | null): Promise<void> {
  await tx.query('UPDATE invoices SET checkout_session_id = $2 WHERE id = $1', [id, sessionId]);
}

export async function deleteDraft(tx: Queryable, id: string): Promise<void> {
  await tx.query(`DELETE FROM invoices WHERE id = $1 AND status = 'draft'`, [id]);
}
