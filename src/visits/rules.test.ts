import { describe, expect, it } from 'vitest';
import { bookingRefusal, cancelRefusal, freeSlots, loadVisitTypes, VISITS, visitTypeById, type VisitHours } from './rules.ts';

const hours: VisitHours = { timeZone: 'America/New_York', weekly: [{ weekday: 4, from: '09:00', to: '10:00' }], daysOff: [] };
const iso = (d: Date[]) => d.map((x) => x.toISOString());

describe('free slots', () => {
  it('cuts the weekly hours into slots in the expert’s zone, the same wall-clock hour across the change of summer time', () => {
    // Thursdays 9–10 in New York, around 14 March 2027 (clocks go forward).
    const slots = freeSlots(hours, 30, [], { from: new Date('2027-03-10T00:00:00Z'), to: new Date('2027-03-19T00:00:00Z') }, new Date('2027-03-01T00:00:00Z'));
    expect(iso(slots)).toEqual(['2027-03-11T14:00:00.000Z', '2027-03-11T14:30:00.000Z', '2027-03-18T13:00:00.000Z', '2027-03-18T13:30:00.000Z']);
  });

  it('leaves out booked times, days off and anything sooner than the notice period', () => {
    const busy = [{ startsAt: new Date('2027-03-11T14:00:00Z'), endsAt: new Date('2027-03-11T14:30:00Z') }];
    const slots = freeSlots({ ...hours, daysOff: ['2027-03-18'] }, 30, busy, { from: new Date('2027-03-10T00:00:00Z'), to: new Date('2027-03-19T00:00:00Z') }, new Date('2027-03-01T00:00:00Z'));
    expect(iso(slots)).toEqual(['2027-03-11T14:30:00.000Z']);
    const tooSoon = freeSlots(hours, 30, [], { from: new Date('2027-03-10T00:00:00Z'), to: new Date('2027-03-12T00:00:00Z') }, new Date('2027-03-11T04:00:00Z'));
    expect(tooSoon).toEqual([]);
  });

  it('gives no slot a visit does not fit in', () => {
    expect(freeSlots({ ...hours, weekly: [{ weekday: 4, from: '09:00', to: '09:20' }] }, 30, [], { from: new Date('2027-03-10T00:00:00Z'), to: new Date('2027-03-12T00:00:00Z') }, new Date('2027-03-01T00:00:00Z'))).toEqual([]);
  });
});

describe('booking and cancelling', () => {
  const type = visitTypeById('opinion_review')!;
  const facts = { type, caseStatus: 'delivered', boardDiscussed: false, patientLocation: 'US-OH', expertLicensure: ['US-OH'], expertName: 'Dr. Example' };
  it('needs the right stage of the request and an expert licensed where the patient is', () => {
    expect(bookingRefusal(facts)).toEqual([]);
    expect(bookingRefusal({ ...facts, caseStatus: 'in_review' })).toEqual(['You can book this after your opinion is delivered.']);
    expect(bookingRefusal({ ...facts, expertLicensure: ['US-NY'] })[0]).toMatch(/^Dr\. Example is not licensed in OH, where you are/);
    expect(bookingRefusal({ ...facts, type: visitTypeById('board_debrief')! })).toEqual(['The tumor board has not discussed this case yet.']);
    expect(bookingRefusal({ ...facts, patientLocation: null })[0]).toMatch(/^Tell us in your request where you live/);
    // In Spanish, the same reasons in the reader's words, the visit's own phrase translated beside the English.
    expect(bookingRefusal({ ...facts, caseStatus: 'in_review' }, 'es')).toEqual(['Puede programarla después de que reciba su opinión.']);
    expect(bookingRefusal({ ...facts, expertLicensure: ['US-NY'] }, 'es')[0]).toMatch(/^Dr\. Example no tiene licencia en OH, donde usted está/);
  });

  it('lets the patient side cancel or move a visit only with enough notice', () => {
    const now = new Date('2027-03-10T12:00:00Z');
    expect(cancelRefusal(new Date('2027-03-11T13:00:00Z'), now)).toBeNull();
    expect(cancelRefusal(new Date('2027-03-11T11:00:00Z'), now)).toMatch(/up to 24 hours before/);
  });

  it('refuses visit data that cites an unknown source', () => {
    const broken = structuredClone(VISITS);
    broken.types[0]!.sources = ['nowhere'];
    expect(() => loadVisitTypes(broken)).toThrow(/unknown source nowhere/);
  });
});
