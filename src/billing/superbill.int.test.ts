import type { Bundle, Claim } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aCaseInReview, anIntake, aPatient, aStaff, command, issueOpinion, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { fhirValidationErrors } from '../fhir/validate.ts';
import { extractPdfText } from '../records/pdfText.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let expert: Person;
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const textOf = async (r: Response) => (await extractPdfText(new Uint8Array(await r.arrayBuffer()))).text.replace(/\s+/g, ' ');
const insured = { patient: { ...anIntake().patient, planType: 'commercial' as const, insurancePlan: 'Synthetic Health PPO', insuranceMemberId: 'XWZ900123456', insuranceGroupNumber: '0077123' } };

beforeAll(async () => {
  t = await startTestApp({ BILLING_ADDRESS: '1 Synthetic Way, Springfield, OH 45501', BILLING_NPI: '1234567893', BILLING_TAX_ID: '12-3456789', BILLING_PLACE_OF_SERVICE: '02' });
  patient = await aPatient(t, 'Pat Superbill');
  coordinator = await aStaff(t, 'coordinator', 'Cora Claims');
  expert = await aStaff(t, 'expert', 'Dr. Rhea Render');
});
afterAll(() => t.close());

/** A bill with the video visit added, issued and paid in full. */
async function paidBill(caseId: string) {
  const draft = (await coordinator.client.post(`/api/cases/${caseId}/invoices`)).body;
  const lines = [...draft.lines.map((l: { serviceId: string; quantity: number; unitCents: number }) => ({ serviceId: l.serviceId, quantity: l.quantity, unitCents: l.unitCents })), { serviceId: 'video_visit', quantity: 1, unitCents: 30_000 }];
  const saved = (await coordinator.client.put(`/api/cases/${caseId}/invoices/${draft.id}`, { version: draft.version, lines, discountCents: 0, taxBasisPoints: 0 })).body;
  const issued = (await coordinator.client.post(`/api/cases/${caseId}/invoices/${draft.id}/issue`, { version: saved.version, dueOn: inDays(30) })).body;
  const paid = await coordinator.client.post(`/api/cases/${caseId}/invoices/${draft.id}/payments`, { amountCents: issued.totalCents, method: 'check', reference: '1042', receivedOn: inDays(0) });
  expect(paid.body.status).toBe('paid');
  return paid.body as { id: string; number: string; totalCents: number };
}

describe('the superbill of a bill', () => {
  it('states what a claim needs, as a PDF in the reader’s language and as a valid FHIR Claim', async () => {
    const caseId = await aCaseInReview(t, patient, coordinator, expert, { intake: insured });
    await t.db.query(`INSERT INTO expert_profiles (user_id, npi) VALUES ($1, '1245319599') ON CONFLICT (user_id) DO UPDATE SET npi = EXCLUDED.npi`, [expert.id]);
    await issueOpinion(expert, caseId);
    const bill = await paidBill(caseId);
    const pdf = await fetch(`${t.baseUrl}/api/cases/${caseId}/invoices/${bill.id}/superbill`, { headers: { cookie: patient.client.cookieHeader } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-disposition')).toBe(`attachment; filename="superbill-${bill.number}.pdf"`);
    const text = await textOf(pdf);
    for (const words of ['Superbill: a statement for your health plan', `For invoice ${bill.number}`, 'NPI 1234567893', 'Tax ID (EIN) 12-3456789', 'Dr. Rhea Render · NPI 1245319599',
      'Robin Testperson', 'Health plan: Synthetic Health PPO · Member ID: XWZ900123456 · Group number: 0077123', '1. C34.11', '88321', 'Place of service 11: Office', 'Not listed, as not given yet: Video visit with the expert', 'Paid by you']) {
      expect(text).toContain(words);
    }
    expect(await textOf(await fetch(`${t.baseUrl}/api/cases/${caseId}/invoices/${bill.id}/superbill?lang=es`, { headers: { cookie: patient.client.cookieHeader } }))).toContain('Superbill: estado de cuenta para su plan de salud');

    const claim = (await (await fetch(`${t.baseUrl}/fhir/R4/Claim/${bill.id}`, { headers: { cookie: patient.client.cookieHeader } })).json()) as Claim;
    expect(fhirValidationErrors(claim)).toEqual([]);
    expect(claim).toMatchObject({ resourceType: 'Claim', status: 'active', use: 'claim', provider: { reference: '#biller' }, insurance: [{ sequence: 1, focal: true, coverage: { reference: `Coverage/${caseId}` } }] });
    expect(claim.diagnosis?.[0]?.diagnosisCodeableConcept?.coding?.[0]).toMatchObject({ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'C34.11' });
    // The visit was billed but not held: a claim is for services given.
    expect(claim.item!.map((i) => i.productOrService.text)).toEqual(['Written second opinion', 'Pathology review of your slides']);
    const slides = claim.item!.find((i) => i.productOrService.coding?.[0]?.code === '88321')!;
    expect(slides.servicedDate).toBe(new Date().toISOString().slice(0, 10));
    expect(slides.locationCodeableConcept?.coding?.[0]).toMatchObject({ code: '11', display: 'Office' });
    expect(claim.total?.value).toBe(claim.item!.reduce((n, i) => n + (i.net?.value ?? 0), 0));
    expect(claim.contained?.find((r) => r.resourceType === 'Organization')).toMatchObject({ identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' }, { system: 'urn:oid:2.16.840.1.113883.4.4', value: '12-3456789' }] });
    const search = (await (await fetch(`${t.baseUrl}/fhir/R4/Claim?patient=${claim.patient.reference}`, { headers: { cookie: coordinator.client.cookieHeader } })).json()) as Bundle;
    expect(search.entry?.map((e) => e.resource?.id)).toEqual([bill.id]);
    // The reviewer has the case, not its money.
    expect((await fetch(`${t.baseUrl}/fhir/R4/Claim/${bill.id}`, { headers: { cookie: expert.client.cookieHeader } })).status).toBe(404);
    expect((await fetch(`${t.baseUrl}/api/cases/${caseId}/invoices/${bill.id}/superbill`, { headers: { cookie: expert.client.cookieHeader } })).status).toBe(404);
    const audit = await t.db.query<{ action: string }>(`SELECT action FROM audit_events WHERE case_id = $1 AND action IN ('invoice.superbill', 'fhir.Claim.read', 'fhir.Claim.search') AND outcome = 'success' ORDER BY seq`, [caseId]);
    expect(audit.map((a) => a.action)).toEqual(['invoice.superbill', 'invoice.superbill', 'fhir.Claim.read', 'fhir.Claim.search']);
  });

  it('has a PDF but no Claim for a patient without a plan, neither before any service was given, nor for a bill cancelled as issued in error', async () => {
    const early = await aCase(t, patient, { submit: true, intake: insured });
    await command(coordinator, early, 'startRecordCollection');
    const billedAhead = await paidBill(early);
    const ahead = await fetch(`${t.baseUrl}/api/cases/${early}/invoices/${billedAhead.id}/superbill`, { headers: { cookie: patient.client.cookieHeader } });
    expect(ahead.status).toBe(409);
    expect((await ahead.json()).detail).toMatch(/^None of the services on this bill has been given yet/);
    expect((await fetch(`${t.baseUrl}/fhir/R4/Claim/${billedAhead.id}`, { headers: { cookie: patient.client.cookieHeader } })).status).toBe(404);
    expect((await patient.client.get(`/api/cases/${early}/invoices`)).body[0].superbill).toBe(false);

    const caseId = await aCaseInReview(t, patient, coordinator, expert, { intake: { patient: { ...anIntake().patient, planType: 'none' } } });
    await issueOpinion(expert, caseId);
    const bill = await paidBill(caseId);
    expect((await patient.client.get(`/api/cases/${caseId}/invoices`)).body[0].superbill).toBe(true);
    const pdf = await fetch(`${t.baseUrl}/api/cases/${caseId}/invoices/${bill.id}/superbill`, { headers: { cookie: patient.client.cookieHeader } });
    expect(await textOf(pdf)).toContain('No health plan was named on the request.');
    expect((await fetch(`${t.baseUrl}/fhir/R4/Claim/${bill.id}`, { headers: { cookie: patient.client.cookieHeader } })).status).toBe(404);

    const other = await aCase(t, patient, { submit: true });
    await command(coordinator, other, 'startRecordCollection');
    const draft = (await coordinator.client.post(`/api/cases/${other}/invoices`)).body;
    const issued = (await coordinator.client.post(`/api/cases/${other}/invoices/${draft.id}/issue`, { version: draft.version, dueOn: inDays(30) })).body;
    expect((await coordinator.client.post(`/api/cases/${other}/invoices/${draft.id}/void`, { reason: 'Issued in error' })).status).toBe(200);
    const refused = await fetch(`${t.baseUrl}/api/cases/${other}/invoices/${issued.id}/superbill`, { headers: { cookie: patient.client.cookieHeader } });
    expect(refused.status).toBe(409);
    expect((await refused.json()).detail).toBe('This invoice was cancelled as issued in error: there is nothing to claim.');
  });
});
