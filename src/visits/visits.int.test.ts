import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinRoom, nextMessage } from '../../test/support/live.ts';
import { aCaseInReview, aPatient, aStaff, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { fhirValidationErrors } from '../fhir/validate.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let expert: Person;
let stranger: Person;
let caseId: string;

// Every day, all day in New York: a slot is free at any time of the test's day.
const HOURS = { timeZone: 'America/New_York', weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, from: '00:00', to: '23:59' })), daysOff: [] };

beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '60000' });
  patient = await aPatient(t, 'Robin Visitor');
  coordinator = await aStaff(t, 'coordinator', 'Cora Visits');
  expert = await aStaff(t, 'expert', 'Dr. Vee Video');
  stranger = await aPatient(t, 'Stranger Danger');
  await t.db.query(`INSERT INTO expert_profiles (user_id, taxonomy_codes, licensure) VALUES ($1, $2, $3)`, [expert.id, ['207RX0202X'], ['US-OH']]);
  caseId = await aCaseInReview(t, patient, coordinator, expert);
});
afterAll(() => t.close());

describe('booking a video visit', () => {
  it('says why nothing can be booked until the expert sets hours', async () => {
    const r = await patient.client.get(`/api/cases/${caseId}/visits`);
    const consult = r.body.types.find((x: { id: string }) => x.id === 'pre_opinion_consult');
    expect(consult).toMatchObject({ bookable: false, why: ['Dr. Vee Video has not set hours for video visits yet.'] });
    expect(r.body.types.find((x: { id: string }) => x.id === 'opinion_review').why[0]).toBe('You can book this after your opinion is delivered.');
  });

  it('lets the expert set weekly hours in their zone, refusing a zone that does not exist', async () => {
    expect((await expert.client.put('/api/experts/me/visit-hours', { ...HOURS, timeZone: 'Mars/Olympus' })).status).toBe(400);
    expect((await expert.client.put('/api/experts/me/visit-hours', HOURS)).status).toBe(200);
    expect((await expert.client.get('/api/experts/me/visit-hours')).body.timeZone).toBe('America/New_York');
  });

  it('books a free slot, mails everyone a calendar invitation without health data, and refuses the same slot twice', async () => {
    const slots = (await patient.client.get(`/api/cases/${caseId}/visits/slots?type=pre_opinion_consult&days=10`)).body.slots as string[];
    expect(slots.length).toBeGreaterThan(10);
    const at = slots.find((s) => new Date(s).getTime() > Date.now() + 48 * 3_600_000)!;
    // Not at any time: only a free slot.
    expect((await patient.client.post(`/api/cases/${caseId}/visits`, { type: 'pre_opinion_consult', startsAt: '2030-01-01T03:07:00.000Z', timeZone: 'UTC' })).status).toBe(409);
    const booked = await patient.client.post(`/api/cases/${caseId}/visits`, { type: 'pre_opinion_consult', startsAt: at, timeZone: 'America/Chicago' });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ status: 'booked', expertName: 'Dr. Vee Video', startsAt: at, canCancel: true, roomOpen: false, past: false });
    // One visit of a kind at a time per case, and the slot is taken for everyone.
    const again = await patient.client.post(`/api/cases/${caseId}/visits`, { type: 'pre_opinion_consult', startsAt: at, timeZone: 'America/Chicago' });
    expect(again.status).toBe(422);
    expect(again.body.detail).toBe('A visit of this kind is already booked. Move it or cancel it to choose another time.');
    expect((await patient.client.get(`/api/cases/${caseId}/visits/slots?type=pre_opinion_consult&days=10`)).body.slots).not.toContain(at);
    // A board member reads the case for the meeting, not its appointments; a refusal is recorded.
    const colleague = await aStaff(t, 'expert', 'Dr. Not On Case');
    expect((await colleague.client.get(`/api/cases/${caseId}/visits`)).status).toBe(404);
    // Only the patient's side books.
    expect((await coordinator.client.post(`/api/cases/${caseId}/visits`, { type: 'pre_opinion_consult', startsAt: at, timeZone: 'UTC' })).status).toBe(403);
    expect((await stranger.client.post(`/api/cases/${caseId}/visits`, { type: 'pre_opinion_consult', startsAt: at, timeZone: 'UTC' })).status).toBe(404);

    const mails = await t.db.query<{ to_address: string; subject: string; body_text: string; attachments: { content: string }[] }>(`SELECT to_address, subject, body_text, attachments FROM mail_outbox WHERE kind = 'visit.book'`);
    expect(mails.map((m) => m.to_address).sort()).toEqual([expert.email, patient.email].sort());
    const toPatient = mails.find((m) => m.to_address === patient.email)!;
    expect(toPatient.subject).toMatch(/^Video visit on \w+day \d+ \w+ \d{4}, \d{2}:\d{2} \(C[SD]T\)$/);
    expect(toPatient.attachments[0]!.content).toMatch(/METHOD:REQUEST[\s\S]*DTSTART:\d{8}T\d{6}Z/);
    const reference = (await patient.client.get(`/api/cases/${caseId}`)).body.reference;
    // The patient's mail names the expert; the expert's names the request; neither says anything of the illness.
    for (const text of [toPatient.subject, toPatient.body_text, toPatient.attachments[0]!.content]) expect(text).not.toContain(reference);
    expect(mails.find((m) => m.to_address === expert.email)!.body_text).toContain(`about request ${reference}`);
    for (const m of mails) expect(`${m.subject} ${m.body_text} ${m.attachments[0]!.content}`.toLowerCase()).not.toMatch(/adenocarcinoma|lung|cancer/);
    const [job] = await t.db.query<{ run_at: Date }>(`SELECT run_at FROM jobs WHERE kind = 'visit.remind'`);
    expect(new Date(job!.run_at).toISOString()).toBe(new Date(new Date(at).getTime() - 24 * 3_600_000).toISOString());
    const timeline = await patient.client.get(`/api/cases/${caseId}/timeline`);
    expect(JSON.stringify(timeline.body)).toContain('Booked a video visit with the expert');

    // FHIR Appointment, valid, under the case's access check.
    const fhir = await patient.client.get(`/fhir/R4/Appointment/${booked.body.id}`);
    expect(fhir.body).toMatchObject({ resourceType: 'Appointment', status: 'booked', start: at, minutesDuration: 30 });
    expect(fhirValidationErrors(fhir.body)).toEqual([]);
    expect((await stranger.client.get(`/fhir/R4/Appointment/${booked.body.id}`)).status).toBe(404);
    // The expert in FHIR too, for those who search the directory.
    const practitioner = await coordinator.client.get(`/fhir/R4/Practitioner/${expert.id}`);
    expect(practitioner.body).toMatchObject({ resourceType: 'Practitioner', id: expert.id, qualification: [{ code: { text: 'Licensed in US-OH' } }] });
    const role = await coordinator.client.get(`/fhir/R4/PractitionerRole/role-${expert.id}`);
    expect(role.body).toMatchObject({ resourceType: 'PractitionerRole', practitioner: { reference: `Practitioner/${expert.id}` } });
    for (const r of [practitioner.body, role.body]) expect(fhirValidationErrors(r)).toEqual([]);
    expect((await patient.client.get(`/fhir/R4/Practitioner/${expert.id}`)).status).toBe(403);
    // Availability in FHIR: the expert's Schedule, and its Slots, free and busy (the visit just booked).
    const schedule = await coordinator.client.get(`/fhir/R4/Schedule/visits-${expert.id}`);
    expect(schedule.body).toMatchObject({ resourceType: 'Schedule', active: true, actor: [{ reference: `Practitioner/${expert.id}`, display: 'Dr. Vee Video' }] });
    const searched = await coordinator.client.get(`/fhir/R4/Schedule?actor=Practitioner/${expert.id}`);
    expect(searched.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([`visits-${expert.id}`]);
    const slotSearch = await coordinator.client.get(`/fhir/R4/Slot?schedule=Schedule/visits-${expert.id}&service-type=pre_opinion_consult`);
    expect(slotSearch.status).toBe(200);
    const fhirSlots = slotSearch.body.entry.map((e: { resource: { status: string; start: string } }) => e.resource);
    const openNow = (await patient.client.get(`/api/cases/${caseId}/visits/slots?type=pre_opinion_consult&days=10`)).body.slots as string[];
    expect(fhirSlots.filter((x: { status: string }) => x.status === 'free').map((x: { start: string }) => x.start)).toEqual(expect.arrayContaining(openNow));
    expect(fhirSlots.filter((x: { status: string }) => x.status === 'busy')).toEqual([expect.objectContaining({ start: at, schedule: { reference: `Schedule/visits-${expert.id}` } })]);
    for (const r of [schedule.body, searched.body, slotSearch.body]) expect(fhirValidationErrors(r)).toEqual([]);
    const busyOnly = await coordinator.client.get(`/fhir/R4/Slot?schedule=Schedule/visits-${expert.id}&status=busy&start=ge${at.slice(0, 10)}&start=lt${new Date(new Date(at).getTime() + 86_400_000).toISOString()}`);
    expect(busyOnly.body.entry).toHaveLength(1);
    expect((await patient.client.get(`/fhir/R4/Slot?schedule=Schedule/visits-${expert.id}`)).status).toBe(403);
    expect((await coordinator.client.get(`/fhir/R4/Slot?schedule=Schedule/visits-${expert.id}&start=ge2027-13-45`)).status).toBe(400);
    expect((await coordinator.client.get('/fhir/R4/Slot')).status).toBe(400);
    expect((await coordinator.client.get('/fhir/R4/Schedule/visits-not-an-expert')).status).toBe(404);

    // Moving it to another free time: one step, calendars updated in place, the reminder follows.
    const later = slots.find((s) => new Date(s).getTime() > new Date(at).getTime() + 24 * 3_600_000)!;
    expect((await stranger.client.post(`/api/visits/${booked.body.id}/move`, { startsAt: later })).status).toBe(404);
    expect((await patient.client.post(`/api/visits/${booked.body.id}/move`, { startsAt: '2030-01-01T03:07:00.000Z' })).status).toBe(409);
    const moved = await patient.client.post(`/api/visits/${booked.body.id}/move`, { startsAt: later });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: booked.body.id, startsAt: later, status: 'booked' });
    const moves = await t.db.query<{ subject: string; attachments: { content: string }[] }>(`SELECT subject, attachments FROM mail_outbox WHERE kind = 'visit.move'`);
    expect(moves).toHaveLength(2);
    expect(moves[0]!.subject).toMatch(/^Moved: video visit, now on /);
    expect(moves[0]!.attachments[0]!.content).toContain(`UID:visit-${booked.body.id}@consilium`);
    expect(moves[0]!.attachments[0]!.content).toMatch(/METHOD:REQUEST[\s\S]*SEQUENCE:1/);
    // The old time is free again; the reminder goes a day before the new one.
    expect((await patient.client.get(`/api/cases/${caseId}/visits/slots?type=pre_opinion_consult&days=10`)).body.slots).toContain(at);
    expect((await t.db.query(`SELECT 1 FROM jobs WHERE kind = 'visit.remind' AND payload->>'startsAt' = $1`, [later])).length).toBe(1);
    expect(JSON.stringify((await patient.client.get(`/api/cases/${caseId}/timeline`)).body)).toContain('A video visit was moved to another time');

    // Cancelling with enough notice: everyone gets the calendar's cancellation.
    expect((await stranger.client.post(`/api/visits/${booked.body.id}/cancel`, {})).status).toBe(404);
    expect((await patient.client.post(`/api/visits/${booked.body.id}/cancel`, { reason: 'Another appointment' })).status).toBe(200);
    const cancels = await t.db.query<{ attachments: { content: string }[] }>(`SELECT attachments FROM mail_outbox WHERE kind = 'visit.cancel'`);
    expect(cancels).toHaveLength(2);
    expect(cancels[0]!.attachments[0]!.content).toMatch(/METHOD:CANCEL[\s\S]*SEQUENCE:2/);
  });

  it('refuses a patient who cancels too late; the expert still can', async () => {
    const slots = (await patient.client.get(`/api/cases/${caseId}/visits/slots?type=pre_opinion_consult&days=3`)).body.slots as string[];
    const soon = slots.find((s) => new Date(s).getTime() < Date.now() + 23 * 3_600_000)!;
    const booked = await patient.client.post(`/api/cases/${caseId}/visits`, { type: 'pre_opinion_consult', startsAt: soon, timeZone: 'UTC' });
    expect(booked.body.canCancel).toBe(false);
    const refused = await patient.client.post(`/api/visits/${booked.body.id}/cancel`, {});
    expect(refused.status).toBe(422);
    expect(refused.body.unmet[0]).toMatch(/up to 24 hours before/);
    expect((await expert.client.post(`/api/visits/${booked.body.id}/cancel`, { reason: 'Called away' })).status).toBe(200);
  });
});

describe('the visit room', () => {
  let visitId: string;
  const open = (p: Person) => joinRoom(t.baseUrl, `/api/visits/${visitId}/live`, p.client);
  const next = nextMessage;

  beforeAll(async () => {
    // A visit starting in five minutes: the room is open.
    const [v] = await t.db.query<{ id: string }>(
      `INSERT INTO visits (case_id, expert_id, visit_type, starts_at, ends_at, booked_by, patient_time_zone) VALUES ($1,$2,'pre_opinion_consult', now() + interval '5 minutes', now() + interval '35 minutes', $3, 'UTC') RETURNING id`,
      [caseId, expert.id, patient.id]);
    visitId = v!.id;
  });

  it('admits the expert, keeps the patient waiting until admitted, relays WebRTC messages only between those admitted, and keeps strangers out', async () => {
    const doctor = await open(expert);
    expect(doctor.messages[0]).toMatchObject({ type: 'hello', expert: true, iceServers: [] });
    const pat = await open(patient);
    expect(pat.messages[0]).toMatchObject({ type: 'hello', expert: false });
    await next(doctor.messages, (m) => m.type === 'presence' && m.presence.some((p: { userId: string; state: string }) => p.userId === patient.id && p.state === 'waiting'));
    await expect(open(stranger)).rejects.toThrow(/closed: 4404/);

    // Waiting: nothing passes to the expert yet.
    pat.ws.send(JSON.stringify({ type: 'signal', to: expert.id, data: { description: { type: 'offer', sdp: 'v=0' } } }));
    expect(await next(pat.messages, (m) => m.type === 'error')).toMatchObject({ status: 403 });
    // Only the expert admits.
    pat.ws.send(JSON.stringify({ type: 'admit', userId: patient.id }));
    await next(pat.messages, (m) => m.type === 'error' && m.detail === 'The expert admits people to the visit.');
    doctor.ws.send(JSON.stringify({ type: 'admit', userId: patient.id }));
    await next(pat.messages, (m) => m.type === 'presence' && m.presence.some((p: { userId: string; state: string }) => p.userId === patient.id && p.state === 'admitted'));
    pat.ws.send(JSON.stringify({ type: 'signal', to: expert.id, data: { description: { type: 'offer', sdp: 'v=0 synthetic' } } }));
    expect(await next(doctor.messages, (m) => m.type === 'signal')).toEqual({ type: 'signal', from: patient.id, data: { description: { type: 'offer', sdp: 'v=0 synthetic' } } });
    pat.ws.send('not json');
    await next(pat.messages, (m) => m.detail === 'The message is not valid.');

    // The patient opens the visit in a second window: that one is them now, and the first is told and closes.
    const closed = new Promise((r) => pat.ws.once('close', r));
    const second = await open(patient);
    await next(pat.messages, (m) => m.type === 'replaced');
    expect(await closed).toBe(4409);
    // Closing the old window did not take the patient out of the visit: still admitted, no new waiting.
    await new Promise((r) => setTimeout(r, 200));
    const [presence] = await t.db.query<{ state: string }>('SELECT state FROM visit_presence WHERE visit_id = $1 AND user_id = $2', [visitId, patient.id]);
    expect(presence!.state).toBe('admitted');
    expect(second.messages[0].presence.find((p: { userId: string }) => p.userId === patient.id)).toMatchObject({ state: 'admitted' });

    // The expert ends the visit: everyone's room closes, the case's timeline says so.
    doctor.ws.send(JSON.stringify({ type: 'end' }));
    await next(second.messages, (m) => m.type === 'ended');
    const [v] = await t.db.query<{ status: string; started_at: Date | null }>('SELECT status, started_at FROM visits WHERE id = $1', [visitId]);
    expect(v).toMatchObject({ status: 'ended', started_at: expect.any(Date) });
    const actions = (await t.db.query<{ action: string }>(`SELECT action FROM audit_events WHERE case_id = $1 AND action LIKE 'visit.%' ORDER BY seq`, [caseId])).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['visit.room.enter', 'visit.room.admit', 'visit.end']));
    expect(await t.db.query('SELECT 1 FROM visit_signals WHERE visit_id = $1', [visitId])).toEqual([]);
  });
});

describe('interpreters', () => {
  it('lets the case’s coordinator book an interpreter in the asked-for language, who joins that visit and sees nothing else', async () => {
    const admin = await aStaff(t, 'admin', 'Ada Admin');
    // An interpreter account says which languages they work in.
    expect((await admin.client.post('/api/admin/users', { email: 'ivan.interp@staff.test', name: 'Ivan Interp', role: 'interpreter' })).status).toBe(400);
    expect((await admin.client.post('/api/admin/users', { email: 'cora2@staff.test', name: 'Cora Two', role: 'coordinator', interprets: ['es'] })).status).toBe(400);
    const created = await admin.client.post('/api/admin/users', { email: 'ines.interp@staff.test', name: 'Ines Interp', role: 'interpreter', interprets: ['es'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'interpreter', interprets: ['es'] });
    const ines = await aStaff(t, 'interpreter', 'Ines Spanish');
    await t.db.query(`UPDATE users SET interprets = '{es}' WHERE id = $1`, [ines.id]);
    const french = await aStaff(t, 'interpreter', 'Fran French');
    await t.db.query(`UPDATE users SET interprets = '{fr}' WHERE id = $1`, [french.id]);

    const slots = (await patient.client.get(`/api/cases/${caseId}/visits/slots?type=pre_opinion_consult&days=10`)).body.slots as string[];
    const at = slots.find((s) => new Date(s).getTime() > Date.now() + 72 * 3_600_000)!;
    const visit = (await patient.client.post(`/api/cases/${caseId}/visits`, { type: 'pre_opinion_consult', startsAt: at, timeZone: 'America/Chicago', interpreterLanguage: 'es' })).body;
    const choices = await coordinator.client.get(`/api/visits/${visit.id}/interpreters`);
    expect(choices.body.map((c: { name: string }) => c.name)).toEqual(['Ines Interp', 'Ines Spanish']);
    // Only the case's coordinator books; a French interpreter is refused.
    expect((await expert.client.put(`/api/visits/${visit.id}/interpreter`, { userId: ines.id })).status).toBe(403);
    expect((await coordinator.client.put(`/api/visits/${visit.id}/interpreter`, { userId: french.id })).status).toBe(422);
    const booked = await coordinator.client.put(`/api/visits/${visit.id}/interpreter`, { userId: ines.id });
    expect(booked.body).toMatchObject({ interpreterLanguage: 'es', interpreterName: 'Ines Spanish' });
    const [mail] = await t.db.query<{ subject: string; body_text: string; attachments: { content: string }[] }>(`SELECT subject, body_text, attachments FROM mail_outbox WHERE to_address = $1`, [ines.email]);
    expect(mail!.body_text).toContain('You interpret a video visit with Dr. Vee Video');
    const reference = (await coordinator.client.get(`/api/cases/${caseId}`)).body.reference;
    expect(`${mail!.subject} ${mail!.body_text} ${mail!.attachments[0]!.content}`).not.toContain(reference);
    expect((await patient.client.get(`/api/cases/${caseId}/visits`)).body.visits.find((v: { id: string }) => v.id === visit.id).interpreterName).toBe('Ines Spanish');

    // The interpreter sees the visit, not the case.
    const mine = await ines.client.get('/api/visits/mine');
    expect(mine.body.map((v: { id: string }) => v.id)).toEqual([visit.id]);
    expect((await ines.client.get(`/api/visits/${visit.id}`)).status).toBe(200);
    expect((await french.client.get(`/api/visits/${visit.id}`)).status).toBe(404);
    for (const path of [`/api/cases/${caseId}`, `/api/cases/${caseId}/documents`, `/api/cases/${caseId}/visits`]) expect([403, 404]).toContain((await ines.client.get(path)).status);

    // Moving the visit tells the interpreter too; taking them off sends the cancellation.
    expect((await coordinator.client.put(`/api/visits/${visit.id}/interpreter`, { userId: null })).status).toBe(200);
    const [cancel] = await t.db.query<{ attachments: { content: string }[] }>(`SELECT attachments FROM mail_outbox WHERE to_address = $1 AND kind = 'visit.cancel'`, [ines.email]);
    expect(cancel!.attachments[0]!.content).toMatch(/METHOD:CANCEL/);
    expect((await ines.client.get(`/api/visits/${visit.id}`)).status).toBe(404);

    // Booked again: the new invitation outranks the cancellation sent before it.
    expect((await coordinator.client.put(`/api/visits/${visit.id}/interpreter`, { userId: ines.id })).status).toBe(200);
    const invites = await t.db.query<{ kind: string; attachments: { content: string }[] }>(`SELECT kind, attachments FROM mail_outbox WHERE to_address = $1 ORDER BY created_at, id`, [ines.email]);
    const seq = (m: { attachments: { content: string }[] }) => Number(/SEQUENCE:(\d+)/.exec(m.attachments[0]!.content)![1]);
    expect(invites.map((m) => m.kind)).toEqual(['visit.book', 'visit.cancel', 'visit.book']);
    expect(seq(invites[2]!)).toBeGreaterThan(seq(invites[1]!));
    // Another visit at the same time cannot have her.
    const [clash] = await t.db.query<{ id: string }>(
      `INSERT INTO visits (case_id, expert_id, visit_type, starts_at, ends_at, booked_by, patient_time_zone, interpreter_language) SELECT case_id, expert_id, 'opinion_review', starts_at, ends_at, booked_by, 'UTC', 'es' FROM visits WHERE id = $1 RETURNING id`, [visit.id]);
    expect((await coordinator.client.put(`/api/visits/${clash!.id}/interpreter`, { userId: ines.id })).status).toBe(422);
  });

  it('lets the interpreter into the room through the waiting room, like everyone but the expert', async () => {
    const ines = await aStaff(t, 'interpreter', 'Ines Room');
    await t.db.query(`UPDATE users SET interprets = '{es}' WHERE id = $1`, [ines.id]);
    const [v] = await t.db.query<{ id: string }>(
      `INSERT INTO visits (case_id, expert_id, visit_type, starts_at, ends_at, booked_by, patient_time_zone, interpreter_language, interpreter_id)
       VALUES ($1,$2,'opinion_review', now() + interval '5 minutes', now() + interval '35 minutes', $3, 'UTC', 'es', $4) RETURNING id`, [caseId, expert.id, patient.id, ines.id]);
    const doctor = await joinRoom(t.baseUrl, `/api/visits/${v!.id}/live`, expert.client);
    const interp = await joinRoom(t.baseUrl, `/api/visits/${v!.id}/live`, ines.client);
    expect(interp.messages[0]).toMatchObject({ type: 'hello', expert: false });
    await nextMessage(doctor.messages, (m) => m.type === 'presence' && m.presence.some((p: { name: string; state: string }) => p.name === 'Ines Room' && p.state === 'waiting'));
    doctor.ws.send(JSON.stringify({ type: 'admit', userId: ines.id }));
    await nextMessage(interp.messages, (m) => m.type === 'presence' && m.presence.some((p: { userId: string; state: string }) => p.userId === ines.id && p.state === 'admitted'));
    const audit = await t.db.query<{ action: string }>(`SELECT action FROM audit_events WHERE actor_id = $1 AND case_id = $2`, [ines.id, caseId]);
    expect(audit.map((a) => a.action)).toContain('visit.room.enter');
    // Taken off the visit by the coordinator, the interpreter is out of the room at once.
    const closed = new Promise((r) => interp.ws.once('close', r));
    expect((await coordinator.client.put(`/api/visits/${v!.id}/interpreter`, { userId: null })).status).toBe(200);
    expect(await closed).toBe(4403);
    await expect(joinRoom(t.baseUrl, `/api/visits/${v!.id}/live`, ines.client)).rejects.toThrow(/closed: 4404/);
    doctor.ws.close();
  });
});

describe('in the patient’s language', () => {
  it('writes the patient side’s calendar mail in their account’s language, the date too; the expert’s in the expert’s (English here)', async () => {
    const paciente = await aPatient(t, 'Lucía Visita');
    await paciente.client.put('/api/auth/locale', { locale: 'es' });
    const id = await aCaseInReview(t, paciente, coordinator, expert);
    const slots = (await paciente.client.get(`/api/cases/${id}/visits/slots?type=pre_opinion_consult&days=10`)).body.slots as string[];
    const at = slots.find((s) => new Date(s).getTime() > Date.now() + 72 * 3_600_000)!;
    expect((await paciente.client.post(`/api/cases/${id}/visits`, { type: 'pre_opinion_consult', startsAt: at, timeZone: 'America/Mexico_City' })).status).toBe(201);
    const [mail] = await t.db.query<{ subject: string; body_text: string; attachments: { content: string }[] }>(`SELECT subject, body_text, attachments FROM mail_outbox WHERE kind = 'visit.book' AND to_address = $1`, [paciente.email]);
    expect(mail!.subject).toMatch(/^Videoconsulta el (lunes|martes|miércoles|jueves|viernes|sábado|domingo) \d+ de \p{L}+ de \d{4}, \d{2}:\d{2} \(/u);
    expect(mail!.body_text).toMatch(/^Hola, Lucía Visita:\n\nSu videoconsulta con Dr. Vee Video es el /);
    expect(mail!.body_text).toContain('Para proteger su privacidad, este mensaje no contiene información de salud.');
    expect(mail!.attachments[0]!.content).toContain('SUMMARY:Videoconsulta con Dr. Vee Video');
    const [toExpert] = await t.db.query<{ subject: string }>(`SELECT subject FROM mail_outbox WHERE kind = 'visit.book' AND to_address = $1 ORDER BY created_at DESC LIMIT 1`, [expert.email]);
    expect(toExpert!.subject).toMatch(/^Video visit on /);
  });
});
