import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, anIntake, aPatient, aStaff, codeFor, command, PASSWORD, waiveOutstanding, type Person } from '../../test/support/builders.ts';
import { objectBackendFor } from '../core/storage.ts';
import { uploadDiscarderFor } from '../records/uploadStore.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { fhirValidationErrors } from '../fhir/validate.ts';
import { extractPdfText } from '../records/pdfText.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let pathologist: Person;
let oncologist: Person;
let caseId: string;
const QUESTIONS = anIntake().questions.questions;

beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '60000', REPORT_LETTERHEAD: 'Synthetic Cancer Center — Second Opinions', FOLLOWUP_DAYS: '14' });
  patient = await aPatient(t, 'Robin Testperson');
  coordinator = await aStaff(t, 'coordinator', 'Cora Ordinator');
  pathologist = await aStaff(t, 'expert', 'Dr. Patho Logist');
  oncologist = await aStaff(t, 'expert', 'Dr. Onco Logist');
  caseId = await aCase(t, patient, { submit: true });
  await command(coordinator, caseId, 'startRecordCollection');
  await waiveOutstanding(coordinator, caseId);
  await command(coordinator, caseId, 'markReadyForReview');
  for (const [expert, role] of [[pathologist, 'pathology'], [oncologist, 'medical_oncology']] as const) {
    const offer = await coordinator.client.post(`/api/cases/${caseId}/offers`, { expertId: expert.id, role });
    expect((await expert.client.post(`/api/offers/${offer.body.id}/accept`)).status).toBe(200);
  }
  await command(pathologist, caseId, 'startReview');
});
afterAll(() => t.close());

const pathologyPart = {
  reviewerRole: 'Pathologist',
  diagnosisReview: { originalDiagnosis: 'Squamous cell carcinoma of the lung', reviewedDiagnosis: 'Adenocarcinoma of the lung, acinar predominant', concordance: 'major_discordance', rationale: 'TTF-1 and napsin A positive, p40 negative on review of the slides.' },
  staging: { basis: 'pathological', t: '1c', n: '0', m: '0', grade: 'G2', edition: 'AJCC 8th edition' },
  biomarkers: [{ name: 'EGFR', status: 'missing' }, { name: 'PD-L1', status: 'recommended', note: 'Needed before any immunotherapy.' }],
  answers: [{ question: QUESTIONS[0], answer: 'The slides show a different type of lung cancer than first reported (adenocarcinoma).' }],
  physicianSection: 'Please send block A3 for EGFR/ALK testing.',
};
const oncologyPart = {
  reviewerRole: 'Medical oncologist',
  diagnosisReview: { originalDiagnosis: 'Squamous cell carcinoma of the lung', reviewedDiagnosis: 'Adenocarcinoma of the lung', concordance: 'minor_discordance', rationale: 'Agree with the pathology review; the change matters for testing.' },
  treatment: { stance: 'modify', options: [{ option: 'Lobectomy after molecular testing', rationale: 'Targeted treatment may be added if EGFR is mutated.' }] },
  surgery: { necessary: 'yes', neoadjuvantFirst: false, approach: 'vats', highVolumeAdvice: 'Choose a hospital doing at least 40 lung resections a year.' },
  lungFunction: { input: { fev1Percent: 80, dlcoPercent: 75, resected: ['rightLower'], stairClimbMeters: 25 } },
  trials: [{ identifier: 'NCT00000000', why: 'Synthetic example of a perioperative trial identifier.' }],
  answers: QUESTIONS.slice(1).map((q) => ({ question: q, answer: 'Yes: a minimally invasive lobectomy is reasonable once the tests are back.' })),
  priorities: { fit: 'fits', explanation: 'Surgery offers the best chance of living long, which you ranked first.' },
  patientSummary: 'Your cancer is a different type than first thought. You need two more tests on the tissue. Then surgery through small cuts is a good choice.',
};

describe('the review workspace and the signed opinion', () => {
  it('lets only the lead reviewer issue the report: the first to accept, until the coordinator names another', async () => {
    expect((await coordinator.client.get(`/api/cases/${caseId}`)).body.leadExpert).toEqual({ id: pathologist.id, name: 'Dr. Patho Logist' });
    const notLead = await oncologist.client.post(`/api/cases/${caseId}/opinion/report`, { password: PASSWORD, code: '000000' });
    expect(notLead.status).toBe(422);
    expect(notLead.body.detail).toMatch(/Only the lead reviewer, Dr. Patho Logist, issues the report/);
    // The message's key and parameters come too, for a client that words it in the reader's language.
    expect(notLead.body).toMatchObject({ key: 'Only the lead reviewer, {0}, issues the report and its later versions.', params: { 0: 'Dr. Patho Logist' } });
    expect((await oncologist.client.get('/api/cases/00000000-0000-4000-8000-000000000000/opinion')).body).toMatchObject({ status: 404, key: '{0} was not found, or you do not have access to it.', params: { 0: 'This case' } });
    const stranger = await aStaff(t, 'expert');
    expect((await coordinator.client.put(`/api/cases/${caseId}/lead`, { expertId: stranger.id })).status).toBe(400);
    expect((await pathologist.client.put(`/api/cases/${caseId}/lead`, { expertId: pathologist.id })).status).toBe(404);
    const named = await coordinator.client.put(`/api/cases/${caseId}/lead`, { expertId: oncologist.id });
    expect(named.status).toBe(200);
    expect(named.body.leadExpert).toEqual({ id: oncologist.id, name: 'Dr. Onco Logist' });
    await t.app.jobs.drain();
    const [notice] = await t.db.query<{ subject: string }>(`SELECT subject FROM mail_outbox WHERE kind = 'case.lead' AND to_address = $1`, [oncologist.email]);
    expect(notice!.subject).toMatch(/You lead the review of/);
    expect((await pathologist.client.post(`/api/cases/${caseId}/opinion/report`, { password: PASSWORD, code: '000000' })).body.detail).toMatch(/Dr. Onco Logist/);
  });

  it('opens the workspace for an assigned expert, with biomarkers to prefill, and audits it', async () => {
    const ws = await pathologist.client.get(`/api/cases/${caseId}/opinion`);
    expect(ws.status).toBe(200);
    expect(ws.body).toMatchObject({ isReviewer: true, myPart: null, reviewers: expect.arrayContaining([expect.objectContaining({ name: 'Dr. Patho Logist', signed: false })]) });
    expect(ws.body.intake.questions.questions).toEqual(QUESTIONS);
    expect(ws.body.biomarkers.tests.length).toBeGreaterThan(0);
    const [audit] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'opinion.workspace.read' AND actor_id = $1`, [pathologist.id]);
    expect(audit!.n).toBe(1);
    const stranger = await aStaff(t, 'expert');
    expect((await stranger.client.get(`/api/cases/${caseId}/opinion`)).status).toBe(404);
    expect((await patient.client.put(`/api/cases/${caseId}/opinion/draft`, { patientSummary: 'x' })).status).toBe(404);
  });

  it('works the lung calculator in the language the reviewer reads', async () => {
    const input = { fev1Percent: 80, dlcoPercent: 75, resected: ['rightLower'], stairClimbMeters: 25 };
    const en = await pathologist.client.post('/api/calculators/lung-resection', input);
    expect(en.body.reasons[0]).toBe('Cardiac risk (thoracic revised cardiac risk index) is assessed first.');
    const es = await pathologist.client.request('POST', '/api/calculators/lung-resection', input, { 'accept-language': 'es' });
    expect(es.status).toBe(200);
    expect(es.body).toMatchObject({ ppoFev1Percent: en.body.ppoFev1Percent, risk: 'low' });
    expect(es.body.reasons[0]).toBe('Primero se evalúa el riesgo cardíaco (índice de riesgo cardíaco revisado para cirugía torácica).');
    expect(es.body.source).toMatch(/^Guía del ACCP: .*Brunelli.*; revisada el 25 de noviembre de 2026$/);
  });

  it('saves a draft section by section as it is typed, half-filled sections too, and says what signing still needs', async () => {
    const first = await pathologist.client.patch(`/api/cases/${caseId}/opinion/draft`, { diagnosisReview: { reviewedDiagnosis: 'Adenocarcinoma' } });
    expect(first.status, first.text).toBe(200);
    expect(first.body.missing).toEqual(expect.arrayContaining(['Diagnosis review: the concordance is missing.', 'Diagnosis review: the original diagnosis is missing.']));
    // A second device saves another section without undoing the first.
    const second = await pathologist.client.patch(`/api/cases/${caseId}/opinion/draft`, { physicianSection: 'Draft words.' });
    expect(second.body.content).toEqual({ diagnosisReview: { reviewedDiagnosis: 'Adenocarcinoma' }, physicianSection: 'Draft words.' });
    expect((await pathologist.client.get(`/api/cases/${caseId}/opinion`)).body.myPart.content.diagnosisReview).toEqual({ reviewedDiagnosis: 'Adenocarcinoma' });
    // A section given as null is cleared; a section emptied by the reviewer is not kept either.
    const cleared = await pathologist.client.patch(`/api/cases/${caseId}/opinion/draft`, { physicianSection: null, staging: { t: '' } });
    expect(cleared.body.content).toEqual({ diagnosisReview: { reviewedDiagnosis: 'Adenocarcinoma' } });
    // Choices and lengths are still checked; a wrong one changes nothing.
    const bad = await pathologist.client.patch(`/api/cases/${caseId}/opinion/draft`, { diagnosisReview: { concordance: 'perhaps' } });
    expect(bad.status).toBe(400);
    expect((await pathologist.client.patch(`/api/cases/${caseId}/opinion/draft`, {})).status).toBe(400);
    expect((await pathologist.client.get(`/api/cases/${caseId}/opinion`)).body.myPart.content).toEqual({ diagnosisReview: { reviewedDiagnosis: 'Adenocarcinoma' } });
    // Signing an incomplete part lists what is missing, in words, and signs nothing.
    const early = await pathologist.client.post(`/api/cases/${caseId}/opinion/sign`, { password: PASSWORD, code: codeFor(pathologist) });
    expect(early.status).toBe(422);
    expect(early.body.detail).toBe('Your part cannot be signed yet.');
    expect(early.body.unmet).toContain('Diagnosis review: the rationale is missing.');
    expect((await pathologist.client.get(`/api/cases/${caseId}/opinion`)).body.myPart.status).toBe('draft');
  });

  it('saves drafts, keeps notes private, and signs a part only with the password and a fresh code', async () => {
    const saved = await pathologist.client.put(`/api/cases/${caseId}/opinion/draft`, pathologyPart);
    expect(saved.status).toBe(200);
    expect(saved.body.missing).toEqual([]);
    expect((await pathologist.client.post(`/api/cases/${caseId}/opinion/notes`, { body: 'Re-cut block A3 looks adequate.' })).status).toBe(201);
    expect((await oncologist.client.get(`/api/cases/${caseId}/opinion`)).body.notes).toEqual([]);
    const bad = await pathologist.client.post(`/api/cases/${caseId}/opinion/sign`, { password: 'wrong password', code: codeFor(pathologist) });
    expect(bad.status).toBe(401);
    expect((await pathologist.client.get(`/api/cases/${caseId}/opinion`)).body.myPart.status).toBe('draft');
    const signed = await pathologist.client.post(`/api/cases/${caseId}/opinion/sign`, { password: PASSWORD, code: codeFor(pathologist) });
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ status: 'signed', contentSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await pathologist.client.put(`/api/cases/${caseId}/opinion/draft`, pathologyPart)).status).toBe(409);
  });

  it('issues the combined report only when every reviewer has signed and every question is answered', async () => {
    const early = await oncologist.client.post(`/api/cases/${caseId}/opinion/report`, { password: PASSWORD, code: codeFor(oncologist) });
    expect(early.status, early.text).toBe(422);
    expect(early.body.detail).toMatch(/Waiting for signatures: Dr. Onco Logist/);
    // The last signature may not leave the report unissuable: every question answered by someone, and a summary.
    const partial = { ...oncologyPart, answers: [], patientSummary: undefined };
    expect((await oncologist.client.put(`/api/cases/${caseId}/opinion/draft`, partial)).body.missing).toEqual([
      ...QUESTIONS.slice(1).map((q) => `The patient's question is not answered by any reviewer: “${q}”.`),
      'No reviewer has written the summary for the patient.',
    ]);
    const unanswered = await oncologist.client.post(`/api/cases/${caseId}/opinion/sign`, { password: PASSWORD, code: codeFor(oncologist) });
    expect(unanswered.status).toBe(422);
    expect(unanswered.body.unmet.join(' ')).toMatch(/question is not answered/);
    await oncologist.client.put(`/api/cases/${caseId}/opinion/draft`, oncologyPart);
    expect((await oncologist.client.post(`/api/cases/${caseId}/opinion/sign`, { password: PASSWORD, code: codeFor(oncologist) })).status).toBe(200);
    const mine = (await oncologist.client.get(`/api/cases/${caseId}/opinion`)).body.myPart;
    expect(mine.summaryGrade).toBeLessThanOrEqual(8);
    const issued = await oncologist.client.post(`/api/cases/${caseId}/opinion/report`, { password: PASSWORD, code: codeFor(oncologist) });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ version: 1, kind: 'original' });
    expect(issued.body.document.disagreements.join(' ')).toMatch(/Diagnosis concordance: Dr. Patho Logist — major discordance; Dr. Onco Logist — minor discordance/);
    expect((await coordinator.client.get(`/api/cases/${caseId}`)).body.status).toBe('opinion_signed');
  });

  it('renders a professional PDF: letterhead, patient on every page, sections, signatures, page numbers', async () => {
    const res = await fetch(`${t.baseUrl}/api/cases/${caseId}/opinion/report/1/pdf`, { headers: { cookie: coordinator.client.cookieHeader } });
    expect(res.status).toBe(200);
    const pdf = Buffer.from(await res.arrayBuffer());
    const { text, pages } = await extractPdfText(new Uint8Array(pdf));
    for (const words of ['Synthetic Cancer Center — Second Opinions', 'Robin Testperson', 'Diagnosis review', 'Major discordance', 'pT1c pN0 pM0', 'Lung function before resection', 'ppoFEV1 58.9 %', 'Your questions, answered', 'Where the reviewers differ', 'Signed electronically by Dr. Patho Logist', 'Signed electronically by Dr. Onco Logist', `Page 1 of ${pages}`, 'NCT00000000']) {
      expect(text).toContain(words);
    }
    expect(text.split('Robin Testperson').length - 1).toBeGreaterThanOrEqual(pages);
    // Words a reader understands: lobes by name, a printable minus, no file of ours, dates as on screen.
    expect(text).toMatch(/resection of the right lower lobe/);
    expect(text).not.toMatch(/DOMAIN\.md|rightLower|issued \d{4}-/);
    // Rendered to images with Debian's pdftoppm: one PNG per page.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    fs.writeFileSync(path.join(dir, 'r.pdf'), pdf);
    execFileSync('pdftoppm', ['-png', '-r', '40', path.join(dir, 'r.pdf'), path.join(dir, 'page')]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.png'))).toHaveLength(pages);
    expect(pages).toBeGreaterThanOrEqual(2);
    fs.rmSync(dir, { recursive: true, force: true });
    // The patient side sees the report only once it is delivered.
    expect((await patient.client.get(`/api/cases/${caseId}/opinion/report/1/pdf`)).status).toBe(404);
  });

  it('serves the report as a valid FHIR DiagnosticReport with the PDF, and the concordance as an Observation', async () => {
    const ws = await coordinator.client.get(`/api/cases/${caseId}/opinion`);
    const reportId = ws.body.reports[0].id;
    const dr = await coordinator.client.get(`/fhir/R4/DiagnosticReport/${reportId}`);
    expect(dr.status).toBe(200);
    expect(fhirValidationErrors(dr.body)).toEqual([]);
    expect(dr.body).toMatchObject({ resourceType: 'DiagnosticReport', status: 'final', conclusionCode: [{ coding: [{ code: 'major_discordance' }] }], basedOn: [{ reference: `ServiceRequest/${caseId}` }] });
    expect(Buffer.from(dr.body.presentedForm[0].data, 'base64').subarray(0, 4).toString()).toBe('%PDF');
    const obs = await coordinator.client.get(`/fhir/R4/${dr.body.result[0].reference}`);
    expect(fhirValidationErrors(obs.body)).toEqual([]);
    expect(obs.body.valueCodeableConcept.coding[0].code).toBe('major_discordance');
    expect((await patient.client.get(`/fhir/R4/DiagnosticReport/${reportId}`)).status).toBe(404);
    const patientId = (await coordinator.client.get(`/api/cases/${caseId}`)).body.patientId;
    const search = await coordinator.client.get(`/fhir/R4/DiagnosticReport?patient=Patient/${patientId}`);
    expect(search.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(fhirValidationErrors(search.body)).toEqual([]);
    expect((await patient.client.get(`/fhir/R4/DiagnosticReport?patient=Patient/${patientId}`)).body.total).toBe(0); // not delivered yet
  });

  it('delivers to the patient side with a notice, opens follow-up questions, then takes the survey once', async () => {
    const delivered = await coordinator.client.post(`/api/cases/${caseId}/opinion/deliver`);
    expect(delivered.status).toBe(200);
    await t.app.jobs.drain();
    const [mail] = await t.db.query<{ subject: string; body_text: string }>(`SELECT subject, body_text FROM mail_outbox WHERE kind = 'opinion.delivered' AND to_address = $1`, [patient.email]);
    expect(mail!.subject).toMatch(/second opinion is ready/);
    expect(mail!.body_text).not.toMatch(/adenocarcinoma/i);
    expect((await patient.client.get(`/api/cases/${caseId}/opinion/report/1/pdf`)).status).toBe(200);
    const ws = (await patient.client.get(`/api/cases/${caseId}/opinion`)).body;
    expect(ws.reports).toHaveLength(1);
    expect(ws.otherParts).toEqual([]);
    expect((await patient.client.post(`/api/cases/${caseId}/followups`, { body: 'Which test comes first?' })).status).toBe(201);
    // The question waits in the expert's inbox, first, until it is answered.
    const waiting = async () => ((await oncologist.client.get('/api/experts/me/inbox')).body.accepted as { id: string; questionWaiting: boolean }[]).find((c) => c.id === caseId)?.questionWaiting;
    expect(await waiting()).toBe(true);
    expect((await oncologist.client.post(`/api/cases/${caseId}/followups`, { body: 'EGFR first; results take about two weeks.' })).status).toBe(201);
    expect(await waiting()).toBe(false);
    const thread = (await patient.client.get(`/api/cases/${caseId}/followups`)).body;
    expect(thread.messages.map((m: { authorRole: string }) => m.authorRole)).toEqual(['patient', 'expert']);
    expect(thread.open).toBe(true);
    expect((await patient.client.post(`/api/cases/${caseId}/survey`, { clear: 5, changed: 'diagnosis', wouldRecommend: true })).status).toBe(201);
    expect((await patient.client.post(`/api/cases/${caseId}/survey`, { clear: 4, changed: 'plan', wouldRecommend: true })).status).toBe(409);
    // Fifteen days later (FOLLOWUP_DAYS is 14 here), the thread is closed.
    await t.db.query(`UPDATE case_events SET at = at - interval '15 days' WHERE case_id = $1 AND to_status = 'delivered'`, [caseId]);
    expect((await patient.client.post(`/api/cases/${caseId}/followups`, { body: 'One more?' })).status).toBe(409);
    expect((await patient.client.get(`/api/cases/${caseId}/followups`)).body.open).toBe(false);
    // Held when the period ends, the case waits; resumed, it closes by itself all the same.
    await command(coordinator, caseId, 'hold', { reason: 'Waiting for a call with the patient' });
    await t.db.query(`UPDATE jobs SET run_at = now() WHERE kind = 'opinion.closeAfterFollowup'`);
    await t.app.jobs.drain();
    expect((await coordinator.client.get(`/api/cases/${caseId}`)).body.status).toBe('on_hold');
    await command(coordinator, caseId, 'resume');
    await t.app.jobs.drain();
    expect((await coordinator.client.get(`/api/cases/${caseId}`)).body.status).toBe('closed');
  });

  it('keeps every version: an amendment with a reason is a new, marked version', async () => {
    expect((await pathologist.client.post(`/api/cases/${caseId}/opinion/report/versions`, { kind: 'addendum', reason: 'More results arrived', text: 'The second block confirms the diagnosis.', password: PASSWORD, code: '000000' })).status).toBe(422);
    expect((await coordinator.client.put(`/api/cases/${caseId}/lead`, { expertId: pathologist.id })).status).toBe(409);
    const amended = await oncologist.client.post(`/api/cases/${caseId}/opinion/report/versions`, { kind: 'amendment', reason: 'EGFR result received', text: 'EGFR exon 19 deletion found: targeted therapy after surgery is recommended.', password: PASSWORD, code: codeFor(oncologist) });
    expect(amended.status).toBe(201);
    expect(amended.body).toMatchObject({ version: 2, kind: 'amendment', reason: 'EGFR result received' });
    const v2 = await fetch(`${t.baseUrl}/api/cases/${caseId}/opinion/report/2/pdf`, { headers: { cookie: patient.client.cookieHeader } });
    const { text } = await extractPdfText(new Uint8Array(await v2.arrayBuffer()));
    expect(text).toMatch(/Version 2 — Amended report: EGFR result received/);
    expect(text).toContain('Signed electronically by Dr. Patho Logist');
    const v1 = await coordinator.client.get(`/fhir/R4/DiagnosticReport/${(await coordinator.client.get(`/api/cases/${caseId}/opinion`)).body.reports[0].id}`);
    expect(v1.body.status).toBe('amended');
  });

  it('reports outcomes to coordinators and admins, as JSON and CSV', async () => {
    const o = await coordinator.client.get('/api/outcomes');
    expect(o.status).toBe(200);
    expect(o.body.concordance).toMatchObject({ major_discordance: 1, reviewed: 1, changedShare: 100 });
    expect(o.body.turnaroundDays.signed).toBe(1);
    expect(o.body.bySituation.find((s: { id: number }) => s.id === 1).cases).toBeGreaterThanOrEqual(1);
    const csv = await fetch(`${t.baseUrl}/api/outcomes?format=csv`, { headers: { cookie: coordinator.client.cookieHeader } });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await csv.text()).toMatch(/concordance,major discordance,1/);
    expect((await patient.client.get('/api/outcomes')).status).toBe(403);
  });

  it('keeps every report PDF through storage housekeeping, however old', async () => {
    const { cleanUpStorage } = await import('../records/cleanup.ts');
    const later = new Date(Date.now() + 3 * 86_400_000);
    await expect(cleanUpStorage(t.db, { objects: objectBackendFor(t.config), uploads: await uploadDiscarderFor(t.config) }, { now: later })).resolves.toHaveProperty('orphanBlobs');
    for (const version of [1, 2]) expect((await patient.client.get(`/api/cases/${caseId}/opinion/report/${version}/pdf`)).status).toBe(200);
  });
});
