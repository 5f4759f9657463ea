import path from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aPatient, aStaff, command } from '../../test/support/builders.ts';
import { Client } from '../../test/support/client.ts';
import { aPdf, tusUpload } from '../../test/support/records.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let anon: Client;
beforeAll(async () => {
  t = await startTestApp({ ASSESSMENT_RATE_PER_MINUTE: '1000' });
  anon = new Client(t.baseUrl);
});
afterAll(() => t.close());

const LUNG = { diagnosis: { code: 'C34.11' }, diagnosisStatus: 'new', spread: 'no', surgery: { recommended: 'yes', operation: 'lobectomy', approach: 'open' } };

async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await getDocument({ data: bytes, standardFontDataUrl: `${path.resolve('node_modules/pdfjs-dist/standard_fonts')}/` }).promise;
  let text = '';
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    text += (await page.getTextContent()).items.map((x) => ('str' in x ? x.str : '')).join(' ') + '\n';
  }
  return text;
}

describe('public assessment API', () => {
  it('answers anonymously with situations, urgency, reviewers, checklist and biomarkers, each with a rule and sources', async () => {
    const r = await anon.post('/api/assessments', LUNG);
    expect(r.status).toBe(200);
    expect(r.body.situations.map((s: { number: number }) => s.number).sort()).toEqual([1, 2]);
    expect(r.body.reviewers.map((v: { specialty: string }) => v.specialty)).toEqual(expect.arrayContaining(['thoracic_surgery', 'pulmonology', 'pathology', 'medical_oncology']));
    expect(r.body.checklist.map((i: { id: string }) => i.id)).toContain('pft');
    expect(r.body.biomarkers.missing).toEqual(['EGFR', 'ALK', 'PD-L1 (IHC)']);
    for (const reason of [...r.body.situations.flatMap((s: { reasons: unknown[] }) => s.reasons), ...r.body.questions, ...r.body.checklist]) {
      expect(reason.sources.length).toBeGreaterThan(0);
    }
    const cited = new Set(r.body.sources.map((s: { id: string }) => s.id));
    expect(cited.has('seed-s2-lung')).toBe(true);
    // Nothing about the person is kept: no case, no audit row names them.
    expect((await t.db.query('SELECT count(*)::int AS n FROM cases'))[0]).toEqual({ n: 0 });
  });

  it('takes the lung function values a patient knows and asks for the exercise test the ACCP algorithm needs', async () => {
    const low = await anon.post('/api/assessments', { ...LUNG, lungFunction: { fev1Percent: 52, dlcoPercent: 64 } });
    expect(low.status).toBe(200);
    const item = low.body.checklist.find((i: { id: string }) => i.id === 'exercise_test');
    expect(item).toMatchObject({ ruleId: 'checklist.exercise_test', sources: ['accp-2013'] });
    expect(low.body.questions.map((q: { ruleId: string }) => q.ruleId)).toContain('q.exercise_test');
    const veryLow = await anon.post('/api/assessments', { ...LUNG, lungFunction: { dlcoPercent: 29 } });
    expect(veryLow.body.checklist.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining(['pft', 'cpet']));
    expect(veryLow.body.checklist.map((i: { id: string }) => i.id)).not.toContain('exercise_test');
    // Values above 60 %: no test is asked for before the reviewer works out the predicted values.
    const fine = await anon.post('/api/assessments', { ...LUNG, lungFunction: { fev1Percent: 85, dlcoPercent: 90 } });
    expect(fine.body.checklist.map((i: { id: string }) => i.id)).not.toEqual(expect.arrayContaining(['exercise_test']));
    // In Spanish too, and a value out of range is refused in plain words.
    const es = await anon.request('POST', '/api/assessments', { ...LUNG, lungFunction: { fev1Percent: 52 } }, { 'accept-language': 'es' });
    expect(es.body.checklist.find((i: { id: string }) => i.id === 'exercise_test').label).toMatch(/^Resultados de la prueba de esfuerzo/);
    const wrong = await anon.post('/api/assessments', { ...LUNG, lungFunction: { fev1Percent: 520 } });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toContain('percentage of the predicted value');
  });

  it('accepts partial answers and takes the "not sure" path; an unknown code falls back to the words typed', async () => {
    const empty = await anon.post('/api/assessments', {});
    expect(empty.status).toBe(200);
    expect(empty.body.condition.kind).toBe('unknown');
    expect(empty.body.noneApply.text).toMatch(/none of the five/);
    const unknown = await anon.post('/api/assessments', { diagnosis: { code: 'Q99.X', text: 'they said it was a sarcoma' } });
    expect(unknown.status).toBe(200);
    expect(unknown.body.condition).toMatchObject({ id: 'soft_tissue_sarcoma', matchedBy: 'text' });
    expect(unknown.body.notices[0].text).toMatch(/did not recognise the code "Q99.X"/);
  });

  it('rejects malformed JSON, unknown fields and wrong choices with problem details that name the field', async () => {
    const bad = await anon.request('POST', '/api/assessments', '{"diagnosis": ', {});
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const extra = await anon.post('/api/assessments', { ...LUNG, favouriteColour: 'blue' });
    expect(extra.status).toBe(400);
    const wrong = await anon.post('/api/assessments', { surgery: { recommended: 'yes', operation: 'appendix-removal' } });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body.errors)).toContain('surgery/operation');
  });

  it('prints the same result as a PDF', async () => {
    const res = await fetch(`${t.baseUrl}/api/assessments/pdf`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(LUNG) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
    const text = await pdfText(bytes);
    expect(text).toContain('Which of the five situations apply');
    expect(text).toContain('Lung function tests (FEV1, FVC and DLCO)');
    expect(text).toContain('not medical advice');
    expect(text).toMatch(/at least 40 a year at the hospital and 15 a year for the surgeon/);
    // Sources are numbered and listed by title; no internal ids or review caveats reach the patient.
    expect(text).toMatch(/\[1\]\s+Patient guide: when to get a second opinion/);
    expect(text).not.toMatch(/seed-|domain-|before clinical use|Check the numbers/);
  });

  it('lists every rule with its sources and review date, and documents the API in OpenAPI', async () => {
    const rules = (await anon.get('/api/assessments/rules')).body;
    const all = [...rules.rules.situations, ...rules.rules.urgency.rules, ...rules.rules.reviewers, ...rules.rules.center, ...rules.rules.checklist, ...rules.rules.questions, ...rules.rules.coverage];
    expect(all.length).toBeGreaterThan(60);
    for (const r of all) expect(r.reviewedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const doc = (await anon.get('/api/openapi.json')).body;
    expect(doc.paths['/api/assessments'].post.requestBody.content['application/json'].schema).toBeTruthy();
    expect(doc.components.schemas.AssessmentResult).toBeTruthy();
  });
});

describe('rate limit', () => {
  it('answers 429 with problem details once an address asks too often', async () => {
    const small = await startTestApp({ ASSESSMENT_RATE_PER_MINUTE: '3' });
    try {
      const c = new Client(small.baseUrl);
      for (let i = 0; i < 3; i++) expect((await c.post('/api/assessments', {})).status).toBe(200);
      const limited = await c.post('/api/assessments', {});
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429 });
      expect(limited.headers.get('content-type')).toMatch(/problem\+json/);
    } finally {
      await small.close();
    }
  });
});

describe('from assessment to case', () => {
  it('carries the answers into a new case, prefills the intake and runs the same rules inside the case', async () => {
    const patient = await aPatient(t);
    const answers = { ...LUNG, timing: 'within_2_weeks', priorities: ['function', 'longevity'], records: { have: ['pathology_report'] }, lungFunction: { fev1Percent: 52 } };
    const created = await patient.client.post('/api/cases', { assessment: answers });
    expect(created.status).toBe(201);
    expect(created.body.intake.condition).toMatchObject({ icd10Code: 'C34.11', newDiagnosis: true });
    expect(created.body.intake.situations.situations).toEqual([1, 2]);
    expect(created.body.intake.plan).toMatchObject({ surgeryProposed: true, surgeryDescription: 'Lobectomy (removing a lobe of the lung)', treatmentStartsSoon: true });
    expect(created.body.intake.priorities.ranked).toEqual(['function', 'longevity']);
    expect(created.body.missingIntakeSections).toContain('plan');

    const inCase = await patient.client.get(`/api/cases/${created.body.id}/assessment`);
    expect(inCase.status).toBe(200);
    expect(inCase.body.urgency.level).toBe('expedited');
    // Inside a case only documents on file count, not what the patient said they had.
    expect(inCase.body.checklist.find((i: { id: string }) => i.id === 'pathology_report').have).toBe(false);
    expect(inCase.body.checklist.find((i: { id: string }) => i.id === 'pathology_slides').have).toBe(false);
    // The lung function the patient knew asks for the exercise test in the case too, and the workspace shows their numbers as theirs.
    expect(inCase.body.checklist.find((i: { id: string }) => i.id === 'exercise_test')).toMatchObject({ have: false });
    expect((await patient.client.get(`/api/cases/${created.body.id}/opinion`)).body.reportedLungFunction).toEqual({ fev1Percent: 52 });
    // A pulmonary function report on file is read for its values, quoted, beside the patient's own numbers.
    const pft = await aPdf(['Pulmonary function report', 'Spirometry and diffusing capacity', 'FEV1 1.62 L (58% predicted)', 'FEV1/FVC 64%', 'DLCO 11.9 mL/min/mmHg, 47% of predicted', 'Post-bronchodilator FEV1 1.70 L (61% predicted)']);
    expect((await tusUpload(patient.client, created.body.id, 'pft.pdf', pft)).status).toBe(200);
    await t.app.jobs.drain();
    expect((await patient.client.get(`/api/cases/${created.body.id}/opinion`)).body.lungFunctionOnFile).toEqual([
      { measure: 'fev1', percentPredicted: 58, afterBronchodilator: false, evidence: 'FEV1 1.62 L (58% predicted)' },
      { measure: 'dlco', percentPredicted: 47, afterBronchodilator: false, evidence: 'DLCO 11.9 mL/min/mmHg, 47% of predicted' },
      { measure: 'fev1', percentPredicted: 61, afterBronchodilator: true, evidence: 'Post-bronchodilator FEV1 1.70 L (61% predicted)' },
    ]);
    const [audit] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'case.assessment.read' AND case_id = $1`, [created.body.id]);
    expect(audit!.n).toBe(1);

    const stranger = await aPatient(t);
    expect((await stranger.client.get(`/api/cases/${created.body.id}/assessment`)).status).toBe(404);
  });

  it('rejects bad carried answers and creates nothing', async () => {
    const patient = await aPatient(t);
    const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases'))[0]!.n;
    const r = await patient.client.post('/api/cases', { assessment: { spread: 'maybe' } });
    expect(r.status).toBe(400);
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases'))[0]!.n).toBe(before);
  });

  it('a coordinator sees the case assessment once the case is submitted, not before', async () => {
    const patient = await aPatient(t);
    const coordinator = await aStaff(t, 'coordinator');
    const created = await patient.client.post('/api/cases', { assessment: LUNG });
    const id = created.body.id;
    expect((await coordinator.client.get(`/api/cases/${id}/assessment`)).status).toBe(404);
    const { anIntake } = await import('../../test/support/builders.ts');
    for (const [section, data] of Object.entries(anIntake())) expect((await patient.client.put(`/api/cases/${id}/intake/${section}`, data)).status).toBe(200);
    for (const document of ['service_consent', 'hipaa_authorization']) await patient.client.post(`/api/cases/${id}/consents`, { document, version: '2026-11', typedName: patient.name });
    await command(patient, id, 'submit');
    const seen = await coordinator.client.get(`/api/cases/${id}/assessment`);
    expect(seen.status).toBe(200);
    expect(seen.body.situations.map((s: { number: number }) => s.number)).toEqual(expect.arrayContaining([1, 2]));
  });
});
