import { expect, it } from 'vitest';
import { aStaff, PASSWORD } from '../support/builders.ts';
import { screenshotter, signIn, useBrowserApp } from './browser.ts';

/** An expert fills in the directory profile; an admin finds them in the directory. */
const app = useBrowserApp();
const shot = screenshotter('experts');

it('an expert keeps a directory profile and an admin finds it', async () => {
  const expert = await aStaff(app.t, 'expert', 'Dr. Interstitial');
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signIn(page, app.t.baseUrl, expert, PASSWORD);
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
  await signIn(ap, app.t.baseUrl, admin, PASSWORD);
  await ap.getByRole('link', { name: 'Expert directory' }).click();
  await ap.getByLabel('Search by name, institution or NPI').fill('Interstitial');
  await ap.getByText('Synthetic Lung Institute').waitFor();
  expect(await ap.getByText('Internal Medicine, Pulmonary Disease').count()).toBe(1);
  await shot(ap, 'directory');
});
