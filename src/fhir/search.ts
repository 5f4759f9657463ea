import { AppError, msg } from '../core/errors.ts';

/**
 * FHIR search parameter parsing shared by the resource handlers: date prefixes (eq, ne, gt, lt,
 * ge, le), references (`Patient/123` or `123`) and `_count`.
 */
const DATE_RE = /^(eq|ne|gt|lt|ge|le)?(\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?)$/;

/** Turns `date` values into SQL conditions on `column`, binding values through `bind`. */
export function dateConditions(values: string[], column: string, bind: (v: unknown) => string): string[] {
  return values.map((raw) => {
    const m = DATE_RE.exec(raw);
    if (!m) throw new AppError('VALIDATION_FAILED', msg`The date “${raw}” is not a FHIR date (e.g. ge2026-01-31).`);
    const op = m[1] ?? 'eq';
    const value = m[2]!;
    const { start, end } = dateRange(value);
    // Bind only what the condition uses: a server refuses parameters that no placeholder takes.
    const s = () => bind(start);
    const e = () => bind(end);
    switch (op) {
      case 'eq': return `(${column} >= ${s()} AND ${column} < ${e()})`;
      case 'ne': return `(${column} < ${s()} OR ${column} >= ${e()})`;
      case 'gt': return `${column} >= ${e()}`;
      case 'ge': return `${column} >= ${s()}`;
      case 'lt': return `${column} < ${s()}`;
      default: return `${column} < ${e()}`;
    }
  });
}

/** The half-open instant range a partial date stands for (2026 → all of 2026). */
function dateRange(value: string): { start: string; end: string } {
  if (value.includes('T')) {
    const t = new Date(value.length <= 16 ? `${value}:00Z` : /Z|[+-]\d{2}:\d{2}$/.test(value) ? value : `${value}Z`);
    if (Number.isNaN(t.getTime())) throw new AppError('VALIDATION_FAILED', msg`The date “${value}” is not valid.`);
    return { start: sqlInstant(t), end: sqlInstant(new Date(t.getTime() + 1000)) };
  }
  const [y, mo, d] = value.split('-').map(Number) as [number, number | undefined, number | undefined];
  const start = utcDate(y, (mo ?? 1) - 1, d ?? 1);
  const end = d ? utcDate(y, mo! - 1, d + 1) : mo ? utcDate(y, mo, 1) : utcDate(y + 1, 0, 1);
  // A date that rolls over (2026-02-30, month 13) is not the date the caller meant.
  if (Number.isNaN(start.getTime()) || start.getUTCMonth() !== (mo ?? 1) - 1 || start.getUTCDate() !== (d ?? 1)) throw new AppError('VALIDATION_FAILED', msg`The date “${value}” is not valid.`);
  return { start: sqlInstant(start), end: sqlInstant(end) };
}

/** Date.UTC reads years 0–99 as 1900–1999; FHIR years are literal. */
function utcDate(y: number, monthIndex: number, day: number): Date {
  const t = new Date(Date.UTC(2000, monthIndex, day));
  t.setUTCFullYear(y + (t.getUTCFullYear() - 2000));
  return t;
}

/** An instant PostgreSQL reads: it refuses ISO years past 9999 (six digits) and year 0, so those are the infinities. */
const sqlInstant = (t: Date) => (t.getUTCFullYear() > 9999 ? 'infinity' : t.getUTCFullYear() < 1 ? '-infinity' : t.toISOString());

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id in a reference parameter (`Patient/<id>` or a bare id) when of the expected type. */
export function referenceId(value: string, type: string): string | null {
  const id = value.startsWith(`${type}/`) ? value.slice(type.length + 1) : value.includes('/') ? null : value;
  return id && UUID_RE.test(id) ? id : null;
}

export function countParam(value: string | undefined, fallback = 20): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d{1,4}$/.test(value) || n > 1000) throw new AppError('VALIDATION_FAILED', '_count must be a whole number from 0 to 1000.');
  return n;
}

/** `_offset`: a whole number up to a bound, so no value (1e21, Infinity) reaches SQL unchecked. */
export function offsetParam(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!/^\d{1,7}$/.test(value) || n > MAX_OFFSET) throw new AppError('VALIDATION_FAILED', msg`_offset must be a whole number from 0 to ${MAX_OFFSET}.`);
  return n;
}
const MAX_OFFSET = 1_000_000;

/** Query parameters as lists (a parameter may repeat), without modifiers we do not support. */
export function params(query: unknown, supported: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (k === '_total') {
      out[k] = [totalParam(v)];
      continue;
    }
    if (!supported.includes(k)) throw new AppError('VALIDATION_FAILED', msg`The search parameter “${k}” is not supported here. Supported: ${supported.join(', ')}.`);
    out[k] = (Array.isArray(v) ? v : [v]).map(String);
  }
  return out;
}

/**
 * `_total`: how exact Bundle.total must be. By default (`estimate`) it is exact up to a thousand
 * matches and the database's estimate above; `accurate` counts every match (slower on long lists).
 */
function totalParam(v: unknown): 'estimate' | 'accurate' {
  const value = String(Array.isArray(v) ? v[0] : v);
  if (value === 'estimate' || value === 'accurate') return value;
  throw new AppError('VALIDATION_FAILED', msg`_total must be “estimate” or “accurate”, not “${value}”.`);
}

const NO_ID = '00000000-0000-0000-0000-000000000000';
/**
 * An id compared as a uuid (so indexes serve the search); anything that is not one becomes an id
 * no row has, so it simply matches nothing, as FHIR expects of an unknown id.
 */
export const asUuid = (value: string | null): string => (value && UUID_RE.test(value) ? value.toLowerCase() : NO_ID);
