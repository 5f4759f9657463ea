import type { Queryable } from '../core/db.ts';
import { AppError } from '../core/errors.ts';
import type { ServiceCatalogue } from './estimate.ts';
import type { ServiceText } from './catalogue.ts';
import type { CaseStatus } from '../cases/lifecycle.ts';

export interface FeeSchedule {
  version: number;
  currency: string;
  /** Fee in cents per service id. */
  fees: Record<string, number>;
  /** The services' texts and codes from this version on (null: the catalogue file's). */
  services: Record<string, ServiceText> | null;
  note: string;
  createdBy: string | null;
  createdByName: string | null;
  createdAt: string;
}

interface FeeRow { version: number; currency: string; fees: Record<string, number>; services: Record<string, ServiceText> | null; note: string; created_by: string | null; name: string | null; created_at: Date }
const toSchedule = (r: FeeRow): FeeSchedule => ({ version: r.version, currency: r.currency, fees: r.fees, services: r.services, note: r.note, createdBy: r.created_by, createdByName: r.name, createdAt: new Date(r.created_at).toISOString() });
const SELECT = 'SELECT f.version, f.currency, f.fees, f.services, f.note, f.created_by, u.name, f.created_at FROM fee_schedules f LEFT JOIN users u ON u.id = f.created_by';

/** The first version, from the catalogue's starting fees, when there is none yet (a new installation). */
export async function seedFeeSchedule(tx: Queryable, catalogue: ServiceCatalogue): Promise<void> {
  const fees = Object.fromEntries(catalogue.services.map((s) => [s.id, s.feeCents]));
  // Two instances starting at once on a new database: one inserts, the other finds it there.
  await tx.query(`INSERT INTO fee_schedules (version, currency, fees, note) SELECT 1, $1, $2, 'Example fees from the catalogue' WHERE NOT EXISTS (SELECT 1 FROM fee_schedules)
    ON CONFLICT (version) DO NOTHING`, [catalogue.currency, JSON.stringify(fees)]);
}

export async function currentFees(tx: Queryable): Promise<FeeSchedule | null> {
  const [row] = await tx.query<FeeRow>(`${SELECT} ORDER BY f.version DESC LIMIT 1`);
  return row ? toSchedule(row) : null;
}

export async function feesVersion(tx: Queryable, version: number): Promise<FeeSchedule | null> {
  const [row] = await tx.query<FeeRow>(`${SELECT} WHERE f.version = $1`, [version]);
  return row ? toSchedule(row) : null;
}

export async function feeHistory(tx: Queryable, limit = 50): Promise<FeeSchedule[]> {
  return (await tx.query<FeeRow>(`${SELECT} ORDER BY f.version DESC LIMIT $1`, [limit])).map(toSchedule);
}

/**
 * A new version, made from `basedOn`: the table is locked, and a save over a version someone else
 * made meanwhile is refused, so two administrators never silently undo each other.
 */
export async function addFeeVersion(tx: Queryable, input: { basedOn: number; currency: string; fees: Record<string, number>; services?: Record<string, ServiceText> | undefined; note: string; by: string }): Promise<FeeSchedule> {
  await tx.query('LOCK TABLE fee_schedules IN SHARE ROW EXCLUSIVE MODE');
  const latest = await currentFees(tx);
  if (latest && latest.version !== input.basedOn) {
    throw new AppError('CONFLICT', `The fees were changed meanwhile${latest.createdByName ? ` by ${latest.createdByName}` : ''} (version ${latest.version}). Reload the page to see them, then make your change again.`);
  }
  const [row] = await tx.query<{ version: number }>(
    `INSERT INTO fee_schedules (version, currency, fees, services, note, created_by) SELECT coalesce(max(version), 0) + 1, $1, $2, $3, $4, $5 FROM fee_schedules RETURNING version`,
    // Texts not given are carried over from the version before: a change of fees keeps the catalogue as it was.
    [input.currency, JSON.stringify(input.fees), (input.services ?? latest?.services) ? JSON.stringify(input.services ?? latest?.services) : null, input.note, input.by]);
  return (await feesVersion(tx, row!.version))!;
}

/** What a bill's view depends on besides the bill: the request's state, and which of its services were given. */
export interface BillingContext { status: CaseStatus; given: ServicesGiven }
export interface ServicesGiven {
  /** The day the first report was issued (the review services were given then). */
  opinion: string | null;
  /** The day of the last video visit held. */
  visit: string | null;
}
export async function billingContext(q: Queryable, caseId: string): Promise<BillingContext> {
  // A request on hold counts as where it was held from (a review on hold is still past the review's start).
  const [row] = await q.query<{ status: CaseStatus; opinion: Date | null; visit: Date | null }>(
    `SELECT CASE WHEN c.status = 'on_hold' THEN coalesce(c.status_before_hold, c.status) ELSE c.status END AS status, (SELECT min(issued_at) FROM opinion_reports WHERE case_id = c.id) AS opinion,
            (SELECT max(starts_at) FROM visits WHERE case_id = c.id AND status = 'ended') AS visit FROM cases c WHERE c.id = $1`, [caseId]);
  const day = (d: Date | null) => (d ? new Date(d).toISOString().slice(0, 10) : null);
  return { status: row!.status, given: { opinion: day(row!.opinion), visit: day(row!.visit) } };
}

/**
 * The number of the request's bill that holds the review when the program asks for payment
 * first: one issued and not settled, unless the patient side asked for help and it is not decided yet.
 */
export async function billAwaitingPayment(tx: Queryable, caseId: string): Promise<string | null> {
  const [row] = await tx.query<{ number: string }>(
    `SELECT i.number FROM invoices i WHERE i.case_id = $1 AND i.status = 'issued' AND (i.hardship_request IS NULL OR i.assistance_decided_at IS NOT NULL)
       AND i.total_cents - i.assistance_cents - (SELECT coalesce(sum(p.amount_cents), 0) FROM invoice_payments p WHERE p.invoice_id = i.id) > 0
     ORDER BY i.issued_at LIMIT 1`, [caseId]);
  return row?.number ?? null;
}

/**
 * The request keeps the fees in force when it is sent: the latest an administrator set (the
 * catalogue's example fees are no one's prices to keep).
 */
export async function pinFees(tx: Queryable, caseId: string): Promise<void> {
  await tx.query('UPDATE cases SET fee_schedule_version = (SELECT max(version) FROM fee_schedules WHERE created_by IS NOT NULL) WHERE id = $1', [caseId]);
}

export const INSURER_ANSWERS = ['covered', 'partly_covered', 'authorization_needed', 'not_covered', 'no_answer'] as const;
export type InsurerAnswer = (typeof INSURER_ANSWERS)[number];

export interface CoverageCheck {
  id: string;
  insurer: string;
  answer: InsurerAnswer;
  reference: string | null;
  spokeOn: string;
  note: string | null;
  byName: string | null;
  at: string;
}

interface CheckRow { id: string; insurer: string; answer: InsurerAnswer; reference: string | null; spoke_on: string; note: string | null; name: string | null; created_at: Date }
const toCheck = (r: CheckRow): CoverageCheck => ({ id: r.id, insurer: r.insurer, answer: r.answer, reference: r.reference, spokeOn: r.spoke_on, note: r.note, byName: r.name, at: new Date(r.created_at).toISOString() });

export async function coverageChecks(tx: Queryable, caseId: string): Promise<CoverageCheck[]> {
  return (await tx.query<CheckRow>(
    `SELECT k.id, k.insurer, k.answer, k.reference, k.spoke_on::text AS spoke_on, k.note, u.name, k.created_at
     FROM coverage_checks k LEFT JOIN users u ON u.id = k.created_by WHERE k.case_id = $1 ORDER BY k.created_at DESC`, [caseId])).map(toCheck);
}

export async function addCoverageCheck(tx: Queryable, caseId: string, by: string, c: { insurer: string; answer: InsurerAnswer; reference?: string | undefined; spokeOn: string; note?: string | undefined }): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO coverage_checks (case_id, insurer, answer, reference, spoke_on, note, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
    [caseId, c.insurer, c.answer, c.reference ?? null, c.spokeOn, c.note ?? null, by]);
  return row!.id;
}
