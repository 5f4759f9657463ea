import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aPatient, aStaff, command, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await startTestApp();
  patient = await aPatient(t, 'Hana Help');
  coordinator = await aStaff(t, 'coordinator', 'Cyd Decides');
});
afterAll(() => t.close());

async function issuedBill() {
  const caseId = await aCase(t, patient, { submit: true });
  await command(coordinator, caseId, 'startRecordCollection');
  const draft = (await coordinator.client.post(`/api/cases/${caseId}/invoices`)).body;
  const bill = (await coordinator.client.post(`/api/cases/${caseId}/invoices/${draft.id}/issue`, { version: draft.version, dueOn: inDays(30) })).body;
  return { caseId, bill: bill as { id: string; totalCents: number; number: string } };
}
const url = (caseId: string, id: string, what: string) => `/api/cases/${caseId}/invoices/${id}/${what}`;

describe('financial assistance on a bill', () => {
  it('shows the policy’s bands for a household, and suggests its band’s share to the coordinator', async () => {
    const policy = await patient.client.get('/api/billing/assistance-policy');
    expect(policy.status).toBe(200);
    expect(policy.body).toMatchObject({ year: 2025, currency: 'USD', firstPersonCents: 1_565_000, eachAdditionalPersonCents: 550_000, bands: [{ id: 'up_to_200' }, { id: 'up_to_400' }, { id: 'above' }] });
    expect(policy.body.sources[0].url).toMatch(/^https:\/\/aspe\.hhs\.gov\//);

    const { caseId, bill } = await issuedBill();
    const asked = await patient.client.post(url(caseId, bill.id, 'hardship'), { request: 'I lost my job this year and cannot pay it all.', householdSize: 3, incomeBand: 'up_to_400' });
    expect(asked.status).toBe(200);
    expect(asked.body.assistance).toMatchObject({ household: 3, incomeBand: 'up_to_400', suggestedPercent: 50, percent: null });
    const seen = (await coordinator.client.get(`/api/cases/${caseId}/invoices`)).body[0];
    expect(seen.assistance).toMatchObject({ household: 3, incomeBand: 'up_to_400', suggestedPercent: 50 });

    // The coordinator grants the suggestion: half of what is owed; the rest is still to pay, then paid.
    const decided = await coordinator.client.post(url(caseId, bill.id, 'assistance'), { percent: 50, reason: 'Our assistance policy, household of three.' });
    expect(decided.status).toBe(200);
    const half = Math.floor(bill.totalCents / 2);
    expect(decided.body).toMatchObject({ status: 'issued', balanceCents: bill.totalCents - half, assistance: { percent: 50, cents: half, reason: 'Our assistance policy, household of three.' } });
    expect((await coordinator.client.post(url(caseId, bill.id, 'assistance'), { percent: 100, reason: 'Again' })).status).toBe(409);
    const mine = (await patient.client.get(`/api/cases/${caseId}/invoices`)).body[0];
    expect(mine).toMatchObject({ balanceCents: bill.totalCents - half, assistance: { percent: 50, reason: 'Our assistance policy, household of three.' } });
    // Told, in the timeline and by a notice, without the amounts or the household in the mail.
    const timeline = (await patient.client.get(`/api/cases/${caseId}/timeline`)).body.map((e: { label: string }) => e.label);
    expect(timeline).toContain(`Help with bill ${bill.number} was granted in part: less is owed`);
    const told = async () => {
      await t.app.jobs.drain();
      return ((await patient.client.get('/api/notifications')).body.items as { kind: string }[]).some((n) => n.kind === 'invoice.helpDecided');
    };
    await expect.poll(told, { timeout: 10_000 }).toBe(true);
    const [mail] = await t.db.query<{ body: string }>(`SELECT body_text AS body FROM mail_outbox WHERE lower(to_address) = lower($1) AND subject LIKE 'A decision on your request for help%'`, [patient.email]);
    expect(mail!.body).not.toMatch(/household|\$|three/i);
    const paid = await coordinator.client.post(url(caseId, bill.id, 'payments'), { amountCents: bill.totalCents - half, method: 'check', receivedOn: inDays(0) });
    expect(paid.body.status).toBe('paid');
    const audit = await t.db.query<{ detail: unknown }>(`SELECT detail FROM audit_events WHERE case_id = $1 AND action = 'invoice.assistance'`, [caseId]);
    expect(audit).toEqual([{ detail: { status: 'partly_granted' } }]);
  });

  it('writes off what is owed when granted in full, and leaves it when declined', async () => {
    const full = await issuedBill();
    await patient.client.post(url(full.caseId, full.bill.id, 'hardship'), { request: 'My only income is disability benefits.', householdSize: 1, incomeBand: 'up_to_200' });
    const granted = await coordinator.client.post(url(full.caseId, full.bill.id, 'assistance'), { percent: 100, reason: 'Within our policy.' });
    expect(granted.body).toMatchObject({ status: 'written_off', balanceCents: 0, closeReason: 'Within our policy.', assistance: { percent: 100, cents: full.bill.totalCents } });

    const no = await issuedBill();
    await patient.client.post(url(no.caseId, no.bill.id, 'hardship'), { request: 'The bill is larger than I expected.' });
    const declined = await coordinator.client.post(url(no.caseId, no.bill.id, 'assistance'), { percent: 0, reason: 'Above the policy’s bands; a payment plan is offered.' });
    expect(declined.body).toMatchObject({ status: 'issued', balanceCents: no.bill.totalCents, assistance: { percent: 0, cents: 0, suggestedPercent: null } });
  });

  it('refuses a band without a household or one the policy does not have, and a decision nobody asked for', async () => {
    const { caseId, bill } = await issuedBill();
    const half = await patient.client.post(url(caseId, bill.id, 'hardship'), { request: 'I cannot pay the whole bill now.', incomeBand: 'up_to_200' });
    expect(half.status).toBe(400);
    expect(half.body.errors[0].path).toBe('/householdSize');
    const unknown = await patient.client.post(url(caseId, bill.id, 'hardship'), { request: 'I cannot pay the whole bill now.', householdSize: 2, incomeBand: 'millionaire' });
    expect(unknown.status).toBe(400);
    const spanish = await patient.client.request('POST', url(caseId, bill.id, 'hardship'), { request: 'No puedo pagar toda la factura ahora.', householdSize: 2, incomeBand: 'rich' }, { 'accept-language': 'es' });
    expect(spanish.body.errors[0].message).toBe('no es un rango de la política de ayuda del programa');
    expect((await coordinator.client.post(url(caseId, bill.id, 'assistance'), { percent: 50, reason: 'Nobody asked' })).status).toBe(409);
    // Nothing was asked: nothing changed.
    expect((await patient.client.get(`/api/cases/${caseId}/invoices`)).body[0]).toMatchObject({ hardshipRequest: null, assistance: { household: null, percent: null } });
  });
});

describe('the billing report', () => {
  it('gives administrators billed, paid, waived and owed per month and service line, as JSON and CSV, and nobody else', async () => {
    const admin = await aStaff(t, 'admin', 'Ari Admin');
    const month = new Date().toISOString().slice(0, 7);
    const r = await admin.client.get(`/api/admin/billing/report?from=${month}&to=${month}`);
    expect(r.status).toBe(200);
    const lung = r.body.find((row: { serviceLine: string }) => row.serviceLine === 'thoracic_oncology');
    expect(lung).toMatchObject({ month, serviceLineLabel: 'Thoracic oncology', currency: 'USD' });
    expect(lung.bills).toBe(4);
    expect(lung.paidCents + lung.waivedCents + lung.outstandingCents).toBe(lung.billedCents);
    expect(lung.waivedCents).toBeGreaterThan(0);
    const csv = await fetch(`${t.baseUrl}/api/admin/billing/report?from=${month}&to=${month}&format=csv`, { headers: { cookie: admin.client.cookieHeader } });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('month,service_line,service_line_name,currency,bills,cancelled,billed,paid,waived,outstanding,overpaid');
    expect(lines.some((l) => l.startsWith(`${month},thoracic_oncology,Thoracic oncology,USD,${lung.bills},`))).toBe(true);
    expect((await admin.client.get('/api/admin/billing/report?from=2026-12&to=2026-01')).status).toBe(400);
    expect((await coordinator.client.get('/api/admin/billing/report')).status).toBe(403);
    const [audit] = await t.db.query<{ detail: { count: number }; case_id: string | null }>(`SELECT detail, case_id FROM audit_events WHERE action = 'billing.report.read' ORDER BY seq LIMIT 1`);
    expect(audit).toMatchObject({ case_id: null, detail: { count: expect.any(Number) } });
  });
});
