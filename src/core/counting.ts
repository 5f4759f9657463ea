import type { Queryable } from './db.ts';

export interface ListTotal {
  total: number;
  /** True when `total` is the planner's estimate (more than `exactUpTo` rows matched). */
  estimated: boolean;
}

/**
 * How many rows a list matches, cheaply: exact up to `exactUpTo`, the planner's estimate above
 * it. Counting a hundred thousand rows for every page someone opens is what made long lists slow;
 * a person paging through them needs "about 98,000", not the last digit. The estimate comes first:
 * when it is over twice the threshold the rows are not counted at all, since even a capped count
 * reads every row a rare-in-order filter passes, or every match of a common word in a search.
 * `fromWhere` is the list's `FROM … WHERE …` with its parameters.
 */
export async function cheapCount(q: Queryable, fromWhere: string, params: unknown[], exactUpTo = 1000): Promise<ListTotal> {
  const [plan] = await q.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) SELECT 1 ${fromWhere}`, params);
  const estimate = plannedRows(plan?.['QUERY PLAN']);
  if (estimate > exactUpTo * 2) return { total: estimate, estimated: true };
  const [row] = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 ${fromWhere} LIMIT ${exactUpTo + 1}) capped`, params);
  const n = row?.n ?? 0;
  if (n <= exactUpTo) return { total: n, estimated: false };
  return { total: Math.max(exactUpTo + 1, estimate), estimated: true };
}

/** A page shorter than asked for ends the results: its end is the exact total, whatever the estimate said. */
export function exactWhenShort(total: number, shown: number, pageSize: number, offset: number): number {
  return shown < pageSize && (shown > 0 || offset === 0) ? offset + shown : total;
}

function plannedRows(plan: unknown): number {
  const parsed = typeof plan === 'string' ? JSON.parse(plan) : plan;
  const rows = Array.isArray(parsed) ? (parsed[0] as { Plan?: { 'Plan Rows'?: number } })?.Plan?.['Plan Rows'] : undefined;
  return Math.round(Number(rows) || 0);
}
