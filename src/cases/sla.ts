import crypto from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';

/**
 * The service-level clock of a case: an opinion is due a number of business days (per urgency)
 * after the case became ready for review, counted on a calendar that skips weekends and
 * holidays. Pure functions over dates; the promise and the calendar are configuration.
 */
const SlaFile = z.object({
  version: z.string(),
  note: z.string().optional(),
  businessDays: z.object({ expedited: z.number().int().positive(), standard: z.number().int().positive() }),
  atRiskWithinBusinessDays: z.number().int().min(0),
  timeZone: z.literal('UTC'),
  holidays: z.object({ source: z.string(), dates: z.array(z.iso.date()) }),
});
export type ServiceLevels = z.infer<typeof SlaFile>;

export function loadServiceLevels(file?: string): ServiceLevels {
  return SlaFile.parse(JSON.parse(fs.readFileSync(file ?? new URL('./data/service-levels.json', import.meta.url), 'utf8')));
}

const loaded = new Map<string, ServiceLevels>();
/** The service levels in force (SERVICE_LEVELS_FILE, or the bundled file), each file read once. */
export function serviceLevelsFor(config: { serviceLevelsFile?: string }): ServiceLevels {
  const key = config.serviceLevelsFile ?? '';
  if (!loaded.has(key)) loaded.set(key, loadServiceLevels(config.serviceLevelsFile));
  return loaded.get(key)!;
}

const DAY = 86_400_000;

/** The holidays of a calendar as a set, built once per calendar. */
const holidaySets = new WeakMap<ServiceLevels, ReadonlySet<string>>();
const holidaysOf = (levels: ServiceLevels): ReadonlySet<string> => {
  if (!holidaySets.has(levels)) holidaySets.set(levels, new Set(levels.holidays.dates));
  return holidaySets.get(levels)!;
};

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

export function isBusinessDay(d: Date, holidays: ReadonlySet<string>): boolean {
  const wd = d.getUTCDay();
  return wd !== 0 && wd !== 6 && !holidays.has(dayOf(d));
}

/**
 * The moment `n` business days after `start`: the same time of day on the n-th business day
 * that follows. A start outside business hours days counts from the next business day.
 */
export function addBusinessDays(start: Date, n: number, holidays: ReadonlySet<string>): Date {
  let d = new Date(start.getTime());
  let left = n;
  if (!isBusinessDay(d, holidays)) {
    // Time spent on a weekend or holiday does not count: start from the next business morning.
    do d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
    while (!isBusinessDay(d, holidays));
  }
  while (left > 0) {
    d = new Date(d.getTime() + DAY);
    if (isBusinessDay(d, holidays)) left--;
  }
  return d;
}

/**
 * Whole business days from `from` to `to` (negative when `to` is earlier): the business days
 * among the dates reached by stepping a day at a time from `from` without passing `to`.
 * Counted, not stepped: a case years overdue is listed as fast as one due tomorrow.
 */
export function businessDaysBetween(from: Date, to: Date, holidays: ReadonlySet<string>): number {
  const sign = to >= from ? 1 : -1;
  const [a, b] = sign > 0 ? [from, to] : [to, from];
  const steps = Math.floor((b.getTime() - a.getTime()) / DAY);
  if (steps <= 0) return 0;
  const first = Math.floor(a.getTime() / DAY) + 1;
  const last = first + steps - 1;
  return sign * (weekdaysBefore(last + 1) - weekdaysBefore(first) - holidaysWithin(holidays, first, last)) || 0;
}

// Days since 1970-01-01 (a Thursday) that are Monday to Friday, among the first `n`.
const WEEKDAYS_IN_PARTIAL_WEEK = [0, 1, 2, 2, 2, 3, 4];
const weekdaysBefore = (n: number) => 5 * Math.floor(n / 7) + WEEKDAYS_IN_PARTIAL_WEEK[((n % 7) + 7) % 7]!;

const holidayDays = new WeakMap<ReadonlySet<string>, number[]>();
/** How many of the holidays fall on a weekday between two day numbers, both included. */
function holidaysWithin(holidays: ReadonlySet<string>, first: number, last: number): number {
  let days = holidayDays.get(holidays);
  if (!days) {
    days = [...holidays].map((h) => Date.parse(`${h}T00:00:00Z`) / DAY).filter((d) => Number.isInteger(d) && isBusinessDay(new Date(d * DAY), new Set())).sort((x, y) => x - y);
    holidayDays.set(holidays, days);
  }
  return firstAtOrAfter(days, last + 1) - firstAtOrAfter(days, first);
}

function firstAtOrAfter(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export type SlaState = 'on_track' | 'at_risk' | 'breached' | 'met';

export interface SlaClock {
  startedAt: string;
  dueAt: string;
  state: SlaState;
  businessDaysLeft: number;
}

/** Names the calendar and promise a due date was computed on, so a changed file is noticed. */
export const calendarKey = (levels: ServiceLevels) => crypto.createHash('sha256').update(JSON.stringify(levels)).digest('hex').slice(0, 16);

/** When the opinion of a case ready for review at `readyAt` is due, and on which calendar. */
export function dueDate(levels: ServiceLevels, readyAt: Date, urgency: 'standard' | 'expedited'): { dueAt: Date; calendar: string } {
  return { dueAt: addBusinessDays(readyAt, levels.businessDays[urgency], holidaysOf(levels)), calendar: calendarKey(levels) };
}

/**
 * The first due date that is on track at `now`: earlier ones (not yet passed) are at risk. It is
 * the start of the business day that leaves one more than the at-risk margin, counted the way
 * `slaClock` counts (`businessDaysBetween`), so a list filtered by it agrees with each case's clock.
 */
export function onTrackFrom(levels: ServiceLevels, now: Date): Date {
  const holidays = holidaysOf(levels);
  let left = levels.atRiskWithinBusinessDays + 1;
  let d = now;
  while (left > 0) {
    d = new Date(d.getTime() + DAY);
    if (isBusinessDay(d, holidays)) left--;
  }
  return d;
}

/** The clock of one case, or null before it is ready for review. `dueAt` when stored, else computed. */
export function slaClock(levels: ServiceLevels, urgency: 'standard' | 'expedited', readyAt: Date | null, deliveredAt: Date | null, now: Date, dueAt?: Date | null): SlaClock | null {
  if (!readyAt) return null;
  const holidays = holidaysOf(levels);
  const due = dueAt ?? addBusinessDays(readyAt, levels.businessDays[urgency], holidays);
  const end = deliveredAt ?? now;
  const left = businessDaysBetween(now, due, holidays);
  const state: SlaState = deliveredAt ? (deliveredAt <= due ? 'met' : 'breached') : end > due ? 'breached' : left <= levels.atRiskWithinBusinessDays ? 'at_risk' : 'on_track';
  return { startedAt: readyAt.toISOString(), dueAt: due.toISOString(), state, businessDaysLeft: deliveredAt ? 0 : left };
}
