import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aCaseInReview, anIntake, aPatient, aStaff, type Person } from '../../test/support/builders.ts';
import { extractPdfText } from '../records/pdfText.ts';
import { fhirValidationErrors } from '../fhir/validate.ts';
import type { Bundle, Invoice as FhirInvoice } from '@medplum/fhirtypes';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let expert: Person;
let caseId: string;
const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await startTestApp({ BILLING_ADDRESS: '1 Synthetic Way, Springfield, OH 45501', BILLING_NPI: '1234567893', BILLING_TAX_ID: '12-3456789' });
  patient = await aPatient(t, 'Pat Invoice');
  coordinator = await aStaff(t, 'coordinator', 'Cora Bills');
  expert = await aStaff(t, 'expert', 'Dr. Ellis Review');
  caseId = await aCaseInReview(t, patient, coordinator, expert);
});
afterAll(() => t.close());

const base = () => `/api/cases/${caseId}/invoices`;

describe('invoices of a request', () => {
  it('drafts from the estimate at the request’s fees, edits with a reason for a discount, and keeps drafts from the patient', async () => {
    const estimate = (await patient.client.get(`/api/cases/${caseId}/estimate`)).body;
    const drafted = await coordinator.client.post(base());
    expect(drafted.status).toBe(201);
    const draft = drafted.body;
    expect(draft).toMatchObject({ status: 'draft', number: null, currency: 'USD', discountCents: 0, taxBasisPoints: 0 });
    const included = estimate.lines.filter((l: { part: string }) => l.part === 'included');
    expect(draft.lines.map((l: { serviceId: string; unitCents: number }) => [l.serviceId, l.unitCents])).toEqual(included.map((l: { serviceId: string; feeCents: number }) => [l.serviceId, l.feeCents]));
    expect(draft.totalCents).toBe(estimate.totalCents);
    // One open invoice at a time.
    expect((await coordinator.client.post(base())).status).toBe(409);
    // The patient side does not see a draft.
    expect((await patient.client.get(base())).body).toEqual([]);

    const lines = [...draft.lines.map((l: { serviceId: string; unitCents: number }) => ({ serviceId: l.serviceId, quantity: 1, unitCents: l.unitCents })), { serviceId: 'video_visit', quantity: 1, unitCents: 25_000 }];
    const noReason = await coordinator.client.put(`${base()}/${draft.id}`, { version: draft.version, lines, discountCents: 5_000, taxBasisPoints: 825 });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([{ path: '/discountReason', message: 'Say why there is a discount.' }]);
    const unknown = await coordinator.client.put(`${base()}/${draft.id}`, { version: draft.version, lines: [{ serviceId: 'massage', quantity: 1, unitCents: 1 }], discountCents: 0, taxBasisPoints: 0 });
    expect(unknown.status).toBe(400);
    const saved = await coordinator.client.put(`${base()}/${draft.id}`, { version: draft.version, lines, discountCents: 5_000, discountReason: 'Returning patient', taxBasisPoints: 825 });
    expect(saved.status).toBe(200);
    const subtotal = lines.reduce((n: number, l: { unitCents: number }) => n + l.unitCents, 0);
    const tax = Math.round(((subtotal - 5_000) * 825) / 10_000);
    expect(saved.body).toMatchObject({ subtotalCents: subtotal, discountCents: 5_000, discountReason: 'Returning patient', taxCents: tax, totalCents: subtotal - 5_000 + tax, version: draft.version + 1 });
    expect(saved.body.lines.at(-1)).toMatchObject({ serviceId: 'video_visit', description: 'Video visit with the expert' });
    // A save over an older version is refused: someone changed it meanwhile.
    expect((await coordinator.client.put(`${base()}/${draft.id}`, { version: draft.version, lines, discountCents: 0, taxBasisPoints: 0 })).status).toBe(409);
  });

  it('issues with a number and a due date; the patient side reads it and its PDF, in their language', async () => {
    const [draft] = (await coordinator.client.get(base())).body;
    expect((await coordinator.client.post(`${base()}/${draft.id}/issue`, { version: draft.version, dueOn: '2001-01-01' })).status).toBe(400);
    const issued = await coordinator.client.post(`${base()}/${draft.id}/issue`, { version: draft.version, dueOn: inDays(30) });
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ status: 'issued', number: expect.stringMatching(/^INV-\d{4}-\d{6}$/), dueOn: inDays(30), balanceCents: issued.body.totalCents });
    // Issued: no more changes.
    expect((await coordinator.client.put(`${base()}/${draft.id}`, { version: issued.body.version, lines: [], discountCents: 0, taxBasisPoints: 0 })).status).toBe(409);
    const mine = (await patient.client.get(base())).body;
    expect(mine.map((i: { number: string }) => i.number)).toEqual([issued.body.number]);

    const pdfOf = (lang: string) => fetch(`${t.baseUrl}${base()}/${draft.id}/pdf`, { headers: { cookie: patient.client.cookieHeader, 'accept-language': lang } });
    const pdf = await pdfOf('en');
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const textOf = async (r: Response) => (await extractPdfText(new Uint8Array(await r.arrayBuffer()))).text.replace(/\s+/g, ' ');
    const text = await textOf(pdf);
    expect(text).toContain(`Invoice ${issued.body.number}`);
    expect(text).toContain('Returning patient');
    expect(text).toContain('Diagnosis (ICD-10-CM): C34.11');
    expect(text).toContain('Balance due');
    // Who bills, as a claim needs it.
    expect(text).toContain('1 Synthetic Way, Springfield, OH 45501 · NPI 1234567893 · Tax ID (EIN) 12-3456789');
    expect(await textOf(await pdfOf('es'))).toContain(`Factura ${issued.body.number}`);
    // The page's language wins over the browser's for a link opened from it; services are named in it.
    const fromPage = await fetch(`${t.baseUrl}${base()}/${draft.id}/pdf?lang=es`, { headers: { cookie: patient.client.cookieHeader, 'accept-language': 'en' } });
    const spanish = await textOf(fromPage);
    expect(spanish).toContain('Saldo pendiente');
    expect(spanish).toContain('Segunda opinión por escrito');
    expect((await patient.client.request('GET', base(), undefined, { 'accept-language': 'es' })).body[0].lines[0].description).toBe('Segunda opinión por escrito');
  });

  it('tells the patient side a bill is ready, and shows it on the timeline to them, not to the reviewers', async () => {
    await t.app.jobs.drain();
    const mine = (await patient.client.get('/api/notifications')).body.items as { kind: string; link: string }[];
    expect(mine.filter((n) => n.kind === 'invoice.issued')).toEqual([expect.objectContaining({ link: `/cases/${caseId}?tab=intake&part=bills` })]);
    const [mail] = await t.db.query<{ subject: string; body_text: string }>(`SELECT subject, body_text FROM mail_outbox WHERE to_address = $1 AND kind = 'invoice.issued'`, [patient.email]);
    expect(mail!.subject).toMatch(/^A bill for request C-/);
    // Health data and amounts stay out of the mail.
    expect(mail!.body_text).not.toMatch(/\$|Adenocarcinoma|lobectomy/i);
    const line = (lines: { label: string }[]) => lines.some((l) => /^Bill INV-\d{4}-\d{6} was issued$/.test(l.label));
    expect(line((await patient.client.get(`/api/cases/${caseId}/timeline`)).body)).toBe(true);
    expect(line((await expert.client.get(`/api/cases/${caseId}/timeline`)).body)).toBe(false);
  });

  it('records payments until nothing is owed, and refuses more than is owed or a payment in the future', async () => {
    const [inv] = (await coordinator.client.get(base())).body;
    const pay = (body: Record<string, unknown>) => coordinator.client.post(`${base()}/${inv.id}/payments`, body);
    expect((await pay({ amountCents: inv.balanceCents + 1, method: 'check', receivedOn: today() })).status).toBe(400);
    expect((await pay({ amountCents: 100, method: 'check', receivedOn: inDays(3) })).status).toBe(400);
    // Case routes answer 404 to whoever may not act, as for a case they cannot see.
    expect((await patient.client.post(`${base()}/${inv.id}/payments`, { amountCents: 100, method: 'cash', receivedOn: today() })).status).toBe(404);
    const part = await pay({ amountCents: 10_000, method: 'check', reference: 'Check 1042', receivedOn: today() });
    expect(part.body).toMatchObject({ status: 'issued', paidCents: 10_000, balanceCents: inv.totalCents - 10_000 });
    // Paid in part: it cannot be voided any more, only written off.
    expect((await coordinator.client.post(`${base()}/${inv.id}/void`, { reason: 'Issued by mistake' })).status).toBe(409);
    const rest = await pay({ amountCents: inv.totalCents - 10_000, method: 'transfer', receivedOn: today() });
    expect(rest.body).toMatchObject({ status: 'paid', balanceCents: 0, payments: [{ method: 'check', reference: 'Check 1042', recordedByName: 'Cora Bills' }, { method: 'transfer' }] });
    expect((await pay({ amountCents: 1, method: 'cash', receivedOn: today() })).status).toBe(409);
  });

  it('lets the patient ask for help with a bill and the coordinator waive it; voids one issued in error', async () => {
    // A second invoice, now that the first is paid.
    const second = (await coordinator.client.post(base())).body;
    const issued = (await coordinator.client.post(`${base()}/${second.id}/issue`, { version: second.version, dueOn: inDays(14) })).body;
    expect((await patient.client.post(`${base()}/${second.id}/hardship`, { request: 'short' })).status).toBe(400);
    const asked = await patient.client.post(`${base()}/${second.id}/hardship`, { request: 'I lost my job in October and cannot pay this now.' });
    expect(asked.status).toBe(200);
    expect(asked.body.hardshipRequestedAt).toEqual(expect.any(String));
    expect((await patient.client.post(`${base()}/${second.id}/hardship`, { request: 'Asking again, please help.' })).status).toBe(409);
    expect((await coordinator.client.post(`${base()}/${second.id}/hardship`, { request: 'Coordinator cannot ask for the patient.' })).status).toBe(404);
    await t.app.jobs.drain();
    expect(((await coordinator.client.get('/api/notifications')).body.items as { kind: string }[]).some((n) => n.kind === 'invoice.help')).toBe(true);
    const waived = await coordinator.client.post(`${base()}/${second.id}/write-off`, { reason: 'Hardship waiver approved' });
    expect(waived.body).toMatchObject({ status: 'written_off', closeReason: 'Hardship waiver approved', balanceCents: 0 });
    expect(waived.body.number).toBe(issued.number);

    const third = (await coordinator.client.post(base())).body;
    const sent = (await coordinator.client.post(`${base()}/${third.id}/issue`, { version: third.version, dueOn: inDays(14) })).body;
    const voided = await coordinator.client.post(`${base()}/${sent.id}/void`, { reason: 'Issued twice by mistake' });
    expect(voided.body).toMatchObject({ status: 'void', closeReason: 'Issued twice by mistake' });
    // A draft is discarded instead.
    const fourth = (await coordinator.client.post(base())).body;
    expect((await coordinator.client.delete(`${base()}/${fourth.id}`)).status).toBe(204);
    expect((await coordinator.client.get(base())).body.map((i: { status: string }) => i.status)).toEqual(['paid', 'written_off', 'void']);
  });

  it('serves the bills as FHIR Invoice with a ChargeItem per line, valid, drafts for the coordinator only', async () => {
    const draft = (await coordinator.client.post(base())).body;
    const patientId = (await patient.client.get(`/api/cases/${caseId}`)).body.patientId;
    const mine: Bundle = (await patient.client.get(`/fhir/R4/Invoice?patient=Patient/${patientId}`)).body;
    expect(fhirValidationErrors(mine)).toEqual([]);
    const invoices = (mine.entry ?? []).map((e) => e.resource as FhirInvoice);
    expect(invoices.map((i) => i.status)).toEqual(['balanced', 'balanced', 'cancelled']);
    const paid = invoices[0]!;
    expect(fhirValidationErrors(paid)).toEqual([]);
    expect(paid).toMatchObject({ identifier: [{ system: 'urn:consilium:invoice-number', value: expect.stringMatching(/^INV-/) }], subject: { reference: `Patient/${patientId}` }, totalGross: { currency: 'USD' } });
    expect(paid.contained?.[0]).toMatchObject({ resourceType: 'ChargeItem', status: 'billed', code: { text: 'Written second opinion' } });
    expect(paid.lineItem?.[0]).toMatchObject({ sequence: 1, chargeItemReference: { reference: '#line-1' }, priceComponent: [{ type: 'base' }] });
    expect(paid.totalPriceComponent?.map((c) => c.type)).toEqual(['discount', 'tax']);
    expect((await patient.client.get(`/fhir/R4/Invoice?status=cancelled`)).body.total).toBe(1);
    // The draft: the coordinator's only.
    expect((await patient.client.get(`/fhir/R4/Invoice/${draft.id}`)).status).toBe(404);
    const asDraft = (await coordinator.client.get(`/fhir/R4/Invoice/${draft.id}`)).body;
    expect(asDraft).toMatchObject({ status: 'draft' });
    expect(fhirValidationErrors(asDraft)).toEqual([]);
    expect((await expert.client.get('/fhir/R4/Invoice')).status).toBe(403);
    expect((await coordinator.client.delete(`${base()}/${draft.id}`)).status).toBe(204);
  });

  it('is for the patient side and the coordinator only, audited without the patient’s words', async () => {
    expect((await expert.client.get(base())).status).toBe(404);
    expect((await (await aPatient(t)).client.get(base())).status).toBe(404);
    const draftCase = await aCase(t, patient, { intake: { patient: anIntake().patient } });
    expect((await coordinator.client.post(`/api/cases/${draftCase}/invoices`)).status).toBe(404);
    const actions = (await t.db.query<{ action: string; detail: Record<string, unknown> }>(`SELECT action, detail FROM audit_events WHERE case_id = $1 AND action LIKE 'invoice.%' ORDER BY seq`, [caseId]));
    expect(new Set(actions.map((a) => a.action))).toEqual(new Set(['invoice.draft', 'invoice.list', 'invoice.update', 'invoice.issue', 'invoice.pdf', 'invoice.payment', 'invoice.hardship', 'invoice.writeOff', 'invoice.void', 'invoice.discard']));
    expect(JSON.stringify(actions)).not.toContain('lost my job');
  });
});
