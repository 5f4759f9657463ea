import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aPatient, aStaff, command, waiveOutstanding, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let coordinator: Person;
beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '60000' });
  coordinator = await aStaff(t, 'coordinator');
});
afterAll(() => t.close());

async function readyCase() {
  const patient = await aPatient(t);
  const id = await aCase(t, patient, { submit: true });
  await command(coordinator, id, 'startRecordCollection');
  await waiveOutstanding(coordinator, id);
  await command(coordinator, id, 'markReadyForReview');
  return id;
}
// Notices are mailed by the event dispatcher, a background job: run the due ones first.
const mailsTo = async (email: string) => (await t.app.jobs.drain(), await t.db.query<{ subject: string }>('SELECT subject FROM mail_outbox WHERE to_address = $1 ORDER BY created_at', [email])).map((m) => m.subject);

describe('offers', () => {
  it('an expert sees only a summary until accepting; accepting assigns the case and grants access', async () => {
    const id = await readyCase();
    const expert = await aStaff(t, 'expert', 'Dr. Accepts');
    const offer = await coordinator.client.post(`/api/cases/${id}/offers`, { expertId: expert.id, role: 'thoracic_surgery' });
    expect(offer.status).toBe(201);
    expect((await mailsTo(expert.email)).at(-1)).toMatch(/A case is offered to you/);
    expect((await expert.client.get(`/api/cases/${id}`)).status).toBe(404);
    const inbox = (await expert.client.get('/api/experts/me/inbox')).body;
    expect(inbox.offered[0]).toMatchObject({ id: offer.body.id, role: 'thoracic_surgery' });
    expect(JSON.stringify(inbox.offered)).not.toMatch(/Robin|Testperson|adenocarcinoma/i);

    expect((await coordinator.client.post(`/api/cases/${id}/offers`, { expertId: expert.id, role: 'thoracic_surgery' })).status).toBe(409);
    const accepted = await expert.client.post(`/api/offers/${offer.body.id}/accept`);
    expect(accepted.status).toBe(200);
    const c = await expert.client.get(`/api/cases/${id}`);
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('assigned');
    expect((await expert.client.get('/api/experts/me/inbox')).body.accepted[0]).toMatchObject({ id, sla: { state: 'on_track' } });
    expect((await mailsTo(coordinator.email)).at(-1)).toMatch(/Dr. Accepts accepted/);
    expect((await expert.client.post(`/api/offers/${offer.body.id}/accept`)).status).toBe(409);

    // The service-level reminders fire at their times and reach the coordinator and the expert.
    await t.db.query(`UPDATE jobs SET run_at = now() WHERE kind = 'sla.remind' AND payload->>'caseId' = $1`, [id]);
    await t.app.jobs.drain();
    for (const who of [coordinator, expert]) {
      const subjects = await mailsTo(who.email);
      expect(subjects.some((x) => x.startsWith('Opinion due soon'))).toBe(true);
      expect(subjects.some((x) => x.startsWith('Opinion overdue'))).toBe(true);
    }
    const events = (await coordinator.client.get(`/api/cases/${id}/timeline`)).body.map((e: { type: string }) => e.type);
    expect(events).toEqual(expect.arrayContaining(['sla.atRisk', 'sla.breached']));
  });

  it('a decline needs a reason and goes back to the coordinator; strangers cannot answer', async () => {
    const id = await readyCase();
    const expert = await aStaff(t, 'expert', 'Dr. Declines');
    const offer = await coordinator.client.post(`/api/cases/${id}/offers`, { expertId: expert.id, role: 'pathology' });
    const other = await aStaff(t, 'expert');
    expect((await other.client.post(`/api/offers/${offer.body.id}/accept`)).status).toBe(404);
    expect((await expert.client.post(`/api/offers/${offer.body.id}/decline`, { reason: '' })).status).toBe(400);
    const d = await expert.client.post(`/api/offers/${offer.body.id}/decline`, { reason: 'Away at a conference next week.' });
    expect(d.body.status).toBe('declined');
    expect((await mailsTo(coordinator.email)).at(-1)).toMatch(/Dr. Declines declined/);
    const list = (await coordinator.client.get(`/api/cases/${id}/offers`)).body;
    expect(list[0]).toMatchObject({ status: 'declined', reason: 'Away at a conference next week.' });
    expect((await coordinator.client.get(`/api/cases/${id}`)).body.status).toBe('ready_for_review');
  });

  it('an unanswered offer expires at its deadline: the coordinator is told and the next candidate is offered', async () => {
    const id = await readyCase();
    const expert = await aStaff(t, 'expert', 'Dr. Silent');
    const next = await aStaff(t, 'expert', 'Dr. Next In Line');
    await next.client.put('/api/experts/me/profile', { taxonomyCodes: ['207ZP0101X'], institution: { name: 'Elsewhere', academic: false, tumorBoards: false, trialsOpen: false }, licensure: ['US-OH'], languages: ['en'], consultModes: ['records_review'], capacityMax: 5 });
    const offer = await coordinator.client.post(`/api/cases/${id}/offers`, { expertId: expert.id, role: 'pathology' });
    await t.app.jobs.drain();
    expect((await t.db.query<{ status: string }>('SELECT status FROM expert_offers WHERE id = $1', [offer.body.id]))[0]!.status).toBe('offered');
    t.advance(25 * 3_600_000);
    await t.db.query(`UPDATE jobs SET run_at = now() WHERE kind = 'offer.expire' AND payload->>'offerId' = $1`, [offer.body.id]);
    await t.app.jobs.drain();
    const [row] = await t.db.query<{ status: string }>('SELECT status FROM expert_offers WHERE id = $1', [offer.body.id]);
    expect(row!.status).toBe('expired');
    expect((await mailsTo(coordinator.email)).at(-1)).toMatch(/No answer on .*|offered to the next candidate/);
    const [nextOffer] = await t.db.query<{ status: string }>(`SELECT status FROM expert_offers WHERE case_id = $1 AND expert_id = $2`, [id, next.id]);
    expect(nextOffer?.status).toBe('offered');
    t.advance(-25 * 3_600_000);
  });
});

describe('auto-assignment', () => {
  it('offers each role of an auto-assigned service line at once, and the next candidate after a decline', async () => {
    t.config.autoAssignServiceLines = ['thoracic_oncology'];
    try {
      const profile = (focus: string[]) => ({ taxonomyCodes: ['207ZP0101X'], focusCodes: focus, institution: { name: 'Synthetic U', academic: true, tumorBoards: true, trialsOpen: true }, licensure: ['US-OH'], languages: ['en'], consultModes: ['records_review'], capacityMax: 5 });
      const first = await aStaff(t, 'expert', 'Dr. First Choice');
      await first.client.put('/api/experts/me/profile', profile(['C34.1']));
      const second = await aStaff(t, 'expert', 'Dr. Second Choice');
      await second.client.put('/api/experts/me/profile', profile([]));
      const id = await readyCase();
      await t.app.jobs.drain();
      const firstInbox = (await first.client.get('/api/experts/me/inbox')).body;
      const offer = firstInbox.offered.find((o: { role: string }) => o.role === 'pathology');
      expect(offer).toBeTruthy();
      await first.client.post(`/api/offers/${offer.id}/decline`, { reason: 'Too many cases this week.' });
      // The next-ranked pathologist (not the one who declined) now has the offer.
      const pathologyOffers = await t.db.query<{ expert_id: string; status: string }>(`SELECT expert_id, status FROM expert_offers WHERE case_id = $1 AND role = 'pathology' ORDER BY offered_at`, [id]);
      expect(pathologyOffers.map((o) => o.status)).toEqual(['declined', 'offered']);
      expect(pathologyOffers[1]!.expert_id).not.toBe(first.id);
      void second;
      expect((await mailsTo(coordinator.email)).at(-1)).toMatch(/declined/);
      // A run of offers by one actor is one timeline line that counts them.
      const lines = (await coordinator.client.get(`/api/cases/${id}/timeline`)).body as { type: string; count: number }[];
      expect(lines.filter((e) => e.type === 'offer.create').reduce((n, e) => n + e.count, 0)).toBeGreaterThanOrEqual(2);
    } finally {
      t.config.autoAssignServiceLines = [];
    }
  });
});
