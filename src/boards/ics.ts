import { createEvent } from 'ics';

/**
 * The calendar invitation for a board session (RFC 5545, written by the `ics` library). It says
 * which board meets when and where to find it, never which cases it discusses.
 */
export function sessionInvite(s: { id: string; starts_at: Date; ends_at: Date; title: string }, boardLabel: string, link: string, attendee: { name: string; email: string }, organizer: { name: string; email: string }): string {
  const utc = (d: Date): [number, number, number, number, number] => {
    const x = new Date(d);
    return [x.getUTCFullYear(), x.getUTCMonth() + 1, x.getUTCDate(), x.getUTCHours(), x.getUTCMinutes()];
  };
  const { error, value } = createEvent({
    uid: `board-session-${s.id}@consilium`,
    method: 'REQUEST',
    start: utc(s.starts_at), startInputType: 'utc', startOutputType: 'utc',
    end: utc(s.ends_at), endInputType: 'utc', endOutputType: 'utc',
    title: s.title || boardLabel,
    description: `${boardLabel}. The agenda and the case presentations are in Consilium after you sign in: ${link}`,
    url: link,
    location: link,
    status: 'CONFIRMED',
    // A request (METHOD:REQUEST) names who sends it: the chair, through the service's address.
    organizer: { name: organizer.name, email: organizer.email },
    attendees: [{ name: attendee.name, email: attendee.email, rsvp: true, partstat: 'NEEDS-ACTION', role: 'REQ-PARTICIPANT' }],
  });
  if (error || !value) throw new Error(`The calendar invitation could not be written: ${error?.message ?? 'no value'}`);
  return value;
}
