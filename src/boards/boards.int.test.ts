import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { joinRoom, nextMessage } from '../../test/support/live.ts';
import { aCase, aCaseInReview, aPatient, aStaff, issueOpinion, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { fhirValidationErrors } from '../fhir/validate.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let chair: Person;
let oncologist: Person;
let radiologist: Person;
let surgeon: Person;
let outsider: Person;
let caseId: string;
let sessionId: string;

const profile = (p: Person, codes: string[]) => t.db.query('INSERT INTO expert_profiles (user_id, taxonomy_codes) VALUES ($1, $2)', [p.id, codes]);
const inAWeek = () => {
  const d = new Date(Date.now() + 7 * 86_400_000);
  return `${d.toISOString().slice(0, 10)}T17:00`;
};

beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '60000', LOG_LEVEL: process.env.BOARD_LOG ?? 'silent' });
  patient = await aPatient(t, 'Robin Boardcase');
  coordinator = await aStaff(t, 'coordinator', 'Cora Board');
  chair = await aStaff(t, 'board_chair', 'Dr. Bea Chair');
  oncologist = await aStaff(t, 'expert', 'Dr. Onco Board');
  radiologist = await aStaff(t, 'expert', 'Dr. Rad Board');
  surgeon = await aStaff(t, 'expert', 'Dr. Thor Surgeon');
  outsider = await aStaff(t, 'expert', 'Dr. Not Invited');
  await profile(oncologist, ['207RX0202X']);
  await profile(radiologist, ['2085R0202X']);
  await profile(surgeon, ['208G00000X']);
  // A plan of surgery, radiation and chemotherapy: the multimodality rule proposes a board.
  caseId = await aCaseInReview(t, patient, coordinator, oncologist, { intake: { plan: { proposedPlan: 'Chemotherapy and radiotherapy, then right upper lobectomy', surgeryProposed: true, surgeryDescription: 'Right upper lobectomy', treatingInstitution: 'Synthetic General Hospital', treatmentStartsSoon: false, rapidWorsening: false } } });
});
afterAll(() => t.close());

describe('proposing a case for a board', () => {
  it('shows why the rules propose a board, with sources; the coordinator confirms and the case goes to the board', async () => {
    const board = await coordinator.client.get(`/api/cases/${caseId}/board`);
    expect(board.status).toBe(200);
    expect(board.body.suggestion).toMatchObject({ propose: true, boardType: 'thoracic', boardLabel: 'Thoracic tumor board' });
    expect(board.body.suggestion.fired[0]).toMatchObject({ id: 'multimodality', sources: expect.arrayContaining([expect.objectContaining({ id: 'coc-2020-2.5' })]) });
    expect(board.body.can).toEqual({ confirm: true, request: false });
    // Only the case's coordinator confirms; for a reviewer the route is like any case route whose role does not fit (404).
    expect((await oncologist.client.post(`/api/cases/${caseId}/board/confirm`, { boardType: 'thoracic' })).status).toBe(404);
    expect((await coordinator.client.post(`/api/cases/${caseId}/board/confirm`, { boardType: 'astrology' })).status).toBe(400);
    expect((await coordinator.client.post(`/api/cases/${caseId}/board/confirm`, { boardType: 'thoracic' })).status).toBe(200);
    const after = await patient.client.get(`/api/cases/${caseId}`);
    expect(after.body.status).toBe('board');
    const timeline = await patient.client.get(`/api/cases/${caseId}/timeline`);
    expect(JSON.stringify(timeline.body)).toContain('confirmed for a tumor board');
  });

  it('lets the patient ask for a board on a case no rule proposes; a stranger gets 404', async () => {
    const other = await aCase(t, patient, { submit: true, intake: { plan: { proposedPlan: 'Right upper lobectomy', surgeryProposed: true, surgeryDescription: 'Right upper lobectomy', treatmentStartsSoon: false, rapidWorsening: false } } });
    const before = await patient.client.get(`/api/cases/${other}/board`);
    expect(before.body).toMatchObject({ suggestion: { propose: false }, proposal: null, can: { request: true, confirm: false } });
    expect((await patient.client.post(`/api/cases/${other}/board/request`, { note: 'x' })).status).toBe(400);
    expect((await outsider.client.post(`/api/cases/${other}/board/request`, { note: 'Please discuss.' })).status).toBe(404);
    expect((await patient.client.post(`/api/cases/${other}/board/request`, { note: 'I would like the specialists to talk together.' })).status).toBe(201);
    const after = await patient.client.get(`/api/cases/${other}/board`);
    expect(after.body.proposal).toMatchObject({ status: 'requested' });
    expect(after.body.suggestion.fired[0].reason).toBe('Asked for by Robin Boardcase: “I would like the specialists to talk together.”');
  });
});

describe('sessions, agenda and members', () => {
  it('schedules a weekly series at the same wall-clock time across a change of summer time', async () => {
    const r = await chair.client.post('/api/boards/sessions', { boardType: 'thoracic', startsAtLocal: '2027-03-04T17:00', timeZone: 'America/New_York', durationMinutes: 60, repeat: { every: 'week', count: 3 } });
    expect(r.status).toBe(201);
    // 5 pm in New York: 22:00 UTC in winter, 21:00 UTC after the clocks move (14 March 2027).
    expect(r.body.map((s: { startsAt: string }) => s.startsAt)).toEqual(['2027-03-04T22:00:00.000Z', '2027-03-11T22:00:00.000Z', '2027-03-18T21:00:00.000Z']);
    expect((await chair.client.post('/api/boards/sessions', { boardType: 'thoracic', startsAtLocal: '2027-03-04T17:00', timeZone: 'Mars/Olympus', durationMinutes: 60 })).status).toBe(400);
    expect((await chair.client.post('/api/boards/sessions', { boardType: 'thoracic', startsAtLocal: '2020-03-04T17:00', timeZone: 'UTC', durationMinutes: 60 })).status).toBe(400);
    expect((await oncologist.client.post('/api/boards/sessions', { boardType: 'thoracic', startsAtLocal: '2027-03-04T17:00', timeZone: 'UTC', durationMinutes: 60 })).status).toBe(403);
  });

  it('builds the agenda from confirmed cases, invites members with a calendar invitation and says which seats are empty', async () => {
    const created = await chair.client.post('/api/boards/sessions', { boardType: 'thoracic', startsAtLocal: inAWeek(), timeZone: 'Europe/Berlin', durationMinutes: 90 });
    sessionId = created.body[0].id;
    const pool = await chair.client.get('/api/boards/proposals?boardType=thoracic');
    expect(pool.body.map((p: { caseId: string }) => p.caseId)).toContain(caseId);
    expect((await chair.client.post(`/api/boards/sessions/${sessionId}/agenda`, { caseId, minutes: 20 })).status).toBe(201);
    expect((await chair.client.post(`/api/boards/sessions/${sessionId}/agenda`, { caseId, minutes: 20 })).status).toBe(409);
    // A case nobody confirmed for a board cannot be put on an agenda.
    const unconfirmed = await aCase(t, patient, { submit: true });
    expect((await chair.client.post(`/api/boards/sessions/${sessionId}/agenda`, { caseId: unconfirmed, minutes: 10 })).status).toBe(404);

    const reviewers = await chair.client.post(`/api/boards/sessions/${sessionId}/members/reviewers`);
    expect(reviewers.body).toEqual({ invited: 1 });
    for (const p of [radiologist]) expect((await chair.client.post(`/api/boards/sessions/${sessionId}/members`, { userId: p.id, seat: 'Radiology' })).status).toBe(201);
    // The patient is no expert; nobody on the patient's side sits on the board.
    expect((await chair.client.post(`/api/boards/sessions/${sessionId}/members`, { userId: patient.id })).status).toBe(400);
    // Matching's conflict rule: someone from the hospital that treats the patient does not sit on this board.
    const colleague = await aStaff(t, 'expert', 'Dr. Same Hospital');
    await t.db.query(`INSERT INTO expert_profiles (user_id, taxonomy_codes, institution) VALUES ($1, $2, '{"name":"Synthetic General Hospital","academic":true,"tumorBoards":true,"trialsOpen":false}')`, [colleague.id, ['2085R0001X']]);
    const conflict = await chair.client.post(`/api/boards/sessions/${sessionId}/members`, { userId: colleague.id });
    expect(conflict.status).toBe(422);
    expect(conflict.body.detail).toMatch(/Dr\. Same Hospital works with or declared “Synthetic General Hospital”/);

    const [mail] = await t.db.query<{ subject: string; body_text: string; attachments: { filename: string; content: string }[] }>(
      `SELECT subject, body_text, attachments FROM mail_outbox WHERE to_address = $1 AND kind = 'board.invite'`, [radiologist.email]);
    expect(mail!.subject).toMatch(/^Invitation: Thoracic tumor board, /);
    expect(mail!.attachments[0]!.filename).toBe('board-session.ics');
    expect(mail!.attachments[0]!.content).toMatch(/BEGIN:VCALENDAR[\s\S]*METHOD:REQUEST[\s\S]*DTSTART:\d{8}T\d{6}Z/);
    // No health data in mail: neither the case reference nor the diagnosis.
    const caseRow = (await coordinator.client.get(`/api/cases/${caseId}`)).body;
    for (const text of [mail!.subject, mail!.body_text, mail!.attachments[0]!.content]) {
      expect(text).not.toContain(caseRow.reference);
      expect(text.toLowerCase()).not.toContain('adenocarcinoma');
    }

    const view = await radiologist.client.get(`/api/boards/sessions/${sessionId}`);
    expect(view.status).toBe(200);
    expect(view.body.agenda).toEqual([expect.objectContaining({ caseId, minutes: 20, minutesStatus: 'none' })]);
    expect(view.body.quorum).toMatchObject({ complete: false, basis: 'invited', missing: ['Pathology', 'Thoracic surgery', 'Radiation oncology', 'Pulmonology'] });
    expect(view.body.you).toEqual({ chair: false, presenter: false, member: true });
  });

  it('lets members see agenda cases until the session ends, and nobody else', async () => {
    expect((await radiologist.client.get(`/api/cases/${caseId}`)).status).toBe(200);
    expect((await radiologist.client.get(`/api/boards/sessions/${sessionId}/cases/${caseId}`)).status).toBe(200);
    // A member of no session sees neither the session nor the case.
    expect((await outsider.client.get(`/api/boards/sessions/${sessionId}`)).status).toBe(404);
    expect((await outsider.client.get(`/api/cases/${caseId}`)).status).toBe(404);
    expect((await outsider.client.get(`/api/boards/sessions/${sessionId}/cases/${caseId}`)).status).toBe(404);
    // Invited to another session only: still nothing of this one.
    const other = await chair.client.post('/api/boards/sessions', { boardType: 'gi', startsAtLocal: inAWeek(), timeZone: 'UTC', durationMinutes: 60 });
    await chair.client.post(`/api/boards/sessions/${other.body[0].id}/members`, { userId: outsider.id });
    expect((await outsider.client.get(`/api/boards/sessions/${sessionId}/cases/${caseId}`)).status).toBe(404);
    expect((await outsider.client.get(`/api/cases/${caseId}`)).status).toBe(404);
    // Cancelling that session withdraws it from its members' calendars.
    expect((await chair.client.post(`/api/boards/sessions/${other.body[0].id}/cancel`)).status).toBe(200);
    const cancelled = await t.db.query<{ attachments: { content: string }[] }>(`SELECT attachments FROM mail_outbox WHERE to_address = $1 AND kind = 'board.cancel'`, [outsider.email]);
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.attachments[0]!.content).toMatch(/METHOD:CANCEL/);

    // Once the session is over, the grant ends by itself.
    const past = await chair.client.post('/api/boards/sessions', { boardType: 'thoracic', startsAtLocal: inAWeek(), timeZone: 'UTC', durationMinutes: 30 });
    const pastId = past.body[0].id;
    await chair.client.post(`/api/boards/sessions/${pastId}/agenda`, { caseId, minutes: 10 });
    await chair.client.post(`/api/boards/sessions/${pastId}/members`, { userId: surgeon.id });
    expect((await surgeon.client.get(`/api/cases/${caseId}`)).status).toBe(200);
    await t.db.query(`UPDATE board_sessions SET starts_at = now() - interval '2 hours', ends_at = now() - interval '1 hour' WHERE id = $1`, [pastId]);
    await t.db.query(`UPDATE case_members SET expires_at = now() - interval '1 hour' WHERE user_id = $1 AND relation = 'board_member'`, [surgeon.id]);
    expect((await surgeon.client.get(`/api/cases/${caseId}`)).status).toBe(404);
    const ended = await surgeon.client.get(`/api/boards/sessions/${pastId}`);
    expect(ended.status).toBe(404);
    expect(ended.body.detail).toBe('This session has ended: its cases are no longer open to its members.');
    const denied = await t.db.query(`SELECT 1 FROM audit_events WHERE case_id = $1 AND actor_id = $2 AND outcome = 'denied'`, [caseId, surgeon.id]);
    expect(denied.length).toBeGreaterThan(0);
    // Removing a member ends theirs at once.
    await chair.client.post(`/api/boards/sessions/${sessionId}/members`, { userId: surgeon.id, seat: 'Thoracic surgery' });
    expect((await surgeon.client.get(`/api/cases/${caseId}`)).status).toBe(200);
    expect((await chair.client.delete(`/api/boards/sessions/${sessionId}/members/${surgeon.id}`)).status).toBe(200);
    expect((await surgeon.client.get(`/api/cases/${caseId}`)).status).toBe(404);
    // The calendar entry is withdrawn with the same uid.
    const [withdrawn] = await t.db.query<{ subject: string; attachments: { content: string }[] }>(`SELECT subject, attachments FROM mail_outbox WHERE to_address = $1 AND kind = 'board.cancel'`, [surgeon.email]);
    expect(withdrawn!.subject).toMatch(/^Cancelled for you: Thoracic tumor board, /);
    expect(withdrawn!.attachments[0]!.content).toMatch(new RegExp(`METHOD:CANCEL[\\s\\S]*UID:board-session-${sessionId}@consilium`));
  });

  it('orders the agenda only with every case of it', async () => {
    expect((await chair.client.put(`/api/boards/sessions/${sessionId}/agenda`, { caseIds: [caseId] })).status).toBe(200);
    expect((await chair.client.put(`/api/boards/sessions/${sessionId}/agenda`, { caseIds: [caseId, crypto.randomUUID()] })).status).toBe(409);
    expect((await radiologist.client.put(`/api/boards/sessions/${sessionId}/agenda`, { caseIds: [caseId] })).status).toBe(403);
  });

  it('tells the members once that the agenda changed, after the chair stops editing, without naming a case', async () => {
    await t.db.query(`DELETE FROM mail_outbox WHERE kind = 'board.agenda'`);
    expect((await chair.client.patch(`/api/boards/sessions/${sessionId}/agenda/${caseId}`, { minutes: 25 })).status).toBe(200);
    expect((await chair.client.patch(`/api/boards/sessions/${sessionId}/agenda/${caseId}`, { minutes: 30 })).status).toBe(200);
    const jobs = await t.db.query<{ run_at: Date }>(`SELECT run_at FROM jobs WHERE kind = 'board.agendaMail' AND payload->>'sessionId' = $1`, [sessionId]);
    // Each change waits out the quiet time (15 minutes by default) before anyone is mailed.
    for (const j of jobs) expect(new Date(j.run_at).getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
    await t.db.query(`UPDATE jobs SET run_at = now() WHERE kind = 'board.agendaMail'`);
    await t.app.jobs.drain();
    const mails = await t.db.query<{ to_address: string; subject: string; body_text: string }>(`SELECT to_address, subject, body_text FROM mail_outbox WHERE kind = 'board.agenda'`);
    expect(mails.map((m) => m.to_address).sort()).toEqual([oncologist.email, radiologist.email].sort());
    const reference = (await coordinator.client.get(`/api/cases/${caseId}`)).body.reference;
    for (const m of mails) {
      expect(m.subject).toMatch(/^Agenda changed: Thoracic tumor board, /);
      expect(m.body_text).toContain('It now has 1 case.');
      expect(`${m.subject} ${m.body_text}`).not.toContain(reference);
    }
  });

  it('moves or cancels this session or this and the following ones of a series, with calendar updates', async () => {
    const series = (await chair.client.post('/api/boards/sessions', { boardType: 'thoracic', startsAtLocal: '2027-10-21T09:00', timeZone: 'Europe/Berlin', durationMinutes: 60, repeat: { every: 'week', count: 3 } })).body as { id: string; seriesId: string }[];
    expect(new Set(series.map((x) => x.seriesId)).size).toBe(1);
    for (const x of series.slice(1)) expect((await chair.client.post(`/api/boards/sessions/${x.id}/members`, { userId: radiologist.id, seat: 'Radiology' })).status).toBe(201);
    // The case is on the second session's agenda too: the radiologist's access runs until that session ends.
    expect((await chair.client.post(`/api/boards/sessions/${series[1]!.id}/agenda`, { caseId, minutes: 10 })).status).toBe(201);
    const grantEnds = async () => new Date((await t.db.query<{ expires_at: Date }>(`SELECT expires_at FROM case_members WHERE case_id = $1 AND user_id = $2 AND relation = 'board_member' AND revoked_at IS NULL`, [caseId, radiologist.id]))[0]!.expires_at).toISOString();
    expect(await grantEnds()).toBe('2027-10-28T08:00:00.000Z');
    const change = { startsAtLocal: '2027-10-29T10:00', timeZone: 'Europe/Berlin', durationMinutes: 90, scope: 'following' };
    expect((await oncologist.client.patch(`/api/boards/sessions/${series[1]!.id}`, change)).status).toBe(403);
    expect((await chair.client.patch(`/api/boards/sessions/${series[1]!.id}`, { ...change, startsAtLocal: '2020-01-01T10:00' })).status).toBe(400);
    const moved = await chair.client.patch(`/api/boards/sessions/${series[1]!.id}`, change);
    expect(moved.status).toBe(200);
    // A day later at 10:00 in Berlin: summer time on the 29th, winter time from 31 October.
    expect(moved.body.map((x: { startsAt: string; endsAt: string }) => [x.startsAt, x.endsAt])).toEqual([
      ['2027-10-29T08:00:00.000Z', '2027-10-29T09:30:00.000Z'], ['2027-11-05T09:00:00.000Z', '2027-11-05T10:30:00.000Z']]);
    expect((await chair.client.get(`/api/boards/sessions/${series[0]!.id}`)).body.startsAt).toBe('2027-10-21T07:00:00.000Z');
    // Access moves with the session: it now ends when the moved session ends.
    expect(await grantEnds()).toBe('2027-10-29T09:30:00.000Z');
    const updates = await t.db.query<{ subject: string; attachments: { content: string }[] }>(`SELECT subject, attachments FROM mail_outbox WHERE to_address = $1 AND kind = 'board.update' ORDER BY created_at`, [radiologist.email]);
    expect(updates).toHaveLength(2);
    expect(updates[0]!.subject).toMatch(/^Moved: Thoracic tumor board, now Friday 29 October 2027, 10:00/);
    expect(updates[0]!.attachments[0]!.content).toMatch(new RegExp(`METHOD:REQUEST[\\s\\S]*UID:board-session-${series[1]!.id}@consilium[\\s\\S]*SEQUENCE:1`));

    // Only this one moves when asked so.
    const one = await chair.client.patch(`/api/boards/sessions/${series[2]!.id}`, { ...change, startsAtLocal: '2027-11-05T11:00', scope: 'this' });
    expect(one.body.map((x: { startsAt: string }) => x.startsAt)).toEqual(['2027-11-05T10:00:00.000Z']);

    expect((await chair.client.post(`/api/boards/sessions/${series[1]!.id}/cancel?scope=following`)).status).toBe(200);
    const statuses = await Promise.all(series.map(async (x) => (await chair.client.get(`/api/boards/sessions/${x.id}`)).body.status));
    expect(statuses).toEqual(['scheduled', 'cancelled', 'cancelled']);
    // Back to what the first session gives (it is still on that agenda).
    const [first] = await t.db.query<{ ends_at: Date }>('SELECT ends_at FROM board_sessions WHERE id = $1', [sessionId]);
    expect(await grantEnds()).toBe(new Date(first!.ends_at).toISOString());
    const cancels = await t.db.query<{ attachments: { content: string }[] }>(`SELECT attachments FROM mail_outbox WHERE to_address = $1 AND kind = 'board.cancel' AND attachments::text LIKE $2`, [radiologist.email, `%${series[2]!.id}%`]);
    // The last session was sent twice (invitation, then two moves): its cancellation outranks them.
    expect(cancels[0]!.attachments[0]!.content).toMatch(/METHOD:CANCEL[\s\S]*SEQUENCE:3/);
  });
});

describe('the shared presentation', () => {
  const connect = (p: Person) => joinRoom(t.baseUrl, `/api/boards/sessions/${sessionId}/live`, p.client);
  const next = nextMessage;

  it('follows the presenter live, checks every message, and keeps strangers out', async () => {
    const presenter = await connect(chair);
    const member = await connect(radiologist);
    await expect(connect(outsider)).rejects.toThrow(/closed: 4404/);
    await expect(joinRoom(t.baseUrl, `/api/boards/sessions/${sessionId}/live`, null)).rejects.toThrow('refused: 401');

    presenter.ws.send(JSON.stringify({ type: 'present', state: { caseId, section: 'summary' } }));
    const seen = await next(member.messages, (m) => m.type === 'state' && m.state.caseId === caseId);
    expect(seen).toMatchObject({ state: { caseId, section: 'summary' }, presenterId: chair.id });
    // A member who is not presenting cannot move the shared view.
    member.ws.send(JSON.stringify({ type: 'present', state: { caseId, section: 'minutes' } }));
    expect(await next(member.messages, (m) => m.type === 'error')).toMatchObject({ status: 403 });
    // A case off the agenda, or a malformed message, is refused and changes nothing.
    presenter.ws.send(JSON.stringify({ type: 'present', state: { caseId: crypto.randomUUID(), section: 'summary' } }));
    expect(await next(presenter.messages, (m) => m.type === 'error')).toMatchObject({ status: 400 });
    presenter.ws.send('{not json');
    expect((await next(presenter.messages, (m) => m.type === 'error' && m.detail === 'The message is not valid.'))).toBeTruthy();
    const state = (await chair.client.get(`/api/boards/sessions/${sessionId}`)).body.presentation;
    expect(state).toEqual({ caseId, section: 'summary' });
    // Joining during the session window records attendance; here the session is next week.
    const members = (await chair.client.get(`/api/boards/sessions/${sessionId}`)).body.members;
    expect(members.find((m: { userId: string }) => m.userId === radiologist.id).attended).toBe(false);
    // A member removed stops hearing the room at the next signal.
    const lateMember = await connect(oncologist);
    expect(lateMember.messages[0]).toMatchObject({ type: 'hello', state: { caseId } });
    await chair.client.delete(`/api/boards/sessions/${sessionId}/members/${oncologist.id}`);
    const closed = await new Promise<number>((r) => (lateMember.ws.readyState === WebSocket.CLOSED ? r(4403) : lateMember.ws.on('close', (code) => r(code))));
    expect(closed).toBe(4403);
    await chair.client.post(`/api/boards/sessions/${sessionId}/members`, { userId: oncologist.id, seat: 'Medical oncology' });
    presenter.ws.close();
    member.ws.close();
  });

  it('builds the one-page presentation from the case, every fact linked to where it comes from', async () => {
    const r = await radiologist.client.get(`/api/boards/sessions/${sessionId}/cases/${caseId}`);
    expect(r.status).toBe(200);
    expect(r.body.question[0]).toMatch(/combines surgery, radiation and drug therapy/);
    expect(r.body.question).toContain('Patient’s question: Is surgery the best option for me?');
    expect(r.body.history[0].text).toBe('Diagnosis: Adenocarcinoma of the right upper lobe (C34.11)');
    expect(r.body.priorities[0]).toBe('1. Living as long as possible');
    const audit = await t.db.query(`SELECT 1 FROM audit_events WHERE case_id = $1 AND actor_id = $2 AND action = 'board.presentation.read'`, [caseId, radiologist.id]);
    expect(audit.length).toBeGreaterThan(0);
  });
});

describe('minutes into the opinion', () => {
  it('confirms complete minutes with attendance; the case returns to review; the lead reviewer’s report carries them', async () => {
    await chair.client.put(`/api/boards/sessions/${sessionId}/members/${radiologist.id}/attendance`, { attended: true });
    const draft = { consensus: { treatmentStance: 'modify', recommendation: 'Molecular testing first, then lobectomy.' }, rationale: 'EGFR status changes the plan.' };
    const saved = await chair.client.put(`/api/boards/sessions/${sessionId}/cases/${caseId}/minutes`, draft);
    expect(saved.body.missing).toEqual(['Say whether the recommendation follows the guidelines.']);
    const refused = await chair.client.post(`/api/boards/sessions/${sessionId}/cases/${caseId}/minutes/confirm`);
    expect(refused.status).toBe(422);
    expect(refused.body.unmet).toEqual(['Say whether the recommendation follows the guidelines.']);
    expect((await radiologist.client.put(`/api/boards/sessions/${sessionId}/cases/${caseId}/minutes`, draft)).status).toBe(403);
    expect((await chair.client.put(`/api/boards/sessions/${sessionId}/cases/${caseId}/minutes`, { ...draft, dissent: [{ memberId: outsider.id, text: 'x' }] })).status).toBe(400);
    const full = {
      ...draft, guideline: { concordant: true },
      dissent: [{ memberId: radiologist.id, text: 'Would image the brain before surgery.' }],
      actions: [{ kind: 'extra_testing', text: 'EGFR and ALK on block A3', ownerId: oncologist.id }],
    };
    expect((await chair.client.put(`/api/boards/sessions/${sessionId}/cases/${caseId}/minutes`, full)).body.missing).toEqual([]);
    expect((await chair.client.post(`/api/boards/sessions/${sessionId}/cases/${caseId}/minutes/confirm`)).status).toBe(200);
    expect((await chair.client.put(`/api/boards/sessions/${sessionId}/cases/${caseId}/minutes`, full)).status).toBe(409);
    expect((await coordinator.client.get(`/api/cases/${caseId}`)).body.status).toBe('in_review');

    const board = (await oncologist.client.get(`/api/cases/${caseId}/board`)).body;
    expect(board.proposal.status).toBe('discussed');
    expect(board.recommendations[0]).toMatchObject({
      boardLabel: 'Thoracic tumor board', chairName: 'Dr. Bea Chair',
      attendees: [{ name: 'Dr. Bea Chair', seat: 'Chair' }, { name: 'Dr. Rad Board', seat: 'Radiology' }],
      dissent: [{ name: 'Dr. Rad Board', text: 'Would image the brain before surgery.' }],
      actions: [{ kind: 'extra_testing', owner: 'Dr. Onco Board' }],
    });

    // The patient side reads the board's recommendation with the opinion, once it is delivered.
    expect((await patient.client.get(`/api/cases/${caseId}/board`)).body.recommendations).toEqual([]);
    const report = await issueOpinion(oncologist, caseId);
    expect(report.document.board[0]).toMatchObject({ boardLabel: 'Thoracic tumor board', minutes: { consensus: { recommendation: 'Molecular testing first, then lobectomy.' } } });
    const pdf = await oncologist.client.request('GET', `/api/cases/${caseId}/opinion/report/${report.version}/pdf`);
    expect(pdf.status).toBe(200);
    const dr = (await oncologist.client.get(`/fhir/R4/DiagnosticReport/${report.id}`)).body;
    expect(dr.basedOn[1]).toEqual({ reference: '#board-1', display: 'Thoracic tumor board recommendation' });
    const carePlan = dr.contained.find((c: { resourceType: string }) => c.resourceType === 'CarePlan');
    expect(carePlan.description).toContain('Molecular testing first, then lobectomy.');
    expect(fhirValidationErrors(dr)).toEqual([]);

    expect((await coordinator.client.post(`/api/cases/${caseId}/opinion/deliver`)).status).toBe(200);
    const delivered = (await patient.client.get(`/api/cases/${caseId}/board`)).body;
    expect(delivered.recommendations[0]).toMatchObject({ boardLabel: 'Thoracic tumor board', dissent: [{ name: 'Dr. Rad Board' }] });
    const outcomes = await coordinator.client.get('/api/outcomes');
    expect(outcomes.body.boards).toMatchObject({ casesDiscussed: 1, changedPlanShare: 1 });
  });

  it('lets the lead reviewer issue the report without the board’s section, the reason kept with their review notes', async () => {
    const second = await aCaseInReview(t, patient, coordinator, surgeon, { intake: { plan: { proposedPlan: 'Chemoradiation, then lobectomy', surgeryProposed: true, surgeryDescription: 'Left lower lobectomy', treatingInstitution: 'Synthetic General Hospital', treatmentStartsSoon: false, rapidWorsening: false } } });
    expect((await coordinator.client.post(`/api/cases/${second}/board/confirm`, { boardType: 'thoracic' })).status).toBe(200);
    expect((await chair.client.post(`/api/boards/sessions/${sessionId}/agenda`, { caseId: second, minutes: 10 })).status).toBe(201);
    const minutes = { consensus: { treatmentStance: 'agree', recommendation: 'Proceed as planned.' }, rationale: 'Staging is complete.', guideline: { concordant: true } };
    expect((await chair.client.put(`/api/boards/sessions/${sessionId}/cases/${second}/minutes`, minutes)).body.missing).toEqual([]);
    expect((await chair.client.post(`/api/boards/sessions/${sessionId}/cases/${second}/minutes/confirm`)).status).toBe(200);

    const tooShort = await surgeon.client.post(`/api/cases/${second}/opinion/report`, { password: 'x', code: '000000', leaveOutBoard: { reason: '' } });
    expect(tooShort.status).toBe(400);
    const report = await issueOpinion(surgeon, second, { leaveOutBoard: { reason: 'The board discussed an earlier question that the patient has withdrawn.' } });
    expect(report.document.board).toEqual([]);
    const dr = (await surgeon.client.get(`/fhir/R4/DiagnosticReport/${report.id}`)).body;
    expect(dr.contained ?? []).toEqual([]);
    const ws = (await surgeon.client.get(`/api/cases/${second}/opinion`)).body;
    expect(ws.notes.map((n: { body: string }) => n.body)).toContain('The tumor board’s recommendation was left out of the report. Reason: The board discussed an earlier question that the patient has withdrawn.');
    const [audit] = await t.db.query<{ detail: { section?: string } }>(`SELECT detail FROM audit_events WHERE case_id = $1 AND action = 'opinion.issue.original'`, [second]);
    expect(audit!.detail.section).toBe('board-left-out');
  });
});
