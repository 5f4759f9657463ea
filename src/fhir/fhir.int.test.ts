import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { aCase, anIntake, aPatient, aStaff, command, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { fhirValidationErrors } from './validate.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let admin: Person;
let caseId: string;
let patientId: string;

beforeAll(async () => {
  t = await startTestApp();
  patient = await aPatient(t);
  coordinator = await aStaff(t, 'coordinator');
  admin = await aStaff(t, 'admin');
  caseId = await aCase(t, patient, { submit: true, intake: { patient: { ...anIntake().patient, phone: '+1 555 0100', email: 'robin@example.test', planType: 'medicare', insurancePlan: 'Synthetic Medicare Advantage', insuranceMemberId: '1EG4-TE5-MK72', insuranceGroupNumber: 'GRP 0042' } } });
  await command(coordinator, caseId, 'startRecordCollection');
  patientId = (await patient.client.get(`/api/cases/${caseId}`)).body.patientId;
});
afterAll(() => t.close());

function expectValid(resource: Resource) {
  expect(fhirValidationErrors(resource), `${resource.resourceType}/${resource.id}`).toEqual([]);
}
const entries = (b: Bundle) => (b.entry ?? []).map((e) => e.resource!);

describe('FHIR R4', () => {
  it('serves a valid CapabilityStatement without sign-in', async () => {
    const r = await fetch(`${t.baseUrl}/fhir/R4/metadata`);
    expect(r.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    const cs = (await r.json()) as CapabilityStatement;
    expectValid(cs);
    expect(cs.rest?.[0]?.resource?.map((x: { type: string }) => x.type)).toEqual(['Patient', 'ServiceRequest', 'Consent', 'Coverage', 'Invoice', 'Claim', 'DiagnosticReport', 'Observation', 'Appointment', 'Schedule', 'Slot', 'Practitioner', 'PractitionerRole', 'AuditEvent']);
  });

  it('reads Patient and ServiceRequest; the status follows the case', async () => {
    const pt = (await patient.client.get(`/fhir/R4/Patient/${patientId}`)).body;
    expectValid(pt);
    expect(pt.name[0]).toMatchObject({ family: 'Testperson', given: ['Robin'] });
    expect(pt.address[0]).toMatchObject({ state: 'OH', country: 'US' });
    const sr = (await coordinator.client.get(`/fhir/R4/ServiceRequest/${caseId}`)).body;
    expectValid(sr);
    expect(sr).toMatchObject({ status: 'active', intent: 'order', subject: { reference: `Patient/${patientId}` } });
    expect(sr.reasonCode[0].coding[0]).toMatchObject({ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'C34.11' });
  });

  it('searches by patient, date, status and _count, with valid bundles', async () => {
    const byPatient: Bundle = (await patient.client.get(`/fhir/R4/ServiceRequest?patient=Patient/${patientId}`)).body;
    expectValid(byPatient);
    expect(entries(byPatient).map((r) => r.id)).toEqual([caseId]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await patient.client.get(`/fhir/R4/ServiceRequest?authored=ge${today}&status=active`)).body.total).toBe(1);
    expect((await patient.client.get('/fhir/R4/ServiceRequest?authored=lt2000-01-01')).body.total).toBe(0);
    expect((await patient.client.get('/fhir/R4/ServiceRequest?status=completed')).body.total).toBe(0);

    const consents: Bundle = (await patient.client.get(`/fhir/R4/Consent?patient=${patientId}&date=ge${today}`)).body;
    expectValid(consents);
    expect(consents.total).toBe(2);
    for (const c of entries(consents)) expectValid(c);
    const one = (await patient.client.get(`/fhir/R4/Consent/${entries(consents)[0]!.id}`)).body;
    expectValid(one);

    const patients: Bundle = (await coordinator.client.get('/fhir/R4/Patient?name=robin&birthdate=1962-05-04')).body;
    expect(entries(patients).map((p) => p.id)).toContain(patientId);
    for (const p of entries(patients)) expectValid(p);
  });

  it('lists a coordinator their own requests and the unclaimed pool, in order, and not another coordinator\'s', async () => {
    const other = await aStaff(t, 'coordinator');
    const theirs = await aCase(t, await aPatient(t), { submit: true });
    await command(other, theirs, 'startRecordCollection');
    const pooled = await aCase(t, await aPatient(t), { submit: true });
    const ids = async (who: Person, query: string) => entries((await who.client.get(`/fhir/R4/ServiceRequest?${query}`)).body as Bundle).map((r) => r.id);
    expect(await ids(coordinator, '_count=50')).toEqual([caseId, pooled]);
    expect(await ids(other, '_count=50')).toEqual([theirs, pooled]);
    // Paged: the second page of the merged walks.
    expect(await ids(coordinator, '_count=1&_offset=1')).toEqual([pooled]);
    expect(await ids(coordinator, 'status=active&_count=50')).toEqual([caseId, pooled]);
  });

  it('serves the health coverage the request names, as Coverage, to the patient side and the coordinator only', async () => {
    const mine: Bundle = (await patient.client.get(`/fhir/R4/Coverage?patient=Patient/${patientId}`)).body;
    expectValid(mine);
    expect(mine.total).toBe(1);
    const [coverage] = entries(mine);
    expectValid(coverage!);
    expect(coverage).toMatchObject({
      resourceType: 'Coverage', id: caseId, status: 'active', type: { text: 'Medicare' }, subscriberId: '1EG4-TE5-MK72',
      beneficiary: { reference: `Patient/${patientId}` }, payor: [{ display: 'Synthetic Medicare Advantage' }],
      class: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'group' }] }, value: 'GRP 0042' }],
    });
    expect((await coordinator.client.get(`/fhir/R4/Coverage/${caseId}`)).body).toEqual(coverage);
    // Reviewers see the case, not its billing; a stranger sees nothing.
    const expert = await aStaff(t, 'expert');
    expect((await expert.client.get(`/fhir/R4/Coverage?beneficiary=Patient/${patientId}`)).status).toBe(403);
    expect((await (await aPatient(t)).client.get(`/fhir/R4/Coverage/${caseId}`)).status).toBe(404);
    // A request without a plan has no coverage.
    const selfPay = await aCase(t, patient, { intake: { patient: { ...anIntake().patient, planType: 'none' } } });
    expect((await patient.client.get(`/fhir/R4/Coverage/${selfPay}`)).status).toBe(404);
    expect((await patient.client.get('/fhir/R4/Coverage')).body.total).toBe(1);
    // Three reads, and the stranger's attempt recorded as refused.
    const audit = await t.db.query<{ outcome: string; n: number }>(`SELECT outcome, count(*)::int AS n FROM audit_events WHERE action IN ('fhir.Coverage.read', 'fhir.Coverage.search') AND case_id = $1 GROUP BY outcome ORDER BY outcome`, [caseId]);
    expect(audit).toEqual([{ outcome: 'denied', n: 1 }, { outcome: 'success', n: 3 }]);
  });

  it('serves AuditEvents about a case to its patient, and all to admins', async () => {
    const mine: Bundle = (await patient.client.get(`/fhir/R4/AuditEvent?entity=ServiceRequest/${caseId}&_count=5`)).body;
    expectValid(mine);
    expect(mine.entry).toHaveLength(5);
    expect(mine.total).toBeGreaterThan(5);
    expect(mine.link?.find((l) => l.relation === 'next')).toBeTruthy();
    for (const e of entries(mine)) expectValid(e);
    const all: Bundle = (await admin.client.get(`/fhir/R4/AuditEvent?patient=Patient/${patientId}&_count=100`)).body;
    expect(all.total).toBeGreaterThanOrEqual(mine.total!);
    const read = (await admin.client.get(`/fhir/R4/AuditEvent/${entries(all)[0]!.id}`)).body;
    expectValid(read);
    const expert = await aStaff(t, 'expert');
    expect((await expert.client.get('/fhir/R4/AuditEvent')).status).toBe(403);
  });

  it('answers 404 for anything outside the grant, exactly like a missing resource', async () => {
    const stranger = await aPatient(t);
    for (const path of [`/fhir/R4/Patient/${patientId}`, `/fhir/R4/ServiceRequest/${caseId}`, '/fhir/R4/ServiceRequest/00000000-0000-4000-8000-000000000000']) {
      const r = await stranger.client.get(path);
      expect(r.status, path).toBe(404);
      expect(r.body.resourceType).toBe('OperationOutcome');
      expectValid(r.body);
    }
    expect((await stranger.client.get(`/fhir/R4/ServiceRequest?patient=${patientId}`)).body.total).toBe(0);
    expect((await stranger.client.get(`/fhir/R4/AuditEvent?entity=ServiceRequest/${caseId}`)).body.total).toBe(0);
    expect((await admin.client.get(`/fhir/R4/ServiceRequest/${caseId}`)).status).toBe(404);
  });

  it('rejects unsupported parameters and bad dates with an OperationOutcome', async () => {
    const bad = await patient.client.get('/fhir/R4/ServiceRequest?foo=bar');
    expect(bad.status).toBe(400);
    expect(bad.body.resourceType).toBe('OperationOutcome');
    expect((await patient.client.get('/fhir/R4/ServiceRequest?authored=yesterday')).status).toBe(400);
    expect((await patient.client.get('/fhir/R4/ServiceRequest?_count=-1')).status).toBe(400);
    const anon = await fetch(`${t.baseUrl}/fhir/R4/Patient/${patientId}`);
    expect(anon.status).toBe(401);
  });
});
