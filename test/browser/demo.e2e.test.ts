import { beforeAll, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/seed.ts';
import { screenshotter, seriousA11yViolations, useBrowserApp } from './browser.ts';

/**
 * The demo as a visitor tries it: the pathologist signs in without an authenticator and signs
 * their part with any six digits (the form says so); the patient reads the delivered opinion on
 * a phone.
 */
const app = useBrowserApp({ DEMO: 'true' });
beforeAll(async () => {
  await seedDemo(app.t.db, app.t.config);
}, 120_000);

async function signInAs(email: string, viewport: { width: number; height: number }) {
  const page = await app.browser.newPage({ viewport });
  await page.goto(`${app.t.baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

it('the pathologist signs their part with any six digits in demo mode (laptop)', async () => {
  const shot = screenshotter('demo-pathologist');
  const page = await signInAs('pathologist@demo.consilium.test', { width: 1366, height: 768 });
  await page.getByRole('heading', { name: 'My inbox' }).waitFor();
  await shot(page, 'inbox');
  await page.getByRole('link', { name: /Lung cancer, treatment not working/ }).click();
  await page.getByRole('tab', { name: 'Opinion' }).click();
  await page.getByRole('button', { name: 'Sign my part…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign your part' });
  await dialog.getByText('any six digits work').waitFor();
  await dialog.getByLabel('Your password').fill(DEMO_PASSWORD);
  await dialog.getByLabel('Code from your authenticator app').fill('271828');
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'sign');
  await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
  await page.getByRole('button', { name: 'Issue the report…' }).waitFor();
  await shot(page, 'signed');
  await page.close();
});

it('the patient reads the delivered opinion on a phone (390 × 844)', async () => {
  const shot = screenshotter('demo-patient');
  const page = await signInAs('patient@demo.consilium.test', { width: 390, height: 844 });
  await page.getByText('Lung adenocarcinoma, right upper lobe').click();
  await page.getByRole('tab', { name: 'Opinion' }).click();
  await page.getByRole('link', { name: 'Download version 1 (PDF)' }).waitFor();
  await page.getByText('We agree with your diagnosis and your plan.').waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'opinion');
  await page.close();
});
