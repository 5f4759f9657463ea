import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aCaseInReview, anIntake, aPatient, aStaff, command, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let admin: Person;
beforeAll(async () => {
  t = await startTestApp({ FOLLOWUP_DAYS: '21' });
  patient = await aPatient(t, 'Pat Estimate');
  coordinator = await aStaff(t, 'coordinator', 'Cora Costs');
  admin = await aStaff(t, 'admin', 'Ada Fees');
});
afterAll(() => t.close());

describe('the cost estimate of a request', () => {
  it('itemises a lung cancer request before it is sent, with Medicare guidance for surgery proposed, and records the look once', async () => {
    const base = anIntake();
    const id = await aCase(t, patient, { intake: { patient: { ...base.patient, planType: 'medicare' } } });
    const r = await patient.client.get(`/api/cases/${id}/estimate`);
    expect(r.status).toBe(200);
    expect(r.body.lines.map((l: { serviceId: string; part: string }) => `${l.serviceId}:${l.part}`)).toEqual([
      'written_opinion:included', 'pathology_review:included', 'radiology_review:possible', 'video_visit:optional', 'tumor_board:optional']);
    expect(r.body.lines[0].includes).toBe('Follow-up questions in writing for 21 days after the opinion.');
    expect(r.body.totalCents).toBe(r.body.lines[0].feeCents + r.body.lines[1].feeCents);
    expect(r.body.guidance).toEqual([expect.objectContaining({ id: 'medicare-before-surgery', why: 'You have Medicare and surgery has been proposed.' })]);
    const events = await t.db.query<{ action: string; case_id: string; detail: unknown }>(`SELECT action, case_id, detail FROM audit_events WHERE action = 'case.estimate.read'`);
    expect(events).toEqual([{ action: 'case.estimate.read', case_id: id, detail: {} }]);
    // Staff of the case see the same; someone else's patient does not learn the case exists.
    const stranger = await aPatient(t, 'Sam Stranger');
    expect((await stranger.client.get(`/api/cases/${id}/estimate`)).status).toBe(404);
    expect((await coordinator.client.get(`/api/cases/${id}/estimate`)).status).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/cases/${id}/estimate` })).statusCode).toBe(401);
  });

  it('follows the request: expedited handling once urgent, guidance once the kind of coverage is known', async () => {
    const id = await aCase(t, patient, { intake: { plan: { proposedPlan: 'Chemotherapy', surgeryProposed: false, treatmentStartsSoon: true, rapidWorsening: false } }, consent: true });
    // Before it is sent, the urgency submitting will decide is already priced in.
    const draft = await patient.client.get(`/api/cases/${id}/estimate`);
    expect(draft.body.lines.find((l: { serviceId: string }) => l.serviceId === 'expedited')).toMatchObject({ part: 'included' });
    expect((await patient.client.post(`/api/cases/${id}/commands/submit`, {})).status).toBe(200);
    const r = await coordinator.client.get(`/api/cases/${id}/estimate`);
    expect(r.status).toBe(200);
    expect(r.body.lines.filter((l: { part: string }) => l.part === 'included').map((l: { serviceId: string }) => l.serviceId)).toEqual(['written_opinion', 'pathology_review', 'expedited']);
    expect(r.body.guidance[0].id).toBe('unknown');
  });

  it('keeps the fees in force when a request was sent, while administrators set new ones with a reason', async () => {
    const fees = await admin.client.get('/api/admin/fees');
    expect(fees.status).toBe(200);
    // A new installation has the catalogue's example fees, which patients are told are examples.
    expect(fees.body.current).toMatchObject({ version: 1, createdBy: null, currency: 'USD' });
    const start: Record<string, number> = fees.body.current.fees;
    const early = await aCase(t, patient, { submit: true });
    expect((await patient.client.get(`/api/cases/${early}/estimate`)).body).toMatchObject({ pricesSet: false, pricesKeptFromSubmission: false });
    // Every service needs a fee and a reason; unknown services are refused; so is a save over a newer version.
    expect((await admin.client.put('/api/admin/fees', { basedOn: 1, fees: { written_opinion: 1 }, note: 'Too few' })).status).toBe(400);
    expect((await admin.client.put('/api/admin/fees', { basedOn: 1, fees: { ...start, nonsense: 1 }, note: 'Unknown' })).status).toBe(400);
    expect((await admin.client.put('/api/admin/fees', { basedOn: 1, fees: start, note: '' })).status).toBe(400);
    expect((await coordinator.client.put('/api/admin/fees', { basedOn: 1, fees: start, note: 'Not mine to set' })).status).toBe(403);
    const ours = await admin.client.put('/api/admin/fees', { basedOn: 1, fees: start, note: 'Our fees' });
    expect(ours.body).toMatchObject({ version: 2, createdByName: 'Ada Fees' });
    const sent = await aCase(t, patient, { submit: true });
    const draft = await aCase(t, patient, { intake: {} });
    expect((await patient.client.get(`/api/cases/${sent}/estimate`)).body).toMatchObject({ pricesSet: true, pricesKeptFromSubmission: true });
    const raised = await admin.client.put('/api/admin/fees', { basedOn: 2, fees: { ...start, written_opinion: start.written_opinion! + 10_000 }, note: 'New year prices' });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ version: 3, note: 'New year prices' });
    const stale = await admin.client.put('/api/admin/fees', { basedOn: 2, fees: start, note: 'From an old page' });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toMatch(/changed meanwhile by Ada Fees \(version 3\)/);
    const opinionFee = async (id: string) => (await patient.client.get(`/api/cases/${id}/estimate`)).body.lines.find((l: { serviceId: string }) => l.serviceId === 'written_opinion').feeCents;
    expect(await opinionFee(sent)).toBe(start.written_opinion);
    expect(await opinionFee(draft)).toBe(start.written_opinion! + 10_000);
    // Sent before any fees were set: today's prices, and it says so.
    expect(await opinionFee(early)).toBe(start.written_opinion! + 10_000);
    expect((await admin.client.get('/api/admin/fees')).body.history.map((h: { version: number }) => h.version)).toEqual([3, 2, 1]);
    const audit = await t.db.query<{ actor_id: string; detail: unknown }>(`SELECT actor_id, detail FROM audit_events WHERE action = 'fees.change' ORDER BY seq`);
    expect(audit).toEqual([{ actor_id: admin.id, detail: { version: 2 } }, { actor_id: admin.id, detail: { version: 3 } }]);
  });

  it('is for the patient side and the coordinator, not the reviewers', async () => {
    const reviewer = await aStaff(t, 'expert', 'Dr. Rev Iewer');
    const id = await aCaseInReview(t, patient, coordinator, reviewer);
    expect((await reviewer.client.get(`/api/cases/${id}/estimate`)).status).toBe(404);
    expect((await reviewer.client.get(`/api/cases/${id}/coverage-checks`)).status).toBe(404);
    expect((await coordinator.client.get(`/api/cases/${id}/estimate`)).status).toBe(200);
  });

  it('keeps what the insurer said on the case: the coordinator records it, the patient side reads it', async () => {
    const id = await aCase(t, patient, { submit: true });
    const draft = await aCase(t, patient, { intake: {} });
    const call = { insurer: 'Synthetic Health Plan', answer: 'authorization_needed', reference: 'REF-2026-0042', spokeOn: t.now().toISOString().slice(0, 10), note: 'Ask the referring doctor for the form.' };
    await command(coordinator, id, 'startRecordCollection');
    // The patient side reads it and cannot write it; a call is never in the future.
    expect((await patient.client.post(`/api/cases/${id}/coverage-checks`, call)).status).toBe(404);
    expect((await coordinator.client.post(`/api/cases/${id}/coverage-checks`, { ...call, spokeOn: '2999-01-01' })).status).toBe(400);
    expect((await coordinator.client.post(`/api/cases/${id}/coverage-checks`, { ...call, answer: 'maybe' })).status).toBe(400);
    const saved = await coordinator.client.post(`/api/cases/${id}/coverage-checks`, call);
    expect(saved.status).toBe(201);
    expect(saved.body).toEqual([expect.objectContaining({ insurer: 'Synthetic Health Plan', answer: 'authorization_needed', reference: 'REF-2026-0042', byName: 'Cora Costs' })]);
    expect((await patient.client.get(`/api/cases/${id}/coverage-checks`)).body).toHaveLength(1);
    const [event] = await t.db.query<{ case_id: string; detail: unknown }>(`SELECT case_id, detail FROM audit_events WHERE action = 'coverage.check.add'`);
    expect(event).toEqual({ case_id: id, detail: { status: 'authorization_needed' } });
    expect((await patient.client.get(`/api/cases/${draft}/coverage-checks`)).body).toEqual([]);
  });
});

describe('the catalogue, edited by administrators', () => {
  it('changes a service’s names, texts and billing code for what comes next, refuses codes outside the code set, and keeps texts when only fees change', async () => {
    const fees = (await admin.client.get('/api/admin/fees')).body;
    expect(fees.codes.map((c: { code: string }) => c.code)).toContain('98002');
    expect(fees.texts.video_visit).toMatchObject({ name: 'Video visit with the expert', codes: [] });
    const texts = structuredClone(fees.texts);
    texts.video_visit = { ...texts.video_visit, name: 'Video consultation with the expert', codes: ['98002'], es: { ...texts.video_visit.es, name: 'Consulta por video con el experto' } };
    const bad = await admin.client.put('/api/admin/fees', { basedOn: fees.current.version, fees: fees.current.fees, services: { ...texts, video_visit: { ...texts.video_visit, codes: ['12345'] } }, note: 'Codes' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: '/services/video_visit/codes', message: '12345 is not a code of the code set' }]);
    const partial = await admin.client.put('/api/admin/fees', { basedOn: fees.current.version, fees: fees.current.fees, services: { video_visit: texts.video_visit }, note: 'Only one' });
    expect(partial.status).toBe(400);
    const saved = await admin.client.put('/api/admin/fees', { basedOn: fees.current.version, fees: fees.current.fees, services: texts, note: 'Video visits billed as telehealth' });
    expect(saved.status).toBe(200);
    // A change of fees alone keeps the texts.
    const again = await admin.client.put('/api/admin/fees', { basedOn: saved.body.version, fees: { ...fees.current.fees, video_visit: 32_000 }, note: 'New visit fee' });
    expect(again.body.services.video_visit.name).toBe('Video consultation with the expert');

    const id = await aCase(t, patient, { submit: true });
    const staffView = (await coordinator.client.get(`/api/cases/${id}/estimate`)).body.lines.find((l: { serviceId: string }) => l.serviceId === 'video_visit');
    expect(staffView).toMatchObject({ name: 'Video consultation with the expert', codes: [{ system: 'http://www.ama-assn.org/go/cpt', code: '98002' }], feeCents: 32_000 });
    const spanish = await patient.client.request('GET', `/api/cases/${id}/estimate`, undefined, { 'accept-language': 'es' });
    expect(spanish.body.lines.find((l: { serviceId: string }) => l.serviceId === 'video_visit').name).toBe('Consulta por video con el experto');
    // A bill drafted now carries the code on the visit's line.
    await command(coordinator, id, 'startRecordCollection');
    const draft = (await coordinator.client.post(`/api/cases/${id}/invoices`)).body;
    const lines = [...draft.lines.map((l: { serviceId: string; quantity: number; unitCents: number }) => ({ serviceId: l.serviceId, quantity: l.quantity, unitCents: l.unitCents })), { serviceId: 'video_visit', quantity: 1, unitCents: 32_000 }];
    const edited = (await coordinator.client.put(`/api/cases/${id}/invoices/${draft.id}`, { version: draft.version, lines, discountCents: 0, taxBasisPoints: 0 })).body;
    expect(edited.lines.at(-1)).toMatchObject({ description: 'Video consultation with the expert', codes: [{ code: '98002' }] });
  });
});

describe('coverage guidance from what the program knows', () => {
  it('says whether the reviewing expert lists the patient’s plan, and that the plan must approve first once the insurer said so', async () => {
    const expert = await aStaff(t, 'expert', 'Dr. Net Work');
    const id = await aCaseInReview(t, patient, coordinator, expert, { intake: { patient: { ...anIntake().patient, planType: 'commercial', insurancePlan: 'Synthetic Health PPO' } } });
    await t.db.query(`INSERT INTO expert_profiles (user_id, insurance_networks) VALUES ($1, '{"Synthetic Health"}') ON CONFLICT (user_id) DO UPDATE SET insurance_networks = EXCLUDED.insurance_networks`, [expert.id]);
    const ids = async () => (await patient.client.get(`/api/cases/${id}/estimate`)).body.guidance.map((g: { id: string }) => g.id);
    expect(await ids()).toContain('network-in');
    await t.db.query(`UPDATE expert_profiles SET insurance_networks = '{"Another Plan"}' WHERE user_id = $1`, [expert.id]);
    expect(await ids()).toContain('network-out');
    expect((await coordinator.client.post(`/api/cases/${id}/coverage-checks`, { insurer: 'Synthetic Health PPO', answer: 'authorization_needed', spokeOn: new Date().toISOString().slice(0, 10), reference: 'PA-77' })).status).toBe(201);
    const guidance = (await patient.client.get(`/api/cases/${id}/estimate`)).body.guidance;
    expect(guidance.find((g: { id: string }) => g.id === 'prior-authorization')).toMatchObject({ text: 'Your plan told your coordinator that it must approve this second opinion first (prior authorization).' });
  });
});

