import type { Schedule, Slot } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import { AppError } from '../core/errors.ts';
import { freeSlots, type Busy, type VisitHours, type VisitType } from './rules.ts';

/**
 * An expert's video-visit availability in FHIR R4: one Schedule per expert (their weekly hours),
 * and its Slots, free or busy, computed from the hours and the visits booked (not stored). Ids
 * are derived, so a Slot found twice is the same Slot.
 */
export interface ExpertAvailability { id: string; name: string; hours: VisitHours | null; busy: Busy[] }

export const scheduleId = (expertId: string) => `visits-${expertId}`;
export const expertOfScheduleId = (id: string) => (/^visits-([0-9a-f-]{36})$/i.exec(id)?.[1] ?? null);

export function scheduleResource(e: ExpertAvailability, types: readonly VisitType[], horizon: { from: Date; to: Date }): Schedule {
  return {
    resourceType: 'Schedule', id: scheduleId(e.id), active: !!e.hours?.weekly.length,
    serviceType: types.map((t) => ({ coding: [{ system: 'urn:consilium:visit-type', code: t.id, display: t.label }], text: t.label })),
    actor: [{ reference: `Practitioner/${e.id}`, display: e.name }],
    planningHorizon: { start: horizon.from.toISOString(), end: horizon.to.toISOString() },
    comment: e.hours ? `Video visits in the expert's weekly hours (${e.hours.timeZone}).` : 'No weekly hours for video visits yet.',
  };
}

/** Free slots for one visit type, and the booked visits as busy slots, within the range. */
export function slotResources(e: ExpertAvailability, type: VisitType, range: { from: Date; to: Date }, now: Date, status?: 'free' | 'busy'): Slot[] {
  const serviceType = [{ coding: [{ system: 'urn:consilium:visit-type', code: type.id, display: type.label }], text: type.label }];
  const schedule = { reference: `Schedule/${scheduleId(e.id)}` };
  const minute = (d: Date) => Math.floor(d.getTime() / 60_000);
  const free = status === 'busy' || !e.hours ? [] : freeSlots(e.hours, type.minutes, e.busy, range, now).map((at): Slot => ({
    resourceType: 'Slot', id: `${e.id}-${type.id.replaceAll('_', '-')}-${minute(at)}`.slice(0, 64), schedule, serviceType, status: 'free',
    start: at.toISOString(), end: new Date(at.getTime() + type.minutes * 60_000).toISOString(),
  }));
  const busy = status === 'free' ? [] : e.busy.filter((b) => b.endsAt > range.from && b.startsAt < range.to).map((b): Slot => ({
    resourceType: 'Slot', id: `${e.id}-busy-${minute(b.startsAt)}`, schedule, status: 'busy', start: b.startsAt.toISOString(), end: b.endsAt.toISOString(),
  }));
  return [...free, ...busy].sort((a, b) => a.start.localeCompare(b.start));
}

/**
 * The `start` parameters of a Slot search (`ge`, `gt`, `le`, `lt` prefixes, or none: that day or
 * that minute), as FHIR reads them: a date alone means the whole day. Slots begin from now on;
 * without an end, two weeks after the start; at most 60 days at a time.
 */
export function slotRange(starts: string[], now: Date): { from: Date; to: Date } {
  const DAY = 86_400_000;
  let from: Date | null = null;
  let to: Date | null = null;
  for (const p of starts) {
    const m = /^(ge|gt|le|lt|eq)?(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/.exec(p);
    // Luxon refuses dates that do not exist (2027-02-30) rather than rolling them over.
    const at = m ? DateTime.fromISO(`${m[2]}${m[3] ?? 'T00:00:00Z'}`, { setZone: true }) : null;
    if (!m || !at?.isValid) throw new AppError('VALIDATION_FAILED', `The start parameter “${p.slice(0, 40)}” is not a date such as ge2027-01-04.`);
    const instant = at.toJSDate();
    const span = m[3] ? 60_000 : DAY;
    const prefix = m[1] ?? 'eq';
    if (prefix === 'ge') from = instant;
    else if (prefix === 'gt') from = new Date(instant.getTime() + span);
    else if (prefix === 'lt') to = instant;
    else if (prefix === 'le') to = new Date(instant.getTime() + span);
    else {
      from = instant;
      to = new Date(instant.getTime() + span);
    }
  }
  const start = from && from > now ? from : now;
  const end = to ?? new Date(start.getTime() + 14 * DAY);
  if (end.getTime() - start.getTime() > 60 * DAY) throw new AppError('VALIDATION_FAILED', 'Ask for at most 60 days of slots at a time.');
  return { from: start, to: end < start ? start : end };
}
