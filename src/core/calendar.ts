import { createEvent } from 'ics';

/**
 * Calendar invitations (RFC 5545, written by the `ics` library) for board sessions and video
 * visits. They say what meets when and where to find it in the app, never health data.
 */
export interface CalendarEvent {
  uid: string;
  startsAt: Date;
  endsAt: Date;
  title: string;
  description: string;
  url: string;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
  /** CANCEL withdraws an invitation sent before with the same uid (a higher sequence). */
  method?: 'REQUEST' | 'CANCEL';
  sequence?: number;
}

const utc = (d: Date): [number, number, number, number, number] => {
  const x = new Date(d);
  return [x.getUTCFullYear(), x.getUTCMonth() + 1, x.getUTCDate(), x.getUTCHours(), x.getUTCMinutes()];
};

export function calendarInvite(e: CalendarEvent): string {
  const method = e.method ?? 'REQUEST';
  const { error, value } = createEvent({
    uid: e.uid, method, sequence: e.sequence ?? 0,
    start: utc(e.startsAt), startInputType: 'utc', startOutputType: 'utc',
    end: utc(e.endsAt), endInputType: 'utc', endOutputType: 'utc',
    title: e.title, description: e.description, url: e.url, location: e.url,
    status: method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED',
    organizer: e.organizer,
    attendees: [{ name: e.attendee.name, email: e.attendee.email, rsvp: method === 'REQUEST', partstat: 'NEEDS-ACTION', role: 'REQ-PARTICIPANT' }],
  });
  if (error || !value) throw new Error(`The calendar invitation could not be written: ${error?.message ?? 'no value'}`);
  return value;
}

/** The address in a From header ("Consilium <no-reply@example.org>" → the address). */
export const mailAddress = (from: string) => /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
