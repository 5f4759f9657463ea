import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { serviceLevelsFor } from '../../src/cases/sla.ts';
import { fitsWidth, screenshotter, seriousA11yViolations, useBrowserApp } from './browser.ts';

/**
 * The public home page as a worried patient first sees it, on a phone and on a laptop: how it
 * works, how long it takes (the operator's service levels, not numbers written in the page),
 * who reviews, costs, privacy and whom to contact; accessible, and no sideways scrolling.
 */
const levelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-home-'));
const levelsFile = path.join(levelsDir, 'service-levels.json');
const bundled = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../src/cases/data/service-levels.json'), 'utf8'));
// Numbers unlike the bundled ones, so the page can only show them by reading the configuration.
fs.writeFileSync(levelsFile, JSON.stringify({ ...bundled, businessDays: { expedited: 2, standard: 6 } }));

const app = useBrowserApp({ SERVICE_LEVELS_FILE: levelsFile, CONTACT_EMAIL: 'second.opinions@clinic.example', CONTACT_PHONE: '+1 555 010 0199' });
afterAll(() => fs.rmSync(levelsDir, { recursive: true, force: true }));

async function checkHome(page: Page) {
  await page.goto(`${app.t.baseUrl}/`);
  await page.getByRole('heading', { name: 'Get an expert second opinion', level: 1 }).waitFor();
  await page.getByTestId('turnaround-standard').waitFor();
  const levels = serviceLevelsFor(app.t.config);
  expect(levels.businessDays).toEqual({ standard: 6, expedited: 2 });
  expect((await page.getByTestId('turnaround-standard').textContent())?.trim()).toBe(String(levels.businessDays.standard));
  expect((await page.getByTestId('turnaround-expedited').textContent())?.trim()).toBe(String(levels.businessDays.expedited));
  expect(await page.getByText(`within ${levels.businessDays.standard} business days`).isVisible()).toBe(true);
  expect(await page.getByTestId('followup').textContent()).toContain(`for ${app.t.config.followupDays} days`);

  for (const h of ['How it works', 'How long it takes', 'Who reviews your case', 'What it costs', 'Your privacy', 'Questions?']) {
    expect(await page.getByRole('heading', { name: h, level: 2 }).isVisible(), h).toBe(true);
  }
  expect(await page.getByRole('listitem').filter({ hasText: 'Send your records' }).isVisible()).toBe(true);
  expect(await page.getByTestId('service-lines').textContent()).toContain('Lung cancer');
  expect(await page.getByTestId('cost-notes').textContent()).toContain('Most insurance plans cover a second opinion for cancer');
  expect(await page.getByText('Our emails never contain your health details.').isVisible()).toBe(true);

  const contact = page.getByTestId('contact');
  expect(await contact.getByRole('link', { name: 'second.opinions@clinic.example' }).getAttribute('href')).toBe('mailto:second.opinions@clinic.example');
  expect(await contact.getByRole('link', { name: '+1 555 010 0199' }).getAttribute('href')).toBe('tel:+15550100199');

  // The emergency notice and the three ways in stay.
  expect(await page.getByText('It is not emergency care.').isVisible()).toBe(true);
  for (const name of ['Should I get a second opinion?', 'Start a request', 'Sign in']) expect(await page.getByRole('link', { name, exact: true }).isVisible(), name).toBe(true);

  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(await fitsWidth(page)).toBe(true);
}

it('on a phone (390 × 844): everything a patient needs to trust the service, readable without sideways scrolling', async () => {
  const shot = screenshotter('home-phone');
  const page = await app.browser.newPage({ viewport: { width: 390, height: 844 } });
  await checkHome(page);
  await shot(page, 'home');
  await page.getByRole('button', { name: 'Show all kinds of specialists' }).click();
  expect(await page.getByTestId('specialists').textContent()).toContain('A lung doctor.');
  await shot(page, 'all-specialists');
  await page.close();
});

it('on a laptop (1366 × 768), and at the narrowest phones (360 px)', async () => {
  const shot = screenshotter('home-laptop');
  const page = await app.browser.newPage({ viewport: { width: 1366, height: 768 } });
  await checkHome(page);
  await shot(page, 'home');
  await page.setViewportSize({ width: 360, height: 740 });
  await checkHome(page);
  await shot(page, 'home-360');
  await page.getByRole('link', { name: 'Start a request', exact: true }).click();
  await page.getByRole('button', { name: 'Create account' }).waitFor();
  await page.close();
});
