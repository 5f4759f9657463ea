import type { Queryable } from './db.ts';

/** Lists are counted exactly up to this many rows; above it their total is the planner's estimate. */
export const EXACT_UP_TO = 1000;

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
export async function cheapCount(q: Queryable, fromWhere: string, params: unknown[], exactUpTo = EXACT_UP_TO, reuse?: EstimateReuse): Promise<ListTotal> {
  const estimate = await estimatedRows(q, fromWhere, params, exactUpTo, reuse);
  if (!worthCounting(estimate, exactUpTo)) return { total: estimate, estimated: true };
  const [row] = await q.query<{ n: number }>(`SELECT ${cappedCountSql(fromWhere, exactUpTo)} AS n`, params);
  return totalOfCount(row?.n ?? 0, estimate, exactUpTo);
}

/** The planner's estimate of the rows `fromWhere` matches, reused for a few seconds when `reuse` is given. */
export async function estimatedRows(q: Queryable, fromWhere: string, params: unknown[], exactUpTo = EXACT_UP_TO, reuse?: EstimateReuse): Promise<number> {
  const key = reuse ? `${exactUpTo}\u0000${reuse.key ?? `${fromWhere}\u0000${JSON.stringify(params)}`}` : '';
  let estimate = reuse?.recent.get(key);
  if (estimate === undefined) {
    const [plan] = await q.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) SELECT 1 ${fromWhere}`, params);
    estimate = plannedRows(plan?.['QUERY PLAN']);
    reuse?.recent.set(key, estimate);
  }
  return estimate;
}

/** Whether a list estimated at `estimate` rows is counted (see `cheapCount`). */
export const worthCounting = (estimate: number, exactUpTo = EXACT_UP_TO) => estimate <= exactUpTo * 2;

/**
 * The count of `fromWhere`'s rows up to one past `exactUpTo`, as a scalar subquery: it can ride
 * along in the statement that reads the page (one round trip and one plan fewer for a short list).
 */
export const cappedCountSql = (fromWhere: string, exactUpTo = EXACT_UP_TO) => `(SELECT count(*)::int FROM (SELECT 1 ${fromWhere} LIMIT ${exactUpTo + 1}) capped)`;

/** The list's total from a capped count: exact up to `exactUpTo`, else the estimate (at least one past it). */
export function totalOfCount(counted: number, estimate: number, exactUpTo = EXACT_UP_TO): ListTotal {
  if (counted <= exactUpTo) return { total: counted, estimated: false };
  return { total: Math.max(exactUpTo + 1, estimate), estimated: true };
}

/**
 * How a list's estimate may be reused: `recent` belongs to one app (one database), and `key`
 * names the list when its SQL or parameters change from one request to the next for the same
 * list (a clock in a filter); without it the SQL and parameters are the key.
 */
export interface EstimateReuse {
  recent: RecentEstimates;
  key?: string;
}

/**
 * The planner's estimates of lists, kept for a few seconds. "About 98,000" does not change from
 * one page to the next, and asking the planner again cost every page a round trip and a plan; a
 * short list's estimate only says to count it, and its rows are counted each time (exact totals
 * are never kept).
 */
export class RecentEstimates {
  private readonly seen = new Map<string, { total: number; at: number }>();
  private readonly reuseMs: number;
  private readonly clock: () => number;
  constructor(reuseMs = 10_000, clock: () => number = Date.now) {
    this.reuseMs = reuseMs;
    this.clock = clock;
  }
  get(key: string): number | undefined {
    const hit = this.seen.get(key);
    if (!hit) return undefined;
    if (this.clock() - hit.at < this.reuseMs) return hit.total;
    this.seen.delete(key);
    return undefined;
  }
  set(key: string, total: number): void {
    this.seen.delete(key);
    this.seen.set(key, { total, at: this.clock() });
    // The oldest go first: a map keeps insertion order.
    while (this.seen.size > RECENT_ESTIMATES_MAX) this.seen.delete(this.seen.keys().next().value!);
  }
}

const RECENT_ESTIMATES_MAX = 2000;

/** A page shorter than asked for ends the results: its end is the exact total, whatever the estimate said. */
export function exactWhenShort(total: number, shown: number, pageSize: number, offset: number): number {
  return shown < pageSize && (shown > 0 || offset === 0) ? offset + shown : total;
}

function plannedRows(plan: unknown): number {
  const parsed = typeof plan === 'string' ? JSON.parse(plan) : plan;
  const rows = Array.isArray(parsed) ? (parsed[0] as { Plan?: { 'Plan Rows'?: number } })?.Plan?.['Plan Rows'] : undefined;
  return Math.round(Number(rows) || 0);
}
