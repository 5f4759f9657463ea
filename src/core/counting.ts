import type { Queryable } from './db.ts';

export interface ListTotal {
  total: number;
  /** True when `total` is the planner's estimate (more than `exactUpTo` rows matched). */
  estimated: boolean;
}

/**
 * How many rows a list matches, cheaply: exact up to `exactUpTo`, the planner's estimate above
 * it. Counting a hundred thousand rows for every page someone opens is what made long lists slow;
 * a person paging through them needs "about 98,000", not the last digit.
 * `fromWhere` is the list's `FROM … WHERE …` with its parameters.
 */
export async function cheapCount(q: Queryable, fromWhere: string, params: unknown[], exactUpTo = 1000): Promise<ListTotal> {
  const [row] = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 ${fromWhere} LIMIT ${exactUpTo + 1}) capped`, params);
  const n = row?.n ?? 0;
  if (n <= exactUpTo) return { total: n, estimated: false };
  const [plan] = await q.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) SELECT 1 ${fromWhere}`, params);
  return { total: Math.max(exactUpTo + 1, plannedRows(plan?.['QUERY PLAN'])), estimated: true };
}

function plannedRows(plan: unknown): number {
  const parsed = typeof plan === 'string' ? JSON.parse(plan) : plan;
  const rows = Array.isArray(parsed) ? (parsed[0] as { Plan?: { 'Plan Rows'?: number } })?.Plan?.['Plan Rows'] : undefined;
  return Math.round(Number(rows) || 0);
}
