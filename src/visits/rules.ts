import fs from 'node:fs';
import { DateTime, Interval } from 'luxon';
import { z } from 'zod';
import { entryIn, type Locale } from '../core/locale.ts';
import { wordsIn } from '../core/i18n.ts';

/**
 * Video visits as data (./data/visit-types.json: which visits, their length, who books them and
 * when, the licensing rule and the cancellation policy, each with sources) and the pure rules over
 * them: the free slots of an expert's week, and whether a booking or a cancellation may go ahead.
 * Times are computed with Luxon in the expert's time zone, so a weekly hour stays the same wall-
 * clock hour across a change of summer time.
 */
const Id = z.string().regex(/^[a-z0-9_-]+$/);
const Day = z.iso.date();
const VisitType = z.strictObject({
  id: Id, label: z.string().min(5), minutes: z.number().int().min(10).max(120), bookedBy: z.enum(['patient_side']),
  caseStatuses: z.array(z.string()).min(1),
  /** When the visit is offered, in the patient's words ("after your opinion is delivered"). */
  offered: z.string().min(5), requiresBoardDiscussion: z.boolean().optional(), licensedWherePatientIs: z.boolean(),
  /** The read fields in Spanish, beside the English. */
  es: z.strictObject({ label: z.string().min(5), offered: z.string().min(5) }).partial().optional(),
  sources: z.array(Id).min(1), reviewedOn: Day,
});
const VisitsFile = z.strictObject({
  version: Day,
  sources: z.array(z.strictObject({ id: Id, title: z.string().min(5), detail: z.string().min(5), reviewedOn: Day })),
  cancellation: z.strictObject({ minHoursBefore: z.number().min(0).max(168), sources: z.array(Id).min(1) }),
  minNoticeHours: z.number().min(0).max(168),
  types: z.array(VisitType).min(1),
});
export type VisitType = z.infer<typeof VisitType>;
export type VisitsKnowledge = z.infer<typeof VisitsFile>;

export function loadVisitTypes(raw: unknown): VisitsKnowledge {
  const k = VisitsFile.parse(raw);
  const ids = new Set(k.sources.map((s) => s.id));
  for (const item of [...k.types, k.cancellation]) for (const s of item.sources) if (!ids.has(s)) throw new Error(`visit-types.json cites unknown source ${s}`);
  return k;
}
export const VISITS = loadVisitTypes(JSON.parse(fs.readFileSync(new URL('./data/visit-types.json', import.meta.url), 'utf8')));
export const visitTypeById = (id: string) => VISITS.types.find((t) => t.id === id);
export const VISIT_TYPE_IDS = VISITS.types.map((t) => t.id) as [string, ...string[]];

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time like 09:30');
/** An expert's weekly video hours in their own time zone, and days off. */
export const VisitHours = z.strictObject({
  timeZone: z.string().min(2).max(64).refine((tz) => DateTime.local().setZone(tz).isValid, 'an IANA time zone such as America/New_York'),
  weekly: z.array(z.strictObject({ weekday: z.number().int().min(1).max(7), from: HHMM, to: HHMM }).refine((w) => w.from < w.to, 'A period must end after it starts.')).max(40),
  daysOff: z.array(Day).max(200).default([]),
}).meta({ id: 'VisitHours' });
export type VisitHours = z.infer<typeof VisitHours>;

export interface Busy { startsAt: Date; endsAt: Date }

/**
 * The free slots of `minutes` in the expert's hours between `from` and `to` (UTC instants),
 * none sooner than the notice period and none overlapping a visit already booked.
 */
export function freeSlots(hours: VisitHours, minutes: number, busy: readonly Busy[], range: { from: Date; to: Date }, now: Date, k: VisitsKnowledge = VISITS): Date[] {
  const earliest = DateTime.fromJSDate(now).plus({ hours: k.minNoticeHours });
  const end = DateTime.fromJSDate(range.to);
  const taken = busy.map((b) => Interval.fromDateTimes(DateTime.fromJSDate(b.startsAt), DateTime.fromJSDate(b.endsAt)));
  const out: Date[] = [];
  for (let day = DateTime.fromJSDate(range.from).setZone(hours.timeZone).startOf('day'); day < end; day = day.plus({ days: 1 })) {
    if (hours.daysOff.includes(day.toISODate()!)) continue;
    for (const w of hours.weekly.filter((x) => x.weekday === day.weekday)) {
      const [fh, fm] = w.from.split(':').map(Number);
      const [th, tm] = w.to.split(':').map(Number);
      const close = day.set({ hour: th, minute: tm });
      for (let at = day.set({ hour: fh, minute: fm }); at.plus({ minutes }) <= close; at = at.plus({ minutes })) {
        const slot = Interval.after(at, { minutes });
        if (at < earliest || at < DateTime.fromJSDate(range.from) || at >= end) continue;
        if (taken.some((t) => t.overlaps(slot))) continue;
        out.push(at.toJSDate());
      }
    }
  }
  return out.sort((a, b) => a.getTime() - b.getTime());
}

export interface BookingFacts {
  type: VisitType;
  caseStatus: string;
  boardDiscussed: boolean;
  patientLocation: string | null;
  expertLicensure: string[];
  expertName: string;
}


/** Why a booking may not go ahead, in plain words in the reader's language (empty: it may). */
export function bookingRefusal(f: BookingFacts, locale: Locale = 'en'): string[] {
  const t = wordsIn(locale);
  const out: string[] = [];
  if (!f.type.caseStatuses.includes(f.caseStatus)) out.push(t('visits:booking.notYet', { offered: entryIn(f.type, locale).offered }));
  if (f.type.requiresBoardDiscussion && !f.boardDiscussed) out.push(t('visits:booking.noBoard'));
  if (f.type.licensedWherePatientIs && !f.patientLocation) out.push(t('visits:booking.whereAreYou'));
  else if (f.type.licensedWherePatientIs && f.patientLocation && !f.expertLicensure.includes(f.patientLocation)) {
    out.push(t('visits:booking.notLicensed', { expert: f.expertName, where: f.patientLocation.replace(/^US-/, '') }));
  }
  return out;
}

/** Whether a visit may still be cancelled or moved by the patient's side (the policy's notice). */
export function cancelRefusal(startsAt: Date, now: Date, k: VisitsKnowledge = VISITS): string | null {
  const hours = (startsAt.getTime() - now.getTime()) / 3_600_000;
  return hours < k.cancellation.minHoursBefore ? `Visits can be changed or cancelled up to ${k.cancellation.minHoursBefore} hours before they start. Please call the coordinator.` : null;
}
