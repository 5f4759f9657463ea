import { describe, expect, it } from 'vitest';
import { slotRange } from './fhir.ts';

describe('the start parameters of a FHIR Slot search', () => {
  const now = new Date('2027-01-04T10:00:00Z');
  const range = (...p: string[]) => {
    const r = slotRange(p, now);
    return [r.from.toISOString(), r.to.toISOString()];
  };

  it('reads a date alone as the whole day, and the prefixes as FHIR does', () => {
    expect(range('ge2027-01-10', 'le2027-01-11')).toEqual(['2027-01-10T00:00:00.000Z', '2027-01-12T00:00:00.000Z']);
    expect(range('gt2027-01-10', 'lt2027-01-12')).toEqual(['2027-01-11T00:00:00.000Z', '2027-01-12T00:00:00.000Z']);
    expect(range('2027-01-10')).toEqual(['2027-01-10T00:00:00.000Z', '2027-01-11T00:00:00.000Z']);
    expect(range('ge2027-01-10T09:30:00+01:00')).toEqual(['2027-01-10T08:30:00.000Z', '2027-01-24T08:30:00.000Z']);
  });

  it('starts from now, and two weeks after the start when no end is given', () => {
    expect(range()).toEqual(['2027-01-04T10:00:00.000Z', '2027-01-18T10:00:00.000Z']);
    expect(range('ge2026-12-01', 'lt2027-01-05')).toEqual(['2027-01-04T10:00:00.000Z', '2027-01-05T00:00:00.000Z']);
    // A start further ahead than two weeks still gets its two weeks.
    expect(range('ge2027-02-01')).toEqual(['2027-02-01T00:00:00.000Z', '2027-02-15T00:00:00.000Z']);
  });

  it('refuses dates that do not exist, other shapes, and more than 60 days', () => {
    for (const p of ['ge2027-02-30', 'ge2027-13-01', 'ap2027-01-10', 'ge27-01-10', 'ge2027-01-10T25:00:00Z']) expect(() => slotRange([p], now), p).toThrow(/not a date/);
    expect(() => slotRange(['ge2027-01-10', 'lt2027-06-01'], now)).toThrow(/at most 60 days/);
  });
});
