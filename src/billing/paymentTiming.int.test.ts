import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aPatient, aStaff, command, waiveOutstanding, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await startTestApp({ BILLING_PAYMENT_TIMING: 'before_review' });
  patient = await aPatient(t, 'Pam Paysfirst');
  coordinator = await aStaff(t, 'coordinator', 'Cal Gatekeeper');
});
afterAll(() => t.close());

async function billedCase() {
  const id = await aCase(t, patient, { submit: true });
  await command(coordinator, id, 'startRecordCollection');
  await waiveOutstanding(coordinator, id);
  const draft = (await coordinator.client.post(`/api/cases/${id}/invoices`)).body;
  const bill = (await coordinator.client.post(`/api/cases/${id}/invoices/${draft.id}/issue`, { version: draft.version, dueOn: inDays(30) })).body;
  return { id, bill: bill as { id: string; number: string; totalCents: number } };
}
const ready = (id: string) => coordinator.client.post(`/api/cases/${id}/commands/markReadyForReview`, {});

describe('payment before review, when the program asks for it', () => {
  it('holds the review while a bill is unpaid, says so to both sides, and lets it go once paid', async () => {
    const { id, bill } = await billedCase();
    const held = await ready(id);
    expect(held.status).toBe(422);
    expect(held.body.unmet).toEqual([`Bill ${bill.number} is not paid yet, and this program asks for payment before review (a request for help waiting for a decision pauses this; what is left after help must be paid or waived).`]);
    expect((await patient.client.get(`/api/cases/${id}/invoices`)).body[0].paymentBeforeReview).toBe(true);
    await coordinator.client.post(`/api/cases/${id}/invoices/${bill.id}/payments`, { amountCents: bill.totalCents, method: 'transfer', receivedOn: inDays(0) });
    expect((await ready(id)).status).toBe(200);
  });

  it('never holds a case whose patient asked for help until it is decided, nor one whose bill was waived', async () => {
    const asking = await billedCase();
    await patient.client.post(`/api/cases/${asking.id}/invoices/${asking.bill.id}/hardship`, { request: 'I cannot pay before the review.' });
    expect((await ready(asking.id)).status).toBe(200);

    const waived = await billedCase();
    await coordinator.client.post(`/api/cases/${waived.id}/invoices/${waived.bill.id}/write-off`, { reason: 'Waived by the program' });
    expect((await ready(waived.id)).status).toBe(200);
  });
});
