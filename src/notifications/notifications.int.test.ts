import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aCaseInReview, aPatient, aStaff, command, issueOpinion, lastMailToken, waiveOutstanding, type Person } from '../../test/support/builders.ts';
import { aPdf, tusUpload } from '../../test/support/records.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { openLiveStream } from '../../test/support/live.ts';

let t: TestApp;
let coordinator: Person;
let expert: Person;
let patient: Person;
let carer: Person;
let caseId: string;

beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '60000', FOLLOWUP_DAYS: '14' });
  coordinator = await aStaff(t, 'coordinator', 'Cora Ordinator');
  expert = await aStaff(t, 'expert', 'Dr. Ever Answers');
  patient = await aPatient(t, 'Robin Notified');
  carer = await aPatient(t, 'Casey Carer');
  caseId = await aCase(t, patient, { submit: true });
  const invited = await patient.client.post(`/api/cases/${caseId}/proxies`, { email: carer.email, relationship: 'Son' });
  expect(invited.status).toBe(201);
  expect((await carer.client.post(`/api/invitations/${await lastMailToken(t.db, carer.email)}/accept`)).status).toBe(200);
});
afterAll(() => t.close());

const notices = async (p: Person, query = '') => {
  await t.app.jobs.drain();
  const r = await p.client.get(`/api/notifications${query}`);
  expect(r.status).toBe(200);
  return r.body as { items: { id: number; kind: string; title: string; link: string; caseId: string; read: boolean }[]; unread: number; nextBefore: number | null };
};
const mailsTo = async (p: Person, kind: string) => {
  await t.app.jobs.drain();
  return t.db.query<{ subject: string; body_text: string }>('SELECT subject, body_text FROM mail_outbox WHERE to_address = $1 AND kind = $2 ORDER BY created_at', [p.email, kind]);
};

describe('notifications', () => {
  it('tells every coordinator of a new request, and the patient of their caregiver joining', async () => {
    const mine = await notices(coordinator);
    expect(mine.items.find((n) => n.caseId === caseId && n.kind === 'case.submitted')).toMatchObject({ link: `/cases/${caseId}`, read: false });
    expect((await mailsTo(coordinator, 'case.submitted')).length).toBeGreaterThanOrEqual(1);
    const forPatient = await notices(patient);
    expect(forPatient.items.map((n) => n.kind)).toContain('proxy.accepted');
    // Nobody hears about what they did themselves, except a confirmation of what happens next.
    expect(forPatient.items.map((n) => n.kind)).not.toContain('case.submitted');
    expect(forPatient.items.find((n) => n.caseId === caseId && n.kind === 'case.received')).toMatchObject({ title: expect.stringMatching(/^We received your request C-/) });
    const [confirmation] = await mailsTo(patient, 'case.received');
    expect(confirmation!.body_text).toMatch(/What happens next: a coordinator gathers your medical records/);
    expect(confirmation!.body_text).toMatch(/takes about \d+ working days/);
    expect(confirmation!.body_text).toMatch(/does not contain health information/);
  });

  it('folds many new records into one unread notice for the coordinator, with a count', async () => {
    await command(coordinator, caseId, 'startRecordCollection');
    expect((await mailsTo(patient, 'case.recordsNeeded'))).toHaveLength(1);
    expect((await mailsTo(carer, 'case.recordsNeeded'))).toHaveLength(1);
    for (const name of ['letter-a.pdf', 'letter-b.pdf', 'letter-c.pdf']) {
      const pdf = await aPdf([`Synthetic clinic letter ${name}`]);
      expect((await tusUpload(patient.client, caseId, name, pdf)).status).toBe(200);
    }
    const records = (await notices(coordinator)).items.filter((n) => n.caseId === caseId && n.kind === 'records.added');
    expect(records).toHaveLength(1);
    expect(records[0]!.title).toMatch(/^3 new records on /);
    // The folded notice moves to the top with its newest event.
    expect((await notices(coordinator)).items[0]).toMatchObject({ kind: 'records.added', caseId });
    // A retried dispatch counts nothing twice.
    const [last] = await t.db.query<{ id: string }>(`SELECT id FROM case_events WHERE case_id = $1 AND type = 'document.add' ORDER BY id DESC LIMIT 1`, [caseId]);
    await t.db.query(`INSERT INTO jobs (kind, payload) VALUES ('event.dispatch', $1)`, [JSON.stringify({ eventId: String(last!.id) })]);
    expect((await notices(coordinator)).items.find((n) => n.id === records[0]!.id)!.title).toMatch(/^3 new records/);
  });

  it('reaches the assigned expert, then the patient side on delivery, by notice and by mail without health data', async () => {
    await waiveOutstanding(coordinator, caseId);
    await command(coordinator, caseId, 'markReadyForReview');
    await command(coordinator, caseId, 'assignExpert', { expertId: expert.id });
    const assigned = (await notices(expert)).items.find((n) => n.kind === 'case.assigned');
    expect(assigned).toMatchObject({ caseId, link: `/cases/${caseId}` });
    await command(expert, caseId, 'startReview');
    await issueOpinion(expert, caseId);
    expect((await notices(coordinator)).items.find((n) => n.caseId === caseId && n.kind === 'opinion.issued')).toBeTruthy();
    expect((await coordinator.client.post(`/api/cases/${caseId}/opinion/deliver`)).status).toBe(200);
    for (const who of [patient, carer]) {
      const [mail] = await mailsTo(who, 'opinion.delivered');
      expect(mail!.subject).toMatch(/Your second opinion is ready/);
      expect(mail!.body_text).toContain(`${t.config.publicUrl}/cases/${caseId}?tab=opinion`);
      expect(mail!.body_text).toMatch(/14 days/);
      expect(mail!.body_text).not.toMatch(/adenocarcinoma|lung|Robin/i);
      expect((await notices(who)).items[0]).toMatchObject({ kind: 'opinion.delivered', link: `/cases/${caseId}?tab=opinion` });
    }
  });

  it('carries a follow-up question to the expert and coordinator, and the answer back to the patient side', async () => {
    expect((await carer.client.post(`/api/cases/${caseId}/followups`, { body: 'Should the scan be repeated first?' })).status).toBe(201);
    for (const who of [expert, coordinator]) {
      const [mail] = await mailsTo(who, 'followup.posted');
      expect(mail!.subject).toMatch(/New follow-up message/);
      expect(mail!.body_text).not.toMatch(/scan/i);
      expect((await notices(who)).items[0]).toMatchObject({ kind: 'followup.posted', caseId });
    }
    // The patient hears of the question asked by their caregiver (not of their own messages).
    expect((await notices(patient)).items[0]).toMatchObject({ kind: 'followup.posted' });
    expect((await notices(carer)).items.filter((n) => n.kind === 'followup.posted')).toHaveLength(0);
    expect((await expert.client.post(`/api/cases/${caseId}/followups`, { body: 'No, the current one is enough.' })).status).toBe(201);
    expect((await notices(carer)).items[0]).toMatchObject({ kind: 'followup.posted' });
  });

  it('marks read one by one or all at once, pages by id, and stays private to each person', async () => {
    const before = await notices(patient);
    expect(before.unread).toBeGreaterThan(1);
    const first = before.items[0]!;
    const one = await patient.client.post('/api/notifications/read', { ids: [first.id] });
    expect(one.body.unread).toBe(before.unread - 1);
    // Somebody else's notice is not theirs to mark.
    const theirs = (await notices(coordinator)).items[0]!;
    await patient.client.post('/api/notifications/read', { ids: [theirs.id] });
    expect((await notices(coordinator)).items[0]!.read).toBe(false);
    const page1 = await notices(patient, '?limit=2');
    expect(page1.items).toHaveLength(2);
    const page2 = await notices(patient, `?limit=2&before=${page1.nextBefore}`);
    expect(page2.items[0]!.id).toBeLessThan(page1.items[1]!.id);
    expect((await notices(patient, '?unread=true')).items.every((n) => !n.read)).toBe(true);
    expect((await patient.client.post('/api/notifications/read', { all: true })).body.unread).toBe(0);
    expect((await patient.client.get('/api/notifications/unread')).body).toEqual({ unread: 0 });
    expect((await patient.client.post('/api/notifications/read', { ids: [] })).status).toBe(400);
    expect((await patient.client.get('/api/notifications?before=abc')).status).toBe(400);
  });

  it('hides the notices of a case someone can no longer open, and audits each case a page shows', async () => {
    const unreadBefore = (await notices(carer)).unread;
    expect(unreadBefore).toBeGreaterThan(0);
    expect((await patient.client.delete(`/api/cases/${caseId}/proxies/${carer.id}`)).status).toBe(200);
    const after = await notices(carer);
    expect(after.items.filter((n) => n.caseId === caseId)).toEqual([]);
    expect(after.unread).toBe(0);
    const audits = await t.db.query<{ case_id: string }>(`SELECT case_id FROM audit_events WHERE action = 'notification.list' AND actor_id = $1 AND case_id IS NOT NULL`, [patient.id]);
    expect(audits.every((a) => a.case_id === caseId)).toBe(true);
    expect(audits.length).toBeGreaterThan(0);
    const sent = await t.db.query<{ detail: { count: number } }>(`SELECT detail FROM audit_events WHERE action = 'notification.send' AND case_id = $1`, [caseId]);
    expect(sent.length).toBeGreaterThan(3);
  });

  it('shows an offered expert the offer while it is open, before any grant on the case', async () => {
    const offered = await aStaff(t, 'expert', 'Dr. Offered');
    const other = await aCase(t, await aPatient(t), { submit: true });
    await command(coordinator, other, 'startRecordCollection');
    await waiveOutstanding(coordinator, other);
    await command(coordinator, other, 'markReadyForReview');
    const offer = await coordinator.client.post(`/api/cases/${other}/offers`, { expertId: offered.id, role: 'pathology' });
    expect(offer.status).toBe(201);
    expect((await notices(offered)).items[0]).toMatchObject({ kind: 'offer.received', link: '/inbox', caseId: other });
    expect((await offered.client.post(`/api/offers/${offer.body.id}/decline`, { reason: 'Away this week.' })).status).toBe(200);
    expect((await notices(offered)).items.filter((n) => n.caseId === other)).toEqual([]);
  });

  it('folds follow-up messages into one unread notice per thread, mailed once', async () => {
    const mails = (await mailsTo(coordinator, 'followup.posted')).length;
    await t.db.query(`UPDATE notifications SET read_at = now() WHERE user_id = $1`, [coordinator.id]);
    await t.db.query(`UPDATE case_events SET at = now() WHERE case_id = $1 AND to_status = 'delivered'`, [caseId]);
    for (const body of ['One more thing?', 'And another?']) expect((await patient.client.post(`/api/cases/${caseId}/followups`, { body })).status).toBe(201);
    const unread = (await notices(coordinator, '?unread=true')).items.filter((n) => n.kind === 'followup.posted');
    expect(unread).toHaveLength(1);
    expect(unread[0]!.title).toMatch(/^2 new follow-up messages on /);
    expect(await mailsTo(coordinator, 'followup.posted')).toHaveLength(mails + 1);
  });

  it('tells an open page at once, over server-sent events, with ids only', async () => {
    const page = await openLiveStream(t.baseUrl, expert.client);
    expect(page.contentType).toMatch(/^text\/event-stream/);
    expect((await patient.client.post(`/api/cases/${caseId}/followups`, { body: 'Is the scan report final?' })).status).toBe(201);
    await t.app.jobs.drain();
    const got = await page.until(/event: notice/);
    page.stop();
    expect(got).toMatch(new RegExp(`event: notice\ndata: \\{"caseId":"${caseId}","kind":"followup.posted"\\}`));
    expect(got).not.toMatch(/scan/);
  });

  it('hands glass slides over: a reviewer\'s request reaches the coordinator, their arrival the reviewers, without health data', async () => {
    const pathologist = await aStaff(t, 'expert', 'Dr. Glass Asker');
    const id = await aCaseInReview(t, patient, coordinator, pathologist, { role: 'pathology' });
    const asked = await pathologist.client.post(`/api/cases/${id}/specimens/glass-request`, { sourceFacility: 'Riverside Pathology Lab', expectedCount: 3, reason: 'Margin at the pleura unclear' });
    expect(asked.status).toBe(201);
    expect((await notices(coordinator)).items.find((n) => n.caseId === id && n.kind === 'glass.requested')).toMatchObject({ link: `/cases/${id}?tab=records`, title: expect.stringMatching(/^Glass slides asked for on C-/) });
    const [mail] = await mailsTo(coordinator, 'glass.requested');
    expect(mail!.body_text).toContain('Dr. Glass Asker asked for the glass slides');
    expect(mail!.body_text).not.toMatch(/Margin|pleura|Riverside|Robin/i);
    // The coordinator tracking material themselves tells nobody; its arrival tells the reviewers.
    const blocks = await coordinator.client.post(`/api/cases/${id}/specimens`, { kind: 'blocks', label: 'Block A3', expectedCount: 1, sourceFacility: 'Riverside Pathology Lab' });
    expect((await mailsTo(coordinator, 'glass.requested'))).toHaveLength(1);
    expect((await coordinator.client.post(`/api/cases/${id}/specimens/${asked.body.id}/steps`, { to: 'shipped', carrier: 'UPS', trackingNumber: '1Z999' })).status).toBe(200);
    expect((await notices(pathologist)).items.filter((n) => n.kind === 'material.received')).toEqual([]);
    expect((await coordinator.client.post(`/api/cases/${id}/specimens/${asked.body.id}/steps`, { to: 'received', receivedCount: 3, condition: 'intact' })).status).toBe(200);
    expect((await notices(pathologist)).items.filter((n) => n.kind === 'material.received')).toEqual([expect.objectContaining({ caseId: id, link: `/cases/${id}?tab=records` })]);
    expect((await mailsTo(pathologist, 'material.received'))[0]!.body_text).not.toMatch(/Margin|Riverside|Block A3/i);
    expect(blocks.status).toBe(201);
  });

  it('refuses the signed-out', async () => {
    const anon = await fetch(`${t.baseUrl}/api/notifications`);
    expect(anon.status).toBe(401);
    expect((await fetch(`${t.baseUrl}/api/notifications/live`)).status).toBe(401);
  });
});
