import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { aStaff, lastMailToken, PASSWORD } from '../support/builders.ts';
import { nextTotp } from '../support/testApp.ts';
import { overflowing, screenshotter, seriousA11yViolations, useBrowserApp } from './browser.ts';

/**
 * The first journey: a patient registers, fills the intake, signs consent and submits; a
 * coordinator signs in with a TOTP code, finds the case in the queue and starts records collection.
 */
const app = useBrowserApp();

const shot = screenshotter('intake-to-queue');
const next = (page: Page) => page.getByRole('button', { name: 'Save and continue' }).click();

it('patient submits a request; coordinator finds it and starts collecting records', async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${app.t.baseUrl}/`);
  await shot(page, 'home');
  await page.getByRole('link', { name: 'Start a request' }).click();
  await page.getByLabel('Your full name').fill('Jamie Journey');
  await page.getByLabel('Email').fill('jamie.journey@example.test');
  await page.getByLabel('Password').fill(PASSWORD);
  await shot(page, 'register');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Check your email').waitFor();

  await page.goto(`${app.t.baseUrl}/verify-email?token=${await lastMailToken(app.t.db, 'jamie.journey@example.test')}`);
  await page.getByText('your email address is confirmed').waitFor();
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill('jamie.journey@example.test');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Start a new request' }).click();

  // Step 1: patient details. On a phone the steps read as words and a bar, and nothing is cut off.
  await page.getByLabel('First name').waitFor();
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 360, height: 800 });
  expect(await page.getByTestId('intake-progress').textContent()).toMatch(/Step 1 of 9: About the patient/);
  expect(await overflowing(page)).toEqual([]);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'intake-on-a-phone');
  await page.setViewportSize(size);
  await page.getByLabel('Date of birth').fill('1960-02-03');
  await page.getByLabel('State where the patient is now').selectOption('MN');
  // A mistyped ZIP code is named as the form names it, once, with both of its problems.
  await page.getByLabel('ZIP or postal code (optional)').fill('9');
  await page.getByRole('button', { name: 'Save and continue' }).click();
  const problem = page.getByTestId('error').getByRole('listitem');
  await expect.poll(() => problem.allTextContents()).toEqual(['ZIP or postal code: Check the ZIP or postal code. A US ZIP code has five digits.']);
  await page.getByLabel('ZIP or postal code (optional)').fill('55905');
  await page.getByLabel(/How far could you travel/).selectOption('100');
  await page.getByLabel(/What kind of health coverage/).selectOption('medicare');
  await shot(page, 'intake-patient');
  await next(page);
  // Step 2: diagnosis
  await page.getByLabel('The diagnosis, in your words').fill('Adenocarcinoma of the right upper lobe');
  await page.getByRole('textbox', { name: 'Closest diagnosis from the list (optional)' }).fill('upper lobe, right');
  await page.getByRole('option', { name: /C34\.11/ }).click();
  await shot(page, 'intake-condition');
  await next(page);
  // Step 3: situations
  await page.getByLabel('A serious or life-threatening diagnosis').check();
  await page.getByLabel('Major surgery has been recommended').check();
  await next(page);
  // Step 4: plan
  await page.getByLabel('What have your doctors proposed?').fill('Lobectomy followed by chemotherapy');
  await page.getByLabel('Surgery has been recommended').check();
  await page.getByLabel('Which operation?').fill('Right upper lobectomy');
  await page.getByLabel('Treatment or surgery is due to start soon').check();
  await shot(page, 'intake-plan');
  await next(page);
  // Step 5: treatment so far (none)
  await next(page);
  // Leave and come back: the wizard resumes at the questions step.
  await page.reload();
  await page.getByLabel('Question for the expert 1').fill('Is surgery my best option?');
  await page.getByRole('button', { name: 'Add another question' }).click();
  await page.getByLabel('Question for the expert 2').fill('Should I have more tests first?');
  await next(page);
  // Step 7: priorities
  await page.getByLabel('Keeping function and independence').check();
  await page.getByLabel('Living as long as possible').check();
  await page.getByLabel('In your own words (optional)').fill('I want to keep gardening.');
  await shot(page, 'intake-priorities');
  await next(page);
  // Step 8: consent
  await page.getByLabel(/Type your full name/).nth(1).waitFor();
  for (const field of await page.getByLabel(/Type your full name/).all()) await field.fill('Jamie Journey');
  await page.getByRole('button', { name: 'Sign', exact: true }).first().click();
  await page.getByText(/Signed by Jamie Journey/).first().waitFor();
  await page.getByRole('button', { name: 'Sign', exact: true }).first().click();
  await expect.poll(() => page.getByText(/Signed by Jamie Journey/).count()).toBe(2);
  await shot(page, 'consent-signed');
  await page.getByRole('button', { name: 'Continue' }).click();
  // What the trial suggestions will use is shown back before sending.
  await page.getByText('ZIP or postal code, to find research studies near you: 55905').waitFor();
  await page.getByText('How far you could travel for a research study: Up to 100 miles').waitFor();
  // What it will cost before sending: itemised, with what Medicare usually does before surgery, and why.
  const estimate = page.getByTestId('cost-estimate');
  await estimate.getByText('Written second opinion').waitFor();
  await estimate.getByText('Pathology review of your slides').waitFor();
  await estimate.getByText(/Medicare Part B usually helps pay for a second opinion before surgery/).waitFor();
  await estimate.getByText(/You have Medicare and surgery has been proposed/).waitFor();
  expect(await estimate.textContent()).not.toMatch(/CPT|88321|written_opinion/);
  await shot(page, 'review');
  await page.setViewportSize({ width: 390, height: 844 });
  await estimate.scrollIntoViewIfNeeded();
  expect(await overflowing(page)).toEqual([]);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'review-cost-on-a-phone');
  await page.setViewportSize(size);
  await page.getByRole('button', { name: 'Submit my request' }).click();
  await page.getByText('Submitted', { exact: true }).first().waitFor();
  await page.getByText(/Why this urgency/).first().waitFor();
  // Told at once what happens next, and when.
  expect(await page.getByTestId('progress').textContent()).toMatch(/We have your request.*working days/);
  await shot(page, 'submitted');
  await page.getByText(/ZIP or postal code 55905 · Travel for a research study: Up to 100 miles/).waitFor();
  await page.close();

  // The coordinator signs in with password and authenticator code.
  const coord = await aStaff(app.t, 'coordinator', 'Cora Coordinator');
  const ctx = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const cp = await ctx.newPage();
  await cp.goto(`${app.t.baseUrl}/login`);
  await cp.getByLabel('Email').fill(coord.email);
  await cp.getByLabel('Password').fill(PASSWORD);
  await cp.getByRole('button', { name: 'Sign in' }).click();
  await cp.getByText('Enter your code').waitFor();
  await cp.getByLabel('6-digit code').fill(nextTotp(app.t.baseUrl, coord.totpSecret!));
  await shot(cp, 'coordinator-mfa');
  await cp.getByRole('button', { name: 'Continue' }).click();
  await cp.getByRole('heading', { name: 'Case queue' }).waitFor();
  await cp.getByLabel('Search').fill('Journey');
  await expect.poll(() => cp.getByTestId('queue-row').count()).toBe(1);
  await shot(cp, 'queue');
  // At 1280 px every badge shows its whole word; on a phone each case is a card, nothing cut off.
  await cp.setViewportSize({ width: 1280, height: 900 });
  expect(await cp.evaluate(() => Array.from(document.querySelectorAll('.mantine-Badge-label')).filter((el) => el.scrollWidth > el.clientWidth).map((el) => el.textContent))).toEqual([]);
  await expect.poll(() => cp.url()).toContain('q=Journey');
  await cp.setViewportSize({ width: 360, height: 800 });
  await cp.getByTestId('queue-card').first().waitFor();
  expect(await overflowing(cp)).toEqual([]);
  expect(await seriousA11yViolations(cp)).toEqual([]);
  await shot(cp, 'queue-on-a-phone');
  await cp.setViewportSize({ width: 1280, height: 900 });
  await cp.getByTestId('queue-row').getByRole('link').click();
  await cp.getByText('Is surgery my best option?').waitFor();
  await shot(cp, 'case-detail');
  await cp.getByRole('button', { name: 'Start collecting records' }).click();
  await cp.getByText('Collecting records', { exact: true }).first().waitFor();
  await cp.getByRole('tab', { name: 'Timeline' }).click();
  await cp.getByText('Submitted → Collecting records').waitFor();
  await shot(cp, 'collecting-records');

  const [row] = await app.t.db.query<{ status: string; coordinator_id: string; urgency: string }>(`SELECT status, coordinator_id, urgency FROM cases c JOIN patients p ON p.id = c.patient_id WHERE p.family_name = 'Journey'`);
  expect(row).toMatchObject({ status: 'collecting_records', coordinator_id: coord.id, urgency: 'expedited' });
  await ctx.close();
});
