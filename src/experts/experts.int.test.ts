import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aPatient, aStaff, command, issueOpinion, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const profile = (over: Record<string, unknown> = {}) => ({
  npi: '1234567893', credentials: 'MD', taxonomyCodes: ['208G00000X'], focusCodes: ['C34'],
  procedures: [{ operation: 'lobectomy', annualVolume: 40, source: 'self-reported, 2025' }],
  institution: { name: 'Synthetic University Hospital', academic: true, tumorBoards: true, trialsOpen: true },
  licensure: ['US-MN', 'US-OH'], languages: ['en'], consultModes: ['records_review', 'video'], capacityMax: 8, ...over,
});

async function anExpert(name: string, p: Record<string, unknown>): Promise<Person> {
  const e = await aStaff(t, 'expert', name);
  const r = await e.client.put('/api/experts/me/profile', profile(p));
  if (r.status !== 200) throw new Error(`profile: ${r.text}`);
  return e;
}

describe('expert directory', () => {
  it('lets an expert keep a profile, checking NPI, taxonomy codes, overlapping absences', async () => {
    const e = await aStaff(t, 'expert', 'Dr. Checks');
    expect((await e.client.put('/api/experts/me/profile', profile({ npi: '1234567890' }))).body.errors[0].message).toMatch(/not a valid NPI/);
    expect(JSON.stringify((await e.client.put('/api/experts/me/profile', profile({ taxonomyCodes: ['999999999X'] }))).body)).toMatch(/Unknown NUCC taxonomy code/);
    const overlap = await e.client.put('/api/experts/me/profile', profile({ outOfOffice: [{ from: '2026-12-01', to: '2026-12-10' }, { from: '2026-12-05', to: '2026-12-20' }] }));
    expect(JSON.stringify(overlap.body)).toMatch(/overlap/);
    const ok = await e.client.put('/api/experts/me/profile', profile());
    expect(ok.status).toBe(200);
    expect(ok.body.taxonomy[0]).toEqual({ code: '208G00000X', display: 'Thoracic Surgery (Cardiothoracic Vascular Surgery)' });
    const patient = await aPatient(t);
    expect((await patient.client.put('/api/experts/me/profile', profile())).status).toBe(403);
  });

  it('lets coordinators search it with filters and paging', async () => {
    await anExpert('Dr. Spanish Speaker', { languages: ['en', 'es'], taxonomyCodes: ['207RP1001X'] });
    const coordinator = await aStaff(t, 'coordinator');
    const r = await coordinator.client.get('/api/directory/experts?language=es&pageSize=5');
    expect(r.body.items.map((x: { name: string }) => x.name)).toEqual(['Dr. Spanish Speaker']);
    const byTaxonomy = await coordinator.client.get('/api/directory/experts?taxonomy=207RP1001X');
    expect(byTaxonomy.body.total).toBeGreaterThanOrEqual(1);
    expect((await (await aPatient(t)).client.get('/api/directory/experts')).status).toBe(403);
  });
});

describe('matching a case', () => {
  it('proposes a team for a new lung cancer with lobectomy, with reasons, and only to its coordinator', async () => {
    await anExpert('Dr. Thoracic Often', {});
    await anExpert('Dr. Thoracic Rarely', { procedures: [{ operation: 'lobectomy', annualVolume: 3, source: 'self-reported' }], npi: undefined });
    await anExpert('Dr. Pulmonary', { taxonomyCodes: ['207RP1001X'], procedures: [] });
    await anExpert('Dr. Oncology', { taxonomyCodes: ['207RX0202X'], procedures: [] });
    await anExpert('Dr. Pathology', { taxonomyCodes: ['207ZP0101X'], procedures: [] });
    await anExpert('Dr. California Only', { licensure: ['US-CA'], procedures: [] });
    await anExpert('Dr. Same Place', { institution: { name: 'Community Hospital', academic: false, tumorBoards: false, trialsOpen: false } });
    const patient = await aPatient(t);
    const created = await patient.client.post('/api/cases', { assessment: { diagnosis: { code: 'C34.11' }, diagnosisStatus: 'new', surgery: { recommended: 'yes', operation: 'lobectomy' } } });
    const id = created.body.id;
    const { anIntake } = await import('../../test/support/builders.ts');
    const intake = anIntake({ plan: { ...anIntake().plan, treatingInstitution: 'Community Hospital' }, patient: { ...anIntake().patient, insurancePlan: 'Medicare' } });
    for (const [section, data] of Object.entries(intake)) expect((await patient.client.put(`/api/cases/${id}/intake/${section}`, data)).status).toBe(200);
    for (const document of ['service_consent', 'hipaa_authorization']) await patient.client.post(`/api/cases/${id}/consents`, { document, version: '2026-11', typedName: patient.name });
    await command(patient, id, 'submit');
    const coordinator = await aStaff(t, 'coordinator');
    await command(coordinator, id, 'startRecordCollection');

    const m = await coordinator.client.get(`/api/cases/${id}/matches?consultMode=video`);
    expect(m.status).toBe(200);
    const roles = m.body.team.map((x: { role: string }) => x.role);
    expect(roles).toEqual(expect.arrayContaining(['thoracic_surgery', 'pulmonology', 'pathology', 'medical_oncology']));
    const surgery = m.body.team.find((x: { role: string }) => x.role === 'thoracic_surgery');
    // The high-volume surgeons (this one and the profile from the first test) outrank the low-volume one.
    expect(['Dr. Thoracic Often', 'Dr. Checks']).toContain(surgery.proposed.name);
    const names = surgery.candidates.map((c: { name: string }) => c.name);
    expect(names.indexOf('Dr. Thoracic Rarely')).toBeGreaterThan(names.indexOf('Dr. Thoracic Often'));
    const volume = surgery.proposed.factors.find((f: { factor: string }) => f.factor === 'procedureVolume');
    expect(volume.reason).toMatch(/40 a year .* high-volume threshold 15/);
    const california = surgery.candidates.find((c: { name: string }) => c.name === 'Dr. California Only');
    expect(california.excludedBecause[0]).toMatch(/Not licensed in US-OH, where the patient is/);
    const samePlace = surgery.candidates.find((c: { name: string }) => c.name === 'Dr. Same Place');
    expect(samePlace.excludedBecause[0]).toMatch(/Conflict of interest: works with or declared “Community Hospital”/);
    expect(surgery.proposed.factors.find((f: { factor: string }) => f.factor === 'insurance').reason).toMatch(/Medicare/);
    expect(new Set(m.body.team.map((x: { proposed: { userId: string } | null }) => x.proposed?.userId)).size).toBe(m.body.team.length);

    expect((await patient.client.get(`/api/cases/${id}/matches`)).status).toBe(404);
    expect((await (await aStaff(t, 'coordinator')).client.get(`/api/cases/${id}/matches`)).status).toBe(404);
  });
});

describe('turnaround from history', () => {
  it('measures an expert’s turnaround from assignment to signed opinion', async () => {
    const { aCase, waiveOutstanding } = await import('../../test/support/builders.ts');
    const e = await anExpert('Dr. Quick', { taxonomyCodes: ['207ZP0101X'], procedures: [] });
    expect((await e.client.get('/api/experts/me/profile')).body.pastTurnaroundDays).toBeNull();
    const patient = await aPatient(t);
    const id = await aCase(t, patient, { submit: true });
    const coordinator = await aStaff(t, 'coordinator');
    await command(coordinator, id, 'startRecordCollection');
    await waiveOutstanding(coordinator, id);
    await command(coordinator, id, 'markReadyForReview');
    await command(coordinator, id, 'assignExpert', { expertId: e.id });
    await command(e, id, 'startReview');
    await issueOpinion(e, id);
    const days = (await e.client.get('/api/experts/me/profile')).body.pastTurnaroundDays;
    expect(days).toBeGreaterThanOrEqual(0);
    expect(days).toBeLessThan(1);
  });
});

describe('capacity', () => {
  it('refuses a capacity below the cases already open', async () => {
    const { aCase, waiveOutstanding } = await import('../../test/support/builders.ts');
    const e = await anExpert('Dr. Busy', { taxonomyCodes: ['207ZP0101X'], procedures: [] });
    const coordinator = await aStaff(t, 'coordinator');
    for (let i = 0; i < 2; i++) {
      const id = await aCase(t, await aPatient(t), { submit: true });
      await command(coordinator, id, 'startRecordCollection');
      await waiveOutstanding(coordinator, id);
      await command(coordinator, id, 'markReadyForReview');
      await command(coordinator, id, 'assignExpert', { expertId: e.id });
    }
    const r = await e.client.put('/api/experts/me/profile', profile({ taxonomyCodes: ['207ZP0101X'], procedures: [], capacityMax: 1 }));
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/capacity \(1\) is below the 2 cases already open/);
    expect((await e.client.get('/api/experts/me/profile')).body.capacityMax).toBe(8);
  });
});
