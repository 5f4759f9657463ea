import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { aCase, aPatient, aStaff, issueOpinion, PASSWORD, takeToReview } from '../support/builders.ts';
import { startStripeDouble, STRIPE_TEST_KEY, STRIPE_TEST_SIGNING_SECRET, type StripeDouble } from '../support/stripeDouble.ts';
import { extractPdfText } from '../../src/records/pdfText.ts';
import { overflowing, screenshotter, seriousA11yViolations, signIn, useBrowserApp } from './browser.ts';

/**
 * The money journey on a phone: the patient sees the estimate and sends the request, receives
 * the bill, pays it on the payment provider's page (Stripe's stand-in, behind the same
 * interface and the real SDK), and downloads the superbill for their health plan.
 */
let stripe: StripeDouble;
const env: Record<string, string> = {};
// Runs before the app starts (hooks run in the order they are registered): the app is told where "Stripe" is.
beforeAll(async () => {
  stripe = await startStripeDouble();
  Object.assign(env, { STRIPE_SECRET_KEY: STRIPE_TEST_KEY, STRIPE_WEBHOOK_SECRET: STRIPE_TEST_SIGNING_SECRET, STRIPE_API_URL: stripe.url });
});
const app = useBrowserApp(env);
beforeAll(() => { stripe.webhookUrl = `${app.t.baseUrl}/api/payments/stripe/webhook`; });
afterAll(() => stripe.close());
const shot = screenshotter('payments');
const PHONE = { width: 390, height: 844 };

it('a patient sends the request, pays the bill online and downloads the superbill for the health plan', async () => {
  const patient = await aPatient(app.t, 'Pablo Pays');
  const coordinator = await aStaff(app.t, 'coordinator', 'Coco Coordinator');
  const id = await aCase(app.t, patient, { intake: { patient: { givenName: 'Pablo', familyName: 'Pays', birthDate: '1958-03-02', sex: 'male', country: 'US', state: 'OH', preferredLanguage: 'en', planType: 'commercial', insurancePlan: 'Synthetic Health PPO', insuranceMemberId: 'XWZ900123456' } }, consent: true });

  const page = await app.browser.newPage({ viewport: PHONE });
  await signIn(page, app.t.baseUrl, patient, PASSWORD);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto(`${app.t.baseUrl}/cases/${id}`);
  await page.getByRole('heading', { name: 'Check and submit' }).waitFor();
  await page.getByTestId('cost-estimate').getByText('Written second opinion').waitFor();
  await page.getByRole('button', { name: 'Submit my request' }).click();
  await page.getByText('Submitted', { exact: true }).first().waitFor();

  // The review happens and the opinion is issued; the coordinator bills the request; the patient is told and opens it.
  const expert = await aStaff(app.t, 'expert', 'Eli Expert');
  await takeToReview(id, coordinator, expert);
  await issueOpinion(expert, id);
  const draft = (await coordinator.client.post(`/api/cases/${id}/invoices`)).body;
  const issued = (await coordinator.client.post(`/api/cases/${id}/invoices/${draft.id}/issue`, { version: draft.version, dueOn: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10) })).body;
  const amount = `$${(issued.totalCents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
  await page.goto(`${app.t.baseUrl}/cases/${id}`);
  const bill = page.getByTestId('invoice');
  await bill.getByText('To pay', { exact: true }).waitFor();
  expect(await overflowing(page)).toEqual([]);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await bill.scrollIntoViewIfNeeded();
  await shot(page, 'bill-to-pay');
  await bill.getByRole('button', { name: `Pay ${amount} online` }).click();

  // The provider's page (the stand-in), then back to the request.
  await page.getByRole('heading', { name: 'Test payment page' }).waitFor();
  await page.getByRole('button', { name: 'Pay' }).click();
  await page.waitForURL((u) => u.pathname === `/cases/${id}` && u.searchParams.get('payment') === 'done');
  await bill.getByText('Paid', { exact: true }).waitFor();
  await page.getByText('Thank you. Your payment was received.').waitFor();
  // The provider's own payment id is not shown to the patient.
  await bill.getByText(/by card online$/).waitFor();
  expect(await bill.textContent()).not.toMatch(/pi_\w+/);
  await bill.scrollIntoViewIfNeeded();
  await shot(page, 'bill-paid-online');

  // The superbill, for the health plan.
  await bill.getByText('If you pay the program yourself, send this with your plan’s claim form to ask your plan to pay you back.').waitFor();
  const download = page.waitForEvent('download');
  await bill.getByRole('link', { name: 'Download a statement for your health plan (superbill, PDF)' }).click();
  const file = await (await download).path();
  const text = (await extractPdfText(new Uint8Array(fs.readFileSync(file)))).text.replace(/\s+/g, ' ');
  expect(text).toContain('Superbill: a statement for your health plan');
  expect(text).toContain('Member ID: XWZ900123456');
  expect(text).toContain(`Paid by you ${amount}`);
  expect(await overflowing(page)).toEqual([]);
  await page.close();
});
