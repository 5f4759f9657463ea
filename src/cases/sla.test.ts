import { describe, expect, it } from 'vitest';
import { addBusinessDays, businessDaysBetween, calendarKey, dueDate, loadServiceLevels, onTrackFrom, slaClock } from './sla.ts';

const levels = loadServiceLevels();
const holidays = new Set(levels.holidays.dates);
const at = (s: string) => new Date(s);

describe('business-day calendar', () => {
  it('skips weekends', () => {
    // Friday 2026-11-20 10:00 + 3 business days = Wednesday 2026-11-25 10:00.
    expect(addBusinessDays(at('2026-11-20T10:00:00Z'), 3, holidays).toISOString()).toBe('2026-11-25T10:00:00.000Z');
  });
  it('skips holidays (Thanksgiving 2026-11-26)', () => {
    // Wednesday 2026-11-25 + 1 = Friday 2026-11-27 because Thursday is a holiday.
    expect(addBusinessDays(at('2026-11-25T09:00:00Z'), 1, holidays).toISOString()).toBe('2026-11-27T09:00:00.000Z');
    // Across Christmas and New Year: Thursday 2026-12-24 + 3 = Wednesday 2026-12-30.
    expect(addBusinessDays(at('2026-12-24T12:00:00Z'), 3, holidays).toISOString()).toBe('2026-12-30T12:00:00.000Z');
  });
  it('starts a weekend arrival from the next business morning', () => {
    expect(addBusinessDays(at('2026-11-21T15:00:00Z'), 1, holidays).toISOString()).toBe('2026-11-24T00:00:00.000Z');
  });
  it('counts business days between two moments', () => {
    expect(businessDaysBetween(at('2026-11-20T00:00:00Z'), at('2026-11-30T00:00:00Z'), holidays)).toBe(5);
    expect(businessDaysBetween(at('2026-11-30T00:00:00Z'), at('2026-11-20T00:00:00Z'), holidays)).toBe(-5);
  });
  it('counts as a day-by-day walk would, over years and at any time of day', () => {
    // The walk: every date reached a day at a time from `from` without passing `to`.
    const walked = (from: Date, to: Date) => {
      const [a, b, sign] = to >= from ? [from, to, 1] : [to, from, -1];
      let n = 0;
      for (let d = new Date(a.getTime() + 86_400_000); d <= b; d = new Date(d.getTime() + 86_400_000)) {
        if (![0, 6].includes(d.getUTCDay()) && !holidays.has(d.toISOString().slice(0, 10))) n++;
      }
      return sign * n || 0;
    };
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 500; i++) {
      const from = new Date(Date.UTC(2024, 0, 1) + random() * 4 * 365 * 86_400_000);
      const to = new Date(from.getTime() + (random() - 0.3) * (i % 10 === 0 ? 1200 : 40) * 86_400_000);
      expect(businessDaysBetween(from, to, holidays)).toBe(walked(from, to));
    }
  });
});

describe('SLA clock', () => {
  const ready = at('2026-11-16T09:00:00Z'); // Monday
  it('is on track, then at risk, then breached', () => {
    expect(slaClock(levels, 'standard', ready, null, at('2026-11-17T09:00:00Z'))!.state).toBe('on_track');
    const due = slaClock(levels, 'standard', ready, null, ready)!.dueAt;
    expect(due).toBe('2026-11-25T09:00:00.000Z');
    expect(slaClock(levels, 'standard', ready, null, at('2026-11-24T10:00:00Z'))!.state).toBe('at_risk');
    expect(slaClock(levels, 'standard', ready, null, at('2026-11-25T09:00:01Z'))!.state).toBe('breached');
  });
  it('gives expedited cases fewer days, and judges a delivered case by its delivery', () => {
    expect(slaClock(levels, 'expedited', ready, null, ready)!.dueAt).toBe('2026-11-19T09:00:00.000Z');
    expect(slaClock(levels, 'expedited', ready, at('2026-11-18T12:00:00Z'), at('2026-12-01T00:00:00Z'))!.state).toBe('met');
    expect(slaClock(levels, 'expedited', ready, at('2026-11-20T12:00:00Z'), at('2026-12-01T00:00:00Z'))!.state).toBe('breached');
    expect(slaClock(levels, 'standard', null, null, ready)).toBeNull();
  });
});

describe('the clock as a range on the stored due date', () => {
  it('puts every due date on the same side of onTrackFrom as the case’s own clock says', () => {
    // Every hour for three weeks around a Thanksgiving week, from a Wednesday afternoon.
    const now = at('2026-11-25T15:30:00Z');
    const boundary = onTrackFrom(levels, now);
    for (let h = -48; h < 24 * 21; h++) {
      const due = new Date(now.getTime() + h * 3_600_000);
      const clock = slaClock(levels, 'standard', at('2026-11-01T00:00:00Z'), null, now, due)!;
      const byRange = due < now ? 'breached' : due < boundary ? 'at_risk' : 'on_track';
      expect(byRange, due.toISOString()).toBe(clock.state);
    }
  });

  it('keeps the due date computed when the clock started', () => {
    const ready = at('2026-11-20T10:00:00Z');
    const { dueAt, calendar } = dueDate(levels, ready, 'expedited');
    expect(dueAt.toISOString()).toBe(addBusinessDays(ready, levels.businessDays.expedited, holidays).toISOString());
    expect(calendar).toBe(calendarKey(levels));
    expect(calendarKey({ ...levels, holidays: { ...levels.holidays, dates: [] } })).not.toBe(calendar);
  });
});
