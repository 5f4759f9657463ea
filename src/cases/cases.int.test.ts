import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waiveOutstanding, aCase, anIntake, aPatient, aStaff, command, issueOpinion, lastMailToken, PASSWORD, signConsents, type Person } from '../../test/support/builders.ts';
import { Client } from '../../test/support/client.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let coordinator: Person;
let expert: Person;
beforeAll(async () => {
  t = await startTestApp();
  coordinator = await aStaff(t, 'coordinator');
  expert = await aStaff(t, 'expert');
});
afterAll(() => t.close());

const caseRow = async (id: string) => (await t.db.query<Record<string, unknown>>('SELECT status, intake, coordinator_id, urgency FROM cases WHERE id = $1', [id]))[0];

describe('intake wizard', () => {
  it('saves each step on its own and resumes where the patient left off', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p);
    const intake = anIntake();
    expect((await p.client.put(`/api/cases/${id}/intake/patient`, intake.patient)).status).toBe(200);
    expect((await p.client.put(`/api/cases/${id}/intake/condition`, intake.condition)).status).toBe(200);
    const resumed = await p.client.get(`/api/cases/${id}`);
    expect(resumed.body.intake.condition.icd10Code).toBe('C34.11');
    expect(resumed.body.missingIntakeSections).toEqual(['situations', 'plan', 'treatment', 'questions', 'priorities']);
    expect(resumed.body.patientName).toBe('Robin Testperson');
  });

  it('rejects invalid answers with field paths and keeps the earlier answer', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { intake: {} });
    const bad = await p.client.put(`/api/cases/${id}/intake/condition`, { description: 'x', icd10Code: 'Z99.999', newDiagnosis: true });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('/condition/icd10Code');
    const future = await p.client.put(`/api/cases/${id}/intake/patient`, { ...anIntake().patient, birthDate: '2999-01-01' });
    expect(future.status).toBe(400);
    const noState = await p.client.put(`/api/cases/${id}/intake/patient`, { ...anIntake().patient, state: undefined });
    expect(noState.body.errors[0].path).toBe('/patient/state');
    const unknownField = await p.client.put(`/api/cases/${id}/intake/plan`, { ...anIntake().plan, secret: 1 });
    expect(unknownField.status).toBe(400);
    expect(((await caseRow(id))!.intake as any).condition.icd10Code).toBe('C34.11');
    expect((await p.client.put(`/api/cases/${id}/intake/nonsense`, {})).status).toBe(400);
  });

  it('answers malformed JSON, wrong content types and oversized bodies with problem details', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p);
    const malformed = await p.client.request('PUT', `/api/cases/${id}/intake/questions`, '{"questions": [', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_BODY');
    const xml = await p.client.request('PUT', `/api/cases/${id}/intake/questions`, '<q/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    const huge = await p.client.put(`/api/cases/${id}/intake/questions`, { questions: ['x'.repeat(2_000_000)] });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await caseRow(id))!.intake as any).questions).toBeUndefined();
  });
});

describe('consent and submission', () => {
  it('will not submit until the intake is complete and both documents are signed', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p);
    const early = await p.client.post(`/api/cases/${id}/commands/submit`, {});
    expect(early.status).toBe(422);
    expect(early.body.code).toBe('GUARD_FAILED');
    expect(early.body.unmet.length).toBe(9);
    await aCaseIntake(p, id);
    const unsigned = await p.client.post(`/api/cases/${id}/commands/submit`, {});
    expect(unsigned.body.unmet).toEqual(['Sign the consent to the review.', 'Sign the HIPAA authorization.']);
    expect((await caseRow(id))!.status).toBe('draft');
    const failures = await t.db.query(`SELECT 1 FROM audit_events WHERE case_id = $1 AND action = 'case.submit' AND outcome = 'failure'`, [id]);
    expect(failures).toHaveLength(2);

    await signConsents(p, id);
    const sigs = await t.db.query<{ ip: string; typed_name: string; text_sha256: string }>('SELECT ip, typed_name, text_sha256 FROM consent_signatures WHERE case_id = $1', [id]);
    expect(sigs).toHaveLength(2);
    expect(sigs[0]!.ip).toBe('127.0.0.1');
    expect(sigs[0]!.text_sha256).toMatch(/^[0-9a-f]{64}$/);
    const submitted = await command(p, id, 'submit');
    expect(submitted.status).toBe('submitted');
    expect(submitted.urgency).toBe('standard');
    expect((await p.client.put(`/api/cases/${id}/intake/questions`, { questions: ['late'] })).status).toBe(409);
  });

  it('wants the typed name to match the account and the current document version', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p);
    const wrongName = await p.client.post(`/api/cases/${id}/consents`, { document: 'service_consent', version: '2026-11', typedName: 'Someone Else' });
    expect(wrongName.status).toBe(400);
    const oldVersion = await p.client.post(`/api/cases/${id}/consents`, { document: 'service_consent', version: '2020-01', typedName: p.name });
    expect(oldVersion.status).toBe(409);
    expect(oldVersion.body.currentVersion).toBe('2026-11');
  });

  it('sets expedited urgency from the intake, with the reason that fired', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { intake: { plan: { ...anIntake().plan, rapidWorsening: true } }, submit: true });
    const c = (await p.client.get(`/api/cases/${id}`)).body;
    expect(c.urgency).toBe('expedited');
    expect(c.urgencyReason).toMatch(/getting worse quickly/);
  });
});

async function aCaseIntake(p: Person, id: string) {
  for (const [section, data] of Object.entries(anIntake())) await p.client.put(`/api/cases/${id}/intake/${section}`, data);
}

describe('caregivers (proxies)', () => {
  it('the patient invites a caregiver who accepts and then acts for the patient', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { intake: {} });
    const carer = await aPatient(t, 'Carla Carer');
    expect((await carer.client.get(`/api/cases/${id}`)).status).toBe(404);
    expect((await p.client.post(`/api/cases/${id}/proxies`, { email: carer.email, relationship: 'Daughter' })).status).toBe(201);
    const token = await lastMailToken(t.db, carer.email);
    const info = await new Client(t.baseUrl).get(`/api/invitations/${token}`);
    expect(info.body).toMatchObject({ relationship: 'Daughter', invitedBy: p.name });

    const stranger = await aPatient(t);
    expect((await stranger.client.post(`/api/invitations/${token}/accept`)).status).toBe(403);
    expect((await carer.client.post(`/api/invitations/${token}/accept`)).status).toBe(200);
    expect((await carer.client.post(`/api/invitations/${token}/accept`)).status).toBe(404);
    // Each list says whose request it is: the patient's own, someone else's for the caregiver.
    expect((await p.client.get('/api/cases')).body.items.find((c: { id: string }) => c.id === id).ownRequest).toBe(true);
    expect((await carer.client.get('/api/cases')).body.items.find((c: { id: string }) => c.id === id).ownRequest).toBe(false);

    for (const kind of ['service_consent', 'hipaa_authorization']) {
      expect((await carer.client.post(`/api/cases/${id}/consents`, { document: kind, version: '2026-11', typedName: carer.name })).status).toBe(201);
    }
    const submitted = await command(carer, id, 'submit');
    expect(submitted.consents.map((c: { signerRelation: string }) => c.signerRelation)).toEqual(['proxy', 'proxy']);
    expect((await carer.client.post(`/api/cases/${id}/proxies`, { email: 'x@example.test', relationship: 'Friend' })).status).toBe(403);

    expect((await p.client.delete(`/api/cases/${id}/proxies/${carer.id}`)).status).toBe(200);
    expect((await carer.client.get(`/api/cases/${id}`)).status).toBe(404);
  });

  it('a removed caregiver cannot come back through an invitation sent before the removal; the patient lists and withdraws invitations', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { intake: {} });
    const carer = await aPatient(t, 'Rémi Removed');
    await p.client.post(`/api/cases/${id}/proxies`, { email: carer.email, relationship: 'Brother' });
    const first = await lastMailToken(t.db, carer.email);
    await p.client.post(`/api/cases/${id}/proxies`, { email: carer.email, relationship: 'Brother' });
    const second = await lastMailToken(t.db, carer.email);
    expect((await carer.client.post(`/api/invitations/${first}/accept`)).status).toBe(200);
    // The patient removes the caregiver: the second, still open invitation is cancelled with it.
    expect((await p.client.delete(`/api/cases/${id}/proxies/${carer.id}`)).status).toBe(200);
    expect((await carer.client.post(`/api/invitations/${second}/accept`)).status).toBe(404);
    expect((await carer.client.get(`/api/cases/${id}`)).status).toBe(404);
    // Even an invitation the database still holds open from before the removal restores nothing.
    await t.db.query('UPDATE proxy_invitations SET revoked_at = NULL WHERE case_id = $1', [id]);
    expect((await carer.client.post(`/api/invitations/${second}/accept`)).status).toBe(404);
    expect((await carer.client.get(`/api/cases/${id}`)).status).toBe(404);

    // Open invitations: listed for the patient only, withdrawn with a click, dead afterwards.
    const friend = await aPatient(t, 'Fran Friend');
    await p.client.post(`/api/cases/${id}/proxies`, { email: ` ${friend.email.toUpperCase()} `, relationship: 'Friend' });
    const open = await p.client.get(`/api/cases/${id}/invitations`);
    const invitation = open.body.find((i: { email: string }) => i.email === friend.email);
    expect(invitation).toMatchObject({ relationship: 'Friend' });
    expect((await friend.client.get(`/api/cases/${id}/invitations`)).status).toBe(404);
    expect((await p.client.delete(`/api/cases/${id}/invitations/${invitation.id}`)).status).toBe(200);
    expect((await friend.client.post(`/api/invitations/${await lastMailToken(t.db, friend.email)}/accept`)).status).toBe(404);
    expect((await p.client.get(`/api/cases/${id}/invitations`)).body.some((i: { email: string }) => i.email === friend.email)).toBe(false);

    // A new invitation after the removal is the patient's new decision: it works.
    await p.client.post(`/api/cases/${id}/proxies`, { email: carer.email, relationship: 'Brother' });
    expect((await carer.client.post(`/api/invitations/${await lastMailToken(t.db, carer.email)}/accept`)).status).toBe(200);
    expect((await carer.client.get(`/api/cases/${id}`)).status).toBe(200);
  });
});

describe('capabilities', () => {
  it('tells each caller what they may do on the case now, by the rules the routes enforce', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { submit: true });
    expect((await p.client.get(`/api/cases/${id}`)).body.can).toMatchObject({ uploadRecords: true, manageCaregivers: true, readAccessLog: true, readOpinion: true, matchExperts: false, annotateImaging: false, askFollowup: false });
    const pooled = (await coordinator.client.get(`/api/cases/${id}`)).body.can;
    expect(pooled).toMatchObject({ matchExperts: true, setUrgency: false, manageCaregivers: false, curateRecords: true, annotateImaging: true });
    await command(coordinator, id, 'startRecordCollection');
    expect((await coordinator.client.get(`/api/cases/${id}`)).body.can.setUrgency).toBe(true);
    await command(coordinator, id, 'cancel', { reason: 'The patient changed their mind' });
    expect((await p.client.get(`/api/cases/${id}`)).body.can.uploadRecords).toBe(false);
  });
});

describe('coordinator queue and lifecycle', () => {
  it('shows submitted cases (never drafts) with filters, search and paging', async () => {
    const p = await aPatient(t);
    const draft = await aCase(t, p, { intake: {} });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await aCase(t, p, { submit: true, intake: { patient: { ...anIntake().patient, familyName: `Queuetest${i}` } } }));
    const fast = await aCase(t, p, { submit: true, intake: { plan: { ...anIntake().plan, treatmentStartsSoon: true } } });

    const all = await coordinator.client.get('/api/cases?pageSize=100');
    const seen = all.body.items.map((c: { id: string }) => c.id);
    expect(seen).toEqual(expect.arrayContaining([...ids, fast]));
    expect(seen).not.toContain(draft);

    const search = await coordinator.client.get('/api/cases?q=queuetest1');
    expect(search.body.items.map((c: { id: string }) => c.id)).toEqual([ids[1]]);
    const byRef = await coordinator.client.get(`/api/cases?q=${all.body.items[0].reference}`);
    expect(byRef.body.total).toBe(1);
    const expedited = await coordinator.client.get('/api/cases?urgency=expedited');
    expect(expedited.body.items.every((c: { urgency: string }) => c.urgency === 'expedited')).toBe(true);
    expect(expedited.body.items.map((c: { id: string }) => c.id)).toContain(fast);
    const page = await coordinator.client.get('/api/cases?pageSize=2&page=2&sort=oldest&status=submitted');
    expect(page.body.items).toHaveLength(2);
    expect(page.body.total).toBeGreaterThanOrEqual(4);
    const old = await coordinator.client.get('/api/cases?minAgeDays=3');
    expect(old.body.items).toHaveLength(0);
    await t.db.query(`UPDATE cases SET submitted_at = submitted_at - interval '4 days' WHERE id = ANY($1::uuid[])`, [ids]);
    const aged = await coordinator.client.get('/api/cases?minAgeDays=3');
    expect(aged.body.items.map((c: { id: string }) => c.id).sort()).toEqual([...ids].sort());
    const young = await coordinator.client.get('/api/cases?maxAgeDays=1&pageSize=100');
    expect(young.body.items.map((c: { id: string }) => c.id)).toContain(fast);
    expect(young.body.items.map((c: { id: string }) => c.id)).not.toContain(ids[0]);
    expect((await coordinator.client.get('/api/cases?status=bogus')).status).toBe(400);
    expect((await coordinator.client.get('/api/cases?pageSize=1000')).status).toBe(400);
  });

  it('moves a case through the whole lifecycle, each step on the timeline', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { submit: true });
    let c = await command(coordinator, id, 'startRecordCollection');
    expect(c.status).toBe('collecting_records');
    expect(c.coordinator.id).toBe(coordinator.id);
    const other = await aStaff(t, 'coordinator');
    expect((await other.client.get(`/api/cases/${id}`)).status).toBe(404);

    c = await command(coordinator, id, 'hold', { reason: 'Waiting for slides' });
    expect(c.status).toBe('on_hold');
    c = await command(coordinator, id, 'resume');
    expect(c.status).toBe('collecting_records');
    await waiveOutstanding(coordinator, id);
    await command(coordinator, id, 'markReadyForReview');
    const notExpert = await coordinator.client.post(`/api/cases/${id}/commands/assignExpert`, { expertId: p.id });
    expect(notExpert.status).toBe(422);
    await command(coordinator, id, 'assignExpert', { expertId: expert.id });
    await command(expert, id, 'startReview');
    await command(expert, id, 'referToBoard');
    await command(coordinator, id, 'returnFromBoard');
    expect((await expert.client.post(`/api/cases/${id}/commands/signOpinion`, {})).status).toBe(422);
    await issueOpinion(expert, id);
    expect((await coordinator.client.post(`/api/cases/${id}/opinion/deliver`)).status).toBe(200);
    c = await command(coordinator, id, 'close');
    expect(c.status).toBe('closed');

    const timeline = (await p.client.get(`/api/cases/${id}/timeline`)).body;
    const transitions = timeline.filter((e: { toStatus: string | null; fromStatus: string | null }) => e.fromStatus && e.toStatus).map((e: { toStatus: string }) => e.toStatus);
    expect(transitions).toEqual(['submitted', 'collecting_records', 'on_hold', 'collecting_records', 'ready_for_review', 'assigned', 'in_review', 'board', 'in_review', 'opinion_signed', 'delivered', 'closed']);
    expect(timeline.find((e: { type: string }) => e.type === 'case.hold').detail.reason).toBe('Waiting for slides');
    // Every line in words; the intake saved step by step reads as one line.
    expect(timeline.map((e: { label: string }) => e.label)).toEqual(expect.arrayContaining(['Started the request', 'Draft → Submitted', 'Opinion signed → Delivered']));
    expect(timeline.map((e: { label: string }) => e.label).join(' ')).not.toMatch(/[a-z]\.[a-z]/);
    const intakeLines = timeline.filter((e: { type: string }) => e.type === 'intake.save');
    expect(intakeLines).toHaveLength(1);
    expect(intakeLines[0]).toMatchObject({ count: 7, label: 'Filled in 7 steps of the request' });

    const log = (await p.client.get(`/api/cases/${id}/access-log?pageSize=100`)).body;
    expect(log.items.some((e: { actorName: string; action: string; what: string }) => e.actorName === expert.name && e.action === 'case.startReview' && e.what === 'Started the review')).toBe(true);
    expect(log.items.every((e: { what: string }) => !/[a-z]\.[a-z]/.test(e.what))).toBe(true);
  });

  it('says what blocks each command before it is given, and offers the patient only what they can do', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { submit: true });
    const early = (await p.client.get(`/api/cases/${id}`)).body;
    expect(early.commands).toEqual([{ name: 'cancel', label: 'Cancel the request', blockedBy: [] }]);
    expect(early.opinionWithinBusinessDays).toBeGreaterThan(0);
    await command(coordinator, id, 'startRecordCollection');
    const later = (await p.client.get(`/api/cases/${id}`)).body;
    expect(later.commands.find((c: { name: string }) => c.name === 'cancel').blockedBy).toEqual(['Once records collection has started, ask the coordinator to cancel.']);
    const staff = (await coordinator.client.get(`/api/cases/${id}`)).body;
    const ready = staff.commands.find((c: { name: string }) => c.name === 'markReadyForReview');
    expect(ready.blockedBy.length).toBeGreaterThan(0);
    expect(ready.blockedBy.every((b: string) => b.startsWith('Records checklist:'))).toBe(true);
    // A reason is asked when the command is given, so it does not block the button.
    expect(staff.commands.find((c: { name: string }) => c.name === 'hold').blockedBy).toEqual([]);
    // Pressed anyway, the refusal lists the same conditions once, with a short detail.
    const refused = await coordinator.client.post(`/api/cases/${id}/commands/markReadyForReview`, {});
    expect(refused.status).toBe(422);
    expect(refused.body.unmet).toEqual(ready.blockedBy);
    expect(refused.body.detail).toBe(ready.blockedBy.length === 1 ? ready.blockedBy[0] : `“Mark ready for review” is not possible yet: ${ready.blockedBy.length} conditions are not met.`);
  });

  it('refuses illegal transitions and changes nothing', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { submit: true });
    const skip = await coordinator.client.post(`/api/cases/${id}/commands/deliver`, {});
    expect(skip.status).toBe(409);
    expect(skip.body.code).toBe('ILLEGAL_TRANSITION');
    const noReason = await coordinator.client.post(`/api/cases/${id}/commands/hold`, {});
    expect(noReason.status).toBe(422);
    const patientCannot = await p.client.post(`/api/cases/${id}/commands/startRecordCollection`, {});
    expect(patientCannot.status).toBe(403);
    const unknown = await coordinator.client.post(`/api/cases/${id}/commands/teleport`, {});
    expect(unknown.status).toBe(400);
    const row = await caseRow(id);
    expect(row).toMatchObject({ status: 'submitted', coordinator_id: null });
    const forged = await coordinator.client.post('/api/cases/00000000-0000-4000-8000-000000000000/commands/startRecordCollection', {});
    expect(forged.status).toBe(404);
    expect((await coordinator.client.get('/api/cases/not-a-uuid')).status).toBe(400);
  });

  it('lets the patient cancel early with a reason, and the coordinator override urgency', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { submit: true });
    expect((await p.client.post(`/api/cases/${id}/commands/cancel`, {})).status).toBe(422);
    const id2 = await aCase(t, p, { submit: true });
    await command(coordinator, id2, 'startRecordCollection');
    const u = await coordinator.client.put(`/api/cases/${id2}/urgency`, { urgency: 'expedited', reason: 'Surgery booked next week' });
    expect(u.body.urgency).toBe('expedited');
    expect((await p.client.post(`/api/cases/${id2}/commands/cancel`, { reason: 'Changed my mind' })).status).toBe(422);
    expect((await command(p, id, 'cancel', { reason: 'Seen locally' })).status).toBe('cancelled');
  });

  it('reopens an untouched draft instead of piling up new ones, and deletes a draft with what was typed in it', async () => {
    const p = await aPatient(t);
    const first = (await p.client.post('/api/cases')).body;
    expect((await p.client.post('/api/cases')).body.id).toBe(first.id);
    const started = await aCase(t, p, { intake: {} });
    expect(started).toBe(first.id);
    const [before] = await t.db.query<{ intake: object }>('SELECT intake FROM cases WHERE id = $1', [started]);
    expect(Object.keys(before!.intake).length).toBeGreaterThan(0);
    // A draft with content is kept: the next new request is a fresh one.
    const next = (await p.client.post('/api/cases')).body;
    expect(next.id).not.toBe(started);
    const discarded = await command(p, started, 'discard');
    expect(discarded.status).toBe('cancelled');
    const [after] = await t.db.query<{ intake: object; assessment_answers: unknown }>('SELECT intake, assessment_answers FROM cases WHERE id = $1', [started]);
    expect(after).toEqual({ intake: {}, assessment_answers: null });
    const mine = (await p.client.get('/api/cases?pageSize=100')).body.items.map((c: { id: string }) => c.id);
    expect(mine).not.toContain(started);
    expect(mine).toContain(next.id);
    // Only a draft is deleted, by its own side; a sent request is cancelled with a reason.
    const sent = await aCase(t, p, { submit: true });
    expect(sent).toBe(next.id);
    expect((await p.client.post(`/api/cases/${sent}/commands/discard`, {})).status).toBe(409);
    expect((await coordinator.client.post(`/api/cases/${sent}/commands/discard`, {})).status).toBe(403);
  });
});

describe('the patient sees who opened the case', () => {
  it('lists reads and changes by staff, newest first', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { submit: true });
    // The notices the submission sends are written by the job worker; done first, so the read below is the newest entry.
    await t.app.jobs.drain();
    await coordinator.client.get(`/api/cases/${id}`);
    const log = await p.client.get(`/api/cases/${id}/access-log`);
    // The read that shows the log is recorded when it commits, so it appears from the next read on.
    expect(log.body.items[0]).toMatchObject({ action: 'case.read', what: 'Opened the request', actorName: coordinator.name });
    expect((await p.client.get(`/api/cases/${id}/access-log`)).body.items[0].action).toBe('case.accessLog.read');
    expect(log.body.items.some((e: { actorName: string; action: string; actorRole: string }) => e.actorName === coordinator.name && e.action === 'case.read' && e.actorRole === 'coordinator')).toBe(true);
    expect(PASSWORD).toBeTruthy();
  });
});
