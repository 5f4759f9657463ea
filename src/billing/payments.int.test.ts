import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aPatient, aStaff, command, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { signedNotice, startStripeDouble, STRIPE_TEST_KEY, STRIPE_TEST_SIGNING_SECRET, stripeFixture, type StripeDouble } from '../../test/support/stripeDouble.ts';

/**
 * Paying a bill online through Stripe: the real SDK client against a local server that answers as
 * Stripe's API documents (recorded shapes in test/fixtures/stripe), and signed notices made with
 * the SDK's own signing helper.
 */
let stripe: StripeDouble;
/** The stand-in numbers its payment pages from the recorded session's id. */
const FIRST_PAGE = 'cs_test_a1SyntheticSession000000000000000000000000001';
const seen = () => stripe.seen;
let t: TestApp;
let patient: Person;
let coordinator: Person;
let caseId: string;
let invoice: { id: string; version: number; totalCents: number; number: string };

beforeAll(async () => {
  stripe = await startStripeDouble();
  t = await startTestApp({ STRIPE_SECRET_KEY: STRIPE_TEST_KEY, STRIPE_WEBHOOK_SECRET: STRIPE_TEST_SIGNING_SECRET, STRIPE_API_URL: stripe.url });
  stripe.webhookUrl = `${t.baseUrl}/api/payments/stripe/webhook`;
  patient = await aPatient(t, 'Pia Payer');
  coordinator = await aStaff(t, 'coordinator', 'Cato Checkout');
  caseId = await aCase(t, patient, { submit: true });
  await command(coordinator, caseId, 'startRecordCollection');
  const draft = (await coordinator.client.post(`/api/cases/${caseId}/invoices`)).body;
  invoice = (await coordinator.client.post(`/api/cases/${caseId}/invoices/${draft.id}/issue`, { version: draft.version, dueOn: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10) })).body;
});
afterAll(async () => {
  await t.close();
  await stripe.close();
});

/** A notice as Stripe posts it, about this bill unless told otherwise. */
function notice(over: { id?: string; amount?: number; invoiceId?: string; type?: string; paymentStatus?: string } = {}) {
  const event = stripeFixture('checkout-session-completed.json');
  event.id = over.id ?? event.id;
  event.type = over.type ?? event.type;
  Object.assign(event.data.object, { amount_total: over.amount ?? invoice.totalCents, payment_status: over.paymentStatus ?? 'paid', metadata: { invoiceId: over.invoiceId ?? invoice.id, caseId } });
  return signedNotice(event);
}
const post = (n: { payload: string; signature: string }) =>
  fetch(`${t.baseUrl}/api/payments/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': n.signature }, body: n.payload });
const payments = async () => (await coordinator.client.get(`/api/cases/${caseId}/invoices`)).body[0] as { status: string; payments: { amountCents: number; method: string; online: boolean; reference: string }[] };

describe('paying a bill online', () => {
  it('offers the patient side the provider’s payment page for what is owed, telling it no health data', async () => {
    const [mine] = (await patient.client.get(`/api/cases/${caseId}/invoices`)).body;
    expect(mine.payOnline).toBe(true);
    expect((await coordinator.client.get(`/api/cases/${caseId}/invoices`)).body[0].payOnline).toBe(false);
    const r = await patient.client.post(`/api/cases/${caseId}/invoices/${invoice.id}/checkout`);
    expect(r.status).toBe(200);
    // The payment page is the provider's (here the stand-in's hosted page).
    expect(r.body.url).toBe(`${stripe.url}/pay/${FIRST_PAGE}`);
    const sent = seen().find((s) => s.path === '/v1/checkout/sessions')!;
    expect(sent.body.get('mode')).toBe('payment');
    expect(sent.body.get('line_items[0][price_data][unit_amount]')).toBe(String(invoice.totalCents));
    expect(sent.body.get('line_items[0][price_data][currency]')).toBe('usd');
    expect(sent.body.get('line_items[0][price_data][product_data][name]')).toBe(`Bill ${invoice.number}`);
    expect(sent.body.get('metadata[invoiceId]')).toBe(invoice.id);
    expect(sent.body.get('success_url')).toBe(`${t.baseUrl}/cases/${caseId}?payment=done`);
    expect(sent.idempotencyKey).toMatch(/^checkout-/);
    // Only the bill's number and amount leave: no name, diagnosis or record.
    expect([...sent.body.values()].join(' ')).not.toMatch(/Robin|Testperson|Adenocarcinoma|\bC34|lobectomy/i); // \b: a random id may hold "c34"
    // The coordinator records payments; paying online is the patient side's.
    expect((await coordinator.client.post(`/api/cases/${caseId}/invoices/${invoice.id}/checkout`)).status).toBe(404);
  });

  it('refuses a notice whose signature does not hold, and changes nothing', async () => {
    const forged = notice();
    const r = await post({ payload: forged.payload, signature: Stripe.webhooks.generateTestHeaderString({ payload: forged.payload, secret: 'whsec_notOurs000' }) });
    expect(r.status).toBe(400);
    expect((await r.json()).type).toMatch(/^urn:consilium:problem:/);
    // A payload changed after signing is refused too.
    const n = notice();
    expect((await post({ payload: n.payload.replace(String(invoice.totalCents), '1'), signature: n.signature })).status).toBe(400);
    expect((await payments()).payments).toEqual([]);
  });

  it('records the payment once from the signed notice, and the bill is paid', async () => {
    const n = notice();
    const first = await post(n);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, outcome: 'recorded' });
    // Stripe sends a notice again when it is unsure it arrived: nothing more is recorded.
    expect(await (await post(n)).json()).toEqual({ received: true, outcome: 'already' });
    const bill = await payments();
    expect(bill.status).toBe('paid');
    // The bill is settled: its payment page is closed at Stripe, so it takes no more money.
    await t.app.jobs.drain();
    expect(seen().filter((x) => x.path.endsWith('/expire')).map((x) => x.path)).toEqual([`/v1/checkout/sessions/${FIRST_PAGE}/expire`]);
    expect(bill.payments).toEqual([expect.objectContaining({ amountCents: invoice.totalCents, method: 'card', online: true, reference: 'pi_3SyntheticIntent000000000' })]);
    const [audit] = await t.db.query<{ actor_id: string | null; outcome: string }>(`SELECT actor_id, outcome FROM audit_events WHERE action = 'invoice.payment.online' AND case_id = $1`, [caseId]);
    expect(audit).toEqual({ actor_id: null, outcome: 'success' });
    // Paid: nothing more to pay online.
    expect((await patient.client.post(`/api/cases/${caseId}/invoices/${invoice.id}/checkout`)).status).toBe(409);
    // A second session paid too (opened before the first was paid): the money is recorded, and the coordinator is told to refund it.
    expect(await (await post(notice({ id: 'evt_second_payment' }))).json()).toEqual({ received: true, outcome: 'recorded' });
    await t.app.jobs.drain();
    expect(((await coordinator.client.get('/api/notifications')).body.items as { kind: string }[]).some((n) => n.kind === 'invoice.refund')).toBe(true);
    expect((await coordinator.client.get(`/api/cases/${caseId}/timeline`)).body.some((l: { label: string }) => /was more than was owed: the difference is to be refunded$/.test(l.label))).toBe(true);
  });

  it('ignores notices about other things, and says so', async () => {
    expect(await (await post(notice({ id: 'evt_other', type: 'checkout.session.expired' }))).json()).toEqual({ received: true, outcome: 'ignored' });
    expect(await (await post(notice({ id: 'evt_unpaid', paymentStatus: 'unpaid' }))).json()).toEqual({ received: true, outcome: 'ignored' });
    expect(await (await post(notice({ id: 'evt_stranger', invoiceId: '00000000-0000-4000-8000-000000000000' }))).json()).toEqual({ received: true, outcome: 'unknown' });
    // Another program's session on the same account: its metadata are not ours.
    expect(await (await post(notice({ id: 'evt_shop', invoiceId: 'order-1042' }))).json()).toEqual({ received: true, outcome: 'ignored' });
    expect((await payments()).payments).toHaveLength(2);
  });
});

describe('a payment page and help with the bill', () => {
  it('closes a page opened for the old amount once help lowers what is owed, and the next page asks the new amount', async () => {
    const id = await aCase(t, patient, { submit: true });
    await command(coordinator, id, 'startRecordCollection');
    const draft = (await coordinator.client.post(`/api/cases/${id}/invoices`)).body;
    const bill = (await coordinator.client.post(`/api/cases/${id}/invoices/${draft.id}/issue`, { version: draft.version, dueOn: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10) })).body;
    const page = (await patient.client.post(`/api/cases/${id}/invoices/${bill.id}/checkout`)).body.url.split('/').pop();
    await patient.client.post(`/api/cases/${id}/invoices/${bill.id}/hardship`, { request: 'Paying all of it at once is not possible for us.' });
    expect((await coordinator.client.post(`/api/cases/${id}/invoices/${bill.id}/assistance`, { percent: 50, reason: 'Half, under our policy.' })).status).toBe(200);
    await t.app.jobs.drain();
    expect(seen().some((x) => x.path === `/v1/checkout/sessions/${page}/expire`)).toBe(true);
    const second = (await patient.client.post(`/api/cases/${id}/invoices/${bill.id}/checkout`)).body.url.split('/').pop();
    const asked = seen().filter((s) => s.path === '/v1/checkout/sessions').at(-1)!;
    expect(asked.body.get('line_items[0][price_data][unit_amount]')).toBe(String(bill.totalCents - Math.floor(bill.totalCents / 2)));
    // A part paid by check closes that page too: it asked for the whole of what was owed.
    await coordinator.client.post(`/api/cases/${id}/invoices/${bill.id}/payments`, { amountCents: 100, method: 'check', receivedOn: new Date().toISOString().slice(0, 10) });
    await t.app.jobs.drain();
    expect(seen().some((x) => x.path === `/v1/checkout/sessions/${second}/expire`)).toBe(true);
  });
});

describe('without online payment configured', () => {
  it('offers no online payment and answers the webhook 404', async () => {
    const plain = await startTestApp();
    try {
      const p = await aPatient(plain);
      const c = await aStaff(plain, 'coordinator');
      const id = await aCase(plain, p, { submit: true });
      await command(c, id, 'startRecordCollection');
      const draft = (await c.client.post(`/api/cases/${id}/invoices`)).body;
      await c.client.post(`/api/cases/${id}/invoices/${draft.id}/issue`, { version: draft.version, dueOn: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10) });
      expect((await p.client.get(`/api/cases/${id}/invoices`)).body[0].payOnline).toBe(false);
      const r = await p.client.post(`/api/cases/${id}/invoices/${draft.id}/checkout`);
      expect(r.status).toBe(503);
      expect(r.body.detail).toBe('Bills cannot be paid online here. Your coordinator can tell you how to pay.');
      expect((await fetch(`${plain.baseUrl}/api/payments/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
