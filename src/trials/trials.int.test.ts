import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCaseInReview, aPatient, aStaff, codeFor, PASSWORD, type Person } from '../../test/support/builders.ts';
import { fhirValidationErrors } from '../fhir/validate.ts';
import { extractPdfText } from '../records/pdfText.ts';
import { aFhirBundle, aPdf, MOLECULAR_LINES, tusUpload } from '../../test/support/records.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { aTrialRegistry } from '../../test/support/trialRegistry.ts';
import { trialsService } from './service.ts';

let t: TestApp;
let registry: Awaited<ReturnType<typeof aTrialRegistry>>;
let admin: Person;
let patient: Person;
let coordinator: Person;
let expert: Person;
let caseId: string;
beforeAll(async () => {
  registry = await aTrialRegistry();
  t = await startTestApp({ JOBS_POLL_MS: '60000', TRIALS_REGISTRY_URL: registry.url });
  admin = await aStaff(t, 'admin');
  patient = await aPatient(t);
  coordinator = await aStaff(t, 'coordinator');
  expert = await aStaff(t, 'expert');
  caseId = await aCaseInReview(t, patient, coordinator, expert);
});
afterAll(async () => {
  await t.close();
  await registry.close();
});

describe('clinical trials', () => {
  it('keeps a local copy of the registry’s recruiting studies, refreshed by an administrator or on schedule', async () => {
    expect((await admin.client.get('/api/admin/trials/sync')).body).toEqual({ refreshRequested: false, lastRun: null, studiesOnFile: 0, syncEveryHours: 0 });
    // Asked for, the refresh runs in the background; the page follows it.
    const asked = await admin.client.post('/api/admin/trials/sync', {});
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ refreshRequested: true, lastRun: null });
    await t.app.jobs.drain();
    expect((await admin.client.get('/api/admin/trials/sync')).body).toMatchObject({ refreshRequested: false, studiesOnFile: 4, lastRun: { outcome: 'done', studies: 4, skipped: expect.any(Number), error: null } });
    // No scheduled run was booked by it (the schedule is off here).
    expect(await t.db.query(`SELECT 1 FROM jobs WHERE kind = 'trials.sync' AND done_at IS NULL`)).toEqual([]);
    // Every page was read, by its paging token.
    expect(registry.asked.some((q) => q.get('pageToken') === 'synthetic-token-page-2')).toBe(true);
    const [{ terms }] = await t.db.query<{ terms: string[] }>(`SELECT terms FROM trials WHERE nct_id = 'NCT09900001'`) as [{ terms: string[] }];
    expect(terms).toEqual(expect.arrayContaining(['Lung Cancer', 'Non-small Cell Lung Cancer']));
    expect((await coordinator.client.post('/api/admin/trials/sync', {})).status).toBe(403);
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'trials.sync.run'`) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('suggests trials for a lung cancer case to its reviewer, with reasons and lines to check, audited', async () => {
    const res = await expert.client.get(`/api/cases/${caseId}/trials`);
    expect(res.status).toBe(200);
    expect(res.body.conditionTerms).toContain('Lung Cancer');
    expect(res.body.syncedAt).toEqual(expect.any(String));
    const ids = res.body.candidates.map((c: { nctId: string }) => c.nctId);
    expect(ids).toEqual(expect.arrayContaining(['NCT09900001', 'NCT09900002']));
    expect(ids).not.toContain('NCT09900003');
    const egfr = res.body.candidates.find((c: { nctId: string }) => c.nctId === 'NCT09900001');
    expect(egfr.reasons[0]).toBe('Studies non-small cell lung cancer, the condition of this request.');
    expect(egfr.checks.some((c: { line: string }) => /measurable lesion/.test(c.line))).toBe(true);
    // The synthetic patient was born in 1962: the study for people up to 60 is set aside, with why.
    expect(res.body.setAside).toEqual([expect.objectContaining({ nctId: 'NCT09900004', why: 'Takes people up to age 60.' })]);
    expect((await coordinator.client.get(`/api/cases/${caseId}/trials`)).status).toBe(200);
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'trials.candidates.read' AND case_id = $1`, [caseId]) as [{ n: number }];
    expect(n).toBe(2);
  });

  it('reads test results from imported structured records (FHIR genomics Observations) as it reads reports', async () => {
    const other = await aPatient(t);
    const id = await aCaseInReview(t, other, coordinator, expert);
    const bundle = aFhirBundle();
    const loinc = (code: string, display: string) => ({ coding: [{ system: 'http://loinc.org', code, display }] });
    const variant = (n: string, gene: string, answer: [string, string], change?: string) => ({ resource: {
      resourceType: 'Observation', id: n, status: 'final', subject: { reference: 'Patient/p1' }, code: loinc('69548-6', 'Genetic variant assessment'),
      valueCodeableConcept: loinc(...answer),
      component: [
        { code: loinc('48018-6', 'Gene studied [ID]'), valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org/geneId', code: 'HGNC:0000', display: gene }] } },
        ...(change ? [{ code: loinc('48005-3', 'Amino acid change (pHGVS)'), valueCodeableConcept: { coding: [{ system: 'http://varnomen.hgvs.org', code: change }] } }] : []),
      ],
    } });
    bundle.entry.push(variant('v1', 'EGFR', ['LA9633-4', 'Present'], 'p.Leu858Arg') as never, variant('v2', 'KRAS', ['LA9634-2', 'Absent']) as never);
    expect((await tusUpload(coordinator.client, id, 'genomics.json', Buffer.from(JSON.stringify(bundle)))).status).toBe(200);
    await t.app.jobs.drain();
    const found = (await expert.client.get(`/api/cases/${id}/trials`)).body.candidates as { nctId: string; reasons: string[]; mayNotFit: boolean }[];
    const egfr = found.find((c) => c.nctId === 'NCT09900001')!;
    const kras = found.find((c) => c.nctId === 'NCT09900002')!;
    expect(egfr.reasons).toContain('The study asks for a positive EGFR result, and a report on file reads “EGFR p.Leu858Arg: detected” (found): check the details against the study.');
    expect(kras.reasons).toContain('The study asks for KRAS G12C, but a report on file reads “KRAS: not detected” (not found): it may not fit.');
    expect([egfr.mayNotFit, kras.mayNotFit]).toEqual([false, true]);

    // A bundle about someone else, kept apart for the coordinator, states nothing of this patient's tests.
    const stranger = aFhirBundle({ given: 'Alex', family: 'Otherperson', birthDate: '1970-01-01' });
    stranger.entry.push(variant('v3', 'EGFR', ['LA9634-2', 'Absent']) as never);
    expect((await tusUpload(coordinator.client, id, 'other.json', Buffer.from(JSON.stringify(stranger)))).status).toBe(200);
    await t.app.jobs.drain();
    const [kept] = await t.db.query<{ flags: { kind: string }[] }>(`SELECT flags FROM documents WHERE case_id = $1 AND filename = 'other.json'`, [id]);
    expect(kept!.flags.map((f) => f.kind)).toContain('patient_mismatch');
    const again = (await expert.client.get(`/api/cases/${id}/trials`)).body.candidates as { nctId: string; reasons: string[] }[];
    expect(again.find((c) => c.nctId === 'NCT09900001')!.reasons).toContain('The study asks for a positive EGFR result, and a report on file reads “EGFR p.Leu858Arg: detected” (found): check the details against the study.');
  });

  it('searches the whole copy by words or NCT number for the reviewer, each study read against the case, audited without the words', async () => {
    const search = (q: string, who = expert) => who.client.get(`/api/cases/${caseId}/trials/search?q=${encodeURIComponent(q)}`);
    // A study of another condition is found by its intervention, and says it is not for this condition.
    const adc = await search('antibody-drug conjugates');
    expect(adc.status).toBe(200);
    expect(adc.body.candidates.map((c: { nctId: string }) => c.nctId)).toEqual(['NCT09900003']);
    expect(adc.body.candidates[0].reasons[0]).toBe('Found by the search: its conditions do not name the condition of this request.');
    // Still read against the case: its biomarkers and the patient's place.
    expect(adc.body.candidates[0].reasons).toContain('Concerns ERBB2 (HER2) mutation, which is not yet tested on file.');
    // Words in a title and conditions, best match first; a study of the case's condition says so.
    const kras = await search('KRAS G12C');
    expect(kras.body.candidates[0]).toMatchObject({ nctId: 'NCT09900002', reasons: expect.arrayContaining(['Studies lung cancer, the condition of this request.']) });
    expect(kras.body.candidates.map((c: { nctId: string }) => c.nctId)).not.toContain('NCT09900003');
    // By its number, in any case; outside the case's limits it is set aside with why, as a suggestion is.
    expect((await search('nct09900004')).body.setAside).toEqual([expect.objectContaining({ nctId: 'NCT09900004', why: 'Takes people up to age 60.' })]);
    expect((await search(' "NCT09900004" ')).body.setAside.map((c: { nctId: string }) => c.nctId)).toEqual(['NCT09900004']);
    expect((await search('nothing-like-this-anywhere')).body.candidates).toEqual([]);
    // Web-search syntax: a leading minus leaves out.
    expect((await search('synthetic -KRAS -EGFR -HER2')).body.setAside.map((c: { nctId: string }) => c.nctId)).toEqual(['NCT09900004']);
    expect((await search('a')).status).toBe(400);
    expect((await search('lung', patient)).status).toBe(404);
    const events = await t.db.query<{ detail: unknown; outcome: string }>(`SELECT detail, outcome FROM audit_events WHERE action = 'trials.search' AND case_id = $1`, [caseId]);
    // Six searches, and the patient's refused one.
    expect(events.map((e) => e.outcome).sort()).toEqual(['denied', 'success', 'success', 'success', 'success', 'success', 'success']);
    expect(JSON.stringify(events)).not.toMatch(/KRAS|conjugate|nct0990/i);
  });

  it('writes its reasons and notes in the language the staff member reads', async () => {
    const inSpanish = (path: string) => expert.client.request('GET', path, undefined, { 'accept-language': 'es' });
    const res = await inSpanish(`/api/cases/${caseId}/trials`);
    expect(res.status).toBe(200);
    const egfr = res.body.candidates.find((c: { nctId: string }) => c.nctId === 'NCT09900001');
    expect(egfr.reasons[0]).toBe('Es un estudio de cáncer de pulmón de células no pequeñas, la enfermedad de esta solicitud.');
    // The conditions searched, named in Spanish for the page (the registry is searched in English).
    expect(res.body.conditionTerms).toContain('Non-small Cell Lung Cancer');
    expect(res.body.conditionNames).toContain('cáncer de pulmón de células no pequeñas');
    expect(egfr.checks.find((c: { line: string }) => /measurable lesion/.test(c.line)).notes).toEqual(['Pide enfermedad medible: revise el informe de imagen más reciente.']);
    expect(res.body.setAside).toEqual([expect.objectContaining({ nctId: 'NCT09900004', why: 'Acepta personas de hasta 60 años.' })]);
    // A test is named as the Spanish panel names it, inside the sentence.
    const adc = await inSpanish(`/api/cases/${caseId}/trials/search?q=${encodeURIComponent('antibody-drug conjugates')}`);
    expect(adc.body.candidates[0].reasons).toContain('Prueba relacionada: mutación de ERBB2 (HER2), que todavía no tiene un análisis en el expediente.');
  });

  it('reads what a molecular report states of each test, quotes it, and ranks the studies by it', async () => {
    const before = (await expert.client.get(`/api/cases/${caseId}/trials`)).body;
    const krasBefore = before.candidates.find((c: { nctId: string }) => c.nctId === 'NCT09900002');
    expect(krasBefore.reasons).toContain('Concerns KRAS G12C, which is not yet tested on file.');
    // The coordinator adds the sequencing report (EGFR exon 19 deletion found; ALK, ROS1 and KRAS not found).
    const up = await tusUpload(coordinator.client, caseId, 'ngs.pdf', await aPdf(MOLECULAR_LINES));
    expect(up.status).toBe(200);
    await t.app.jobs.drain();
    const after = (await expert.client.get(`/api/cases/${caseId}/trials`)).body;
    const egfr = after.candidates.find((c: { nctId: string }) => c.nctId === 'NCT09900001');
    const kras = after.candidates.find((c: { nctId: string }) => c.nctId === 'NCT09900002');
    expect(egfr.reasons).toContain('The study asks for a positive EGFR result, and a report on file reads “EGFR exon 19 deletion: pathogenic variant detected, allele frequency 22%” (found): check the details against the study.');
    expect(kras.reasons).toContain('The study asks for KRAS G12C, but a report on file reads “KRAS: no mutation detected” (not found): it may not fit.');
    expect(kras.score).toBeLessThan(krasBefore.score);
    expect(after.candidates.findIndex((c: { nctId: string }) => c.nctId === 'NCT09900001')).toBeLessThan(after.candidates.findIndex((c: { nctId: string }) => c.nctId === 'NCT09900002'));
    // The reviewer's workspace shows the same reading beside each test.
    const ws = (await expert.client.get(`/api/cases/${caseId}/opinion`)).body;
    expect(ws.biomarkerFindings).toEqual(expect.arrayContaining([
      { test: expect.stringMatching(/^EGFR/), result: 'found', evidence: ['EGFR exon 19 deletion: pathogenic variant detected, allele frequency 22%'] },
      { test: 'ALK', result: 'not_found', evidence: ['ALK fusion: not detected'] },
      { test: 'KRAS G12C', result: 'not_found', evidence: ['KRAS: no mutation detected'] },
    ]));
    // PD-L1's score is a value, quoted without calling it found or not found.
    expect(ws.biomarkerFindings).toContainEqual({ test: 'PD-L1 (IHC)', result: 'stated', evidence: ['PD-L1 (22C3) tumor proportion score 60%'] });
    // The KRAS study is flagged; the EGFR study is not.
    expect(kras.mayNotFit).toBe(true);
    expect(egfr.mayNotFit).toBe(false);
  });

  it('puts a suggested trial into the opinion as the registry has it, in the report, its PDF and FHIR', async () => {
    const ws = (await expert.client.get(`/api/cases/${caseId}/opinion`)).body;
    const questions: string[] = ws.intake?.questions?.questions ?? [];
    // Whatever the client claims about the study is replaced by the registry copy's own words.
    const saved = await expert.client.put(`/api/cases/${caseId}/opinion/draft`, {
      patientSummary: 'The plan is sound. Ask your doctor about the study named below.',
      answers: questions.map((q) => ({ question: q, answer: 'Yes, for the reasons above.' })),
      trials: [{ identifier: 'nct09900002', why: 'KRAS G12C testing is pending; if positive, this study is near home.', title: 'Made up by the client' }, { identifier: 'NCT12345678', why: 'Named by hand; not in the copy.' }],
    });
    expect(saved.status).toBe(200);
    const [kras, byHand] = saved.body.content.trials;
    expect(kras).toEqual({
      identifier: 'NCT09900002', why: 'KRAS G12C testing is pending; if positive, this study is near home.',
      title: 'Synthetic study of a KRAS G12C inhibitor after first-line treatment', phases: ['PHASE2'],
      sites: ['Synthetic Midwest Research Hospital, Columbus, Ohio, United States'], contact: 'Research Nurse (synthetic), 555-0101',
      contactDetails: { name: 'Research Nurse (synthetic)', phone: '555-0101' },
      registryStatus: 'RECRUITING', checkedOn: t.now().toISOString().slice(0, 10),
    });
    expect(byHand).toEqual({ identifier: 'NCT12345678', why: 'Named by hand; not in the copy.', checkedOn: t.now().toISOString().slice(0, 10) });
    // A trial needs a reason for the patient before the part can be signed.
    await expert.client.patch(`/api/cases/${caseId}/opinion/draft`, { trials: [{ identifier: 'NCT09900002', why: '' }] });
    const unsigned = await expert.client.post(`/api/cases/${caseId}/opinion/sign`, { password: PASSWORD, code: codeFor(expert) });
    expect(unsigned.status).toBe(422);
    expect(unsigned.body.unmet).toContain('Clinical trials: write, in plain words, why the patient should ask about NCT09900002.');
    const again = () => expert.client.patch(`/api/cases/${caseId}/opinion/draft`, { trials: saved.body.content.trials.map((x: { identifier: string; why: string }) => ({ identifier: x.identifier, why: x.why })) });
    await again();
    // The study stopped recruiting since the reviewer saw it: theirs to confirm before signing.
    await t.db.query(`UPDATE trials SET record = jsonb_set(record, '{status}', '"ACTIVE_NOT_RECRUITING"') WHERE nct_id = 'NCT09900002'`);
    const changed = await expert.client.post(`/api/cases/${caseId}/opinion/sign`, { password: PASSWORD, code: codeFor(expert) });
    expect(changed.status).toBe(422);
    expect(changed.body.unmet).toContain('Clinical trials: NCT09900002 is now listed as active not recruiting; remove it, or add it again to confirm.');
    await t.db.query(`UPDATE trials SET record = jsonb_set(record, '{status}', '"RECRUITING"') WHERE nct_id = 'NCT09900002'`);
    await again();
    expect((await expert.client.post(`/api/cases/${caseId}/opinion/sign`, { password: PASSWORD, code: codeFor(expert) })).status).toBe(200);
    const issued = await expert.client.post(`/api/cases/${caseId}/opinion/report`, { password: PASSWORD, code: codeFor(expert) });
    expect(issued.status).toBe(201);
    const report = (await coordinator.client.get(`/api/cases/${caseId}/opinion`)).body.reports[0];
    const dr = (await coordinator.client.get(`/fhir/R4/DiagnosticReport/${report.id}`)).body;
    expect(fhirValidationErrors(dr)).toEqual([]);
    const study = dr.contained.find((r: { resourceType: string; identifier?: { value: string }[] }) => r.resourceType === 'ResearchStudy' && r.identifier?.[0]?.value === 'NCT09900002');
    expect(study).toMatchObject({ status: 'active', title: 'Synthetic study of a KRAS G12C inhibitor after first-line treatment', identifier: [{ system: 'https://clinicaltrials.gov' }], phase: { coding: [{ code: 'phase-2' }] } });
    expect(study.contact).toEqual([{ name: 'Research Nurse (synthetic)', telecom: [{ system: 'phone', value: '555-0101' }] }]);
    expect(fhirValidationErrors(study)).toEqual([]);
    // The trial named by hand and not in the copy is not stated as a study with a status.
    expect(dr.contained.filter((r: { resourceType: string }) => r.resourceType === 'ResearchStudy')).toHaveLength(1);
    expect(dr.extension).toContainEqual({ url: 'http://hl7.org/fhir/StructureDefinition/workflow-supportingInfo', valueReference: { reference: `#${study.id}`, display: study.title } });
    const pdf = await fetch(`${t.baseUrl}/api/cases/${caseId}/opinion/report/1/pdf`, { headers: { cookie: coordinator.client.cookieHeader } });
    expect(pdf.status).toBe(200);
    const { text } = await extractPdfText(new Uint8Array(await pdf.arrayBuffer()));
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Research studies to ask your doctor about');
    expect(flat).toContain('NCT09900002 · Synthetic study of a KRAS G12C inhibitor after first-line treatment · Phase 2');
    expect(flat).toContain(`Open to new patients when checked on ${t.now().toLocaleDateString('en-US', { dateStyle: 'medium', timeZone: 'UTC' })}.`);
    expect(flat).toContain('Sites (nearest first): Synthetic Midwest Research Hospital, Columbus, Ohio, United States.');
    expect(flat).toContain('Not found in this service’s copy of the registry: ask the study team whether it is open.');
    expect(flat).toContain('decided by the study team');
  });

  it('shows the suggestions to no one outside the review', async () => {
    expect((await patient.client.get(`/api/cases/${caseId}/trials`)).status).toBe(404);
    const otherExpert = await aStaff(t, 'expert', 'Expert Elsewhere');
    expect((await otherExpert.client.get(`/api/cases/${caseId}/trials`)).status).toBe(404);
    expect((await expert.client.get(`/api/cases/not-a-case/trials`)).status).toBe(400);
  });

  it('keeps the copy when the registry fails, and says so in plain words', async () => {
    const failing = await aTrialRegistry({ fail: 500 });
    const down = await startTestApp({ JOBS_POLL_MS: '60000', TRIALS_REGISTRY_URL: failing.url });
    try {
      const downAdmin = await aStaff(down, 'admin', 'Admin Offline');
      await down.db.query(`INSERT INTO trials (nct_id, record, title, status, terms) VALUES ('NCT09900099', '{}', 'Kept', 'RECRUITING', '{Lung Cancer}')`);
      expect((await downAdmin.client.post('/api/admin/trials/sync', {})).status).toBe(202);
      await down.app.jobs.drain();
      expect((await downAdmin.client.get('/api/admin/trials/sync')).body).toMatchObject({ studiesOnFile: 1, lastRun: { outcome: 'failed', error: expect.stringMatching(/answered 500/) } });

      // A run cut short (the server stopped mid-run) does not block the next one for long.
      await down.db.query(`INSERT INTO trial_syncs (started_at, heartbeat_at) VALUES (now() - interval '1 hour', now() - interval '30 minutes')`);
      expect((await downAdmin.client.post('/api/admin/trials/sync', {})).status).toBe(202);
      await down.app.jobs.drain();
      const runs = await down.db.query<{ outcome: string; error: string }>(`SELECT outcome, error FROM trial_syncs ORDER BY id`);
      expect(runs.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed']);
      expect(runs[1]!.error).toMatch(/Stopped before it finished/);
    } finally {
      await down.close();
      await failing.close();
    }
  });

  it('does not take an answer that would empty the copy', async () => {
    const before = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM trials`))[0]!.n;
    expect(before).toBeGreaterThan(0);
    const silent = trialsService({ config: t.config, db: t.db, now: t.now, registry: { recruiting: async () => ({ trials: [], skipped: 0, nextPageToken: null, totalCount: null }) } });
    await expect(silent.sync()).rejects.toThrow(/listed 0 recruiting studies where the copy holds \d+/);
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM trials`))[0]!.n).toBe(before);
  });

  it('books the next scheduled sync whether a run worked or not', async () => {
    const scheduled = await startTestApp({ JOBS_POLL_MS: '60000', TRIALS_REGISTRY_URL: 'http://127.0.0.1:9/api/v2', TRIALS_SYNC_HOURS: '24' });
    try {
      const pending = async () => (await scheduled.db.query<{ run_at: Date }>(`SELECT run_at FROM jobs WHERE kind = 'trials.sync' AND done_at IS NULL`));
      expect(await pending()).toHaveLength(1);
      await scheduled.app.jobs.drain();
      const next = await pending();
      expect(next).toHaveLength(1);
      expect(next[0]!.run_at.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
      const [run] = await scheduled.db.query<{ outcome: string; error: string }>(`SELECT outcome, error FROM trial_syncs`);
      expect(run).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/could not be reached/) });
    } finally {
      await scheduled.close();
    }
  });
});
