import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { currentTotp } from '../../src/core/auth/totp.ts';
import { aStaff, PASSWORD, type Person } from '../support/builders.ts';
import { screenshotter, useBrowserApp } from './browser.ts';

/** An expert fills in the directory profile; an admin finds them in the directory. */
const app = useBrowserApp();
const shot = screenshotter('experts');

async function signIn(page: Page, who: Person) {
  await page.goto(`${app.t.baseUrl}/login`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('6-digit code').fill(currentTotp(who.totpSecret!, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Continue' }).click();
}

it('an expert keeps a directory profile and an admin finds it', async () => {
  const expert = await aStaff(app.t, 'expert', 'Dr. Interstitial');
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signIn(page, expert);
  await page.getByRole('link', { name: 'My directory profile' }).click();
  await page.getByLabel('NPI').fill('1234567890');
  await page.getByRole('textbox', { name: 'Specialties (NUCC taxonomy)' }).click();
  await page.getByRole('option', { name: /Pulmonary Disease/ }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('textbox', { name: /Focus conditions/ }).fill('J84');
  await page.keyboard.press('Enter');
  await page.getByRole('textbox', { name: 'Institution', exact: true }).fill('Synthetic Lung Institute');
  await page.getByRole('textbox', { name: /Licensed in/ }).fill('US-OH');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Save my profile' }).click();
  await page.getByText('not a valid NPI').first().waitFor();
  await page.getByLabel('NPI').fill('1234567893');
  await page.getByRole('button', { name: 'Save my profile' }).click();
  await page.getByRole('status').getByText('Saved.').waitFor();
  await shot(page, 'profile');

  const admin = await aStaff(app.t, 'admin');
  const ap = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(ap, admin);
  await ap.getByRole('link', { name: 'Expert directory' }).click();
  await ap.getByLabel('Search by name, institution or NPI').fill('Interstitial');
  await ap.getByText('Synthetic Lung Institute').waitFor();
  expect(await ap.getByText('Internal Medicine, Pulmonary Disease').count()).toBe(1);
  await shot(ap, 'directory');
});
