import type { Queryable } from '../core/db.ts';
import type { ServiceCatalogue } from './estimate.ts';

export interface FeeSchedule {
  version: number;
  currency: string;
  /** Fee in cents per service id. */
  fees: Record<string, number>;
  note: string;
  createdBy: string | null;
  createdByName: string | null;
  createdAt: string;
}

interface FeeRow { version: number; currency: string; fees: Record<string, number>; note: string; created_by: string | null; name: string | null; created_at: Date }
const toSchedule = (r: FeeRow): FeeSchedule => ({ version: r.version, currency: r.currency, fees: r.fees, note: r.note, createdBy: r.created_by, createdByName: r.name, createdAt: new Date(r.created_at).toISOString() });
const SELECT = 'SELECT f.version, f.currency, f.fees, f.note, f.created_by, u.name, f.created_at FROM fee_schedules f LEFT JOIN users u ON u.id = f.created_by';

/** The first version, from the catalogue's starting fees, when there is none yet (a new installation). */
export async function seedFeeSchedule(tx: Queryable, catalogue: ServiceCatalogue): Promise<void> {
  const fees = Object.fromEntries(catalogue.services.map((s) => [s.id, s.feeCents]));
  await tx.query(`INSERT INTO fee_schedules (version, currency, fees, note) SELECT 1, $1, $2, 'Starting fees' WHERE NOT EXISTS (SELECT 1 FROM fee_schedules)`, [catalogue.currency, JSON.stringify(fees)]);
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

/** A new version; the table is locked so two administrators saving at once get consecutive versions. */
export async function addFeeVersion(tx: Queryable, input: { currency: string; fees: Record<string, number>; note: string; by: string }): Promise<FeeSchedule> {
  await tx.query('LOCK TABLE fee_schedules IN SHARE ROW EXCLUSIVE MODE');
  const [row] = await tx.query<{ version: number }>(
    `INSERT INTO fee_schedules (version, currency, fees, note, created_by) SELECT coalesce(max(version), 0) + 1, $1, $2, $3, $4 FROM fee_schedules RETURNING version`,
    [input.currency, JSON.stringify(input.fees), input.note, input.by]);
  return (await feesVersion(tx, row!.version))!;
}

/** The request keeps the fees in force when it is sent. */
export async function pinFees(tx: Queryable, caseId: string): Promise<void> {
  await tx.query('UPDATE cases SET fee_schedule_version = (SELECT max(version) FROM fee_schedules) WHERE id = $1', [caseId]);
}
