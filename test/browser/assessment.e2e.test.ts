import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { lastMailToken, PASSWORD } from '../support/builders.ts';
import { SCREENSHOTS, screenshotter, seriousA11yViolations, tabTo, useBrowserApp } from './browser.ts';

/**
 * The public assessment, walked as two people would: one on a phone who carries the result into
 * a new request, and one who uses the keyboard alone. axe-core checks each page on the way.
 */
const app = useBrowserApp();

async function expectAccessible(page: Page) {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

/** The result's main actions sit in the first screenful, above everything but the answer. */
async function expectActionsInFirstViewport(page: Page, journey: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const height = page.viewportSize()!.height;
  for (const name of ['Start a request with these answers', 'Download PDF']) {
    const box = (await page.getByRole('button', { name }).boundingBox())!;
    expect(box.y + box.height, name).toBeLessThanOrEqual(height);
  }
  const answer = (await page.getByTestId('answer').boundingBox())!;
  const start = (await page.getByRole('button', { name: 'Start a request with these answers' }).boundingBox())!;
  expect(answer.y).toBeLessThan(start.y);
  await page.screenshot({ path: path.join(SCREENSHOTS, journey, 'result-first-screen.png') });
}

it('on a phone: new lung cancer with lobectomy proposed, PDF, then carried into a new request', async () => {
  const shot = screenshotter('assessment-phone');
  const page = await app.browser.newPage({ viewport: { width: 390, height: 844 }, acceptDownloads: true });
  await page.goto(`${app.t.baseUrl}/`);
  await page.getByRole('link', { name: 'Should I get a second opinion?' }).click();
  await page.getByRole('heading', { name: /Step 1 of 6/ }).waitFor();
  await expectAccessible(page);
  // A word the list does not know says so, and points to the words box.
  const search = page.getByLabel('Search for the diagnosis by name or code');
  await search.fill('qwzx');
  await page.getByTestId('no-matches').waitFor();
  expect(await page.getByTestId('no-matches').textContent()).toBe('No matches — try another word, or describe it in your own words.');
  await expectAccessible(page);
  await shot(page, 'no-matches');
  // The name people use finds the plain name first, with its code small beside it.
  await search.fill('lung cancer');
  const lungCancer = page.getByRole('radio', { name: /^Lung cancer C34\.90$/ });
  await lungCancer.waitFor();
  expect(await page.getByTestId('no-matches').count()).toBe(0);
  expect(await page.getByRole('radiogroup', { name: 'Matches' }).getByRole('radio').first().getAttribute('value')).toBe('lung_cancer');
  await lungCancer.check();
  expect(await page.getByTestId('chosen-code').textContent()).toMatch(/Lung cancer\s*C34\.90/);
  await page.getByLabel('Or say it in your own words').fill('Adenocarcinoma, right upper lobe');
  await page.getByRole('radio', { name: 'Recently (it is new)' }).check();
  await page.getByRole('radiogroup', { name: /spread/ }).getByRole('radio', { name: 'No', exact: true }).check();
  await shot(page, 'diagnosis');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('radiogroup', { name: /operation/ }).getByRole('radio', { name: 'Yes', exact: true }).check();
  await page.getByRole('textbox', { name: 'Which operation?' }).click();
  await page.getByRole('option', { name: /Lobectomy/ }).click();
  await page.getByRole('radio', { name: /Open surgery/ }).check();
  // Before a lung resection, the lung function values the patient knows: decimals kept as typed,
  // a value out of range said so, not changed.
  const fev1 = page.getByRole('textbox', { name: 'FEV1, % of predicted' });
  await fev1.fill('999');
  await fev1.blur();
  await page.getByText('Give a percentage between 5 and 200, as on the report.').waitFor();
  expect(await fev1.inputValue()).toBe('999 %');
  await fev1.fill('52.5');
  await fev1.blur();
  expect(await fev1.inputValue()).toBe('52.5 %');
  expect(await page.getByText('Give a percentage between 5 and 200, as on the report.').count()).toBe(0);
  await expectAccessible(page);
  await shot(page, 'surgery');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: /Step 3 of 6/ }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: /Step 4 of 6/ }).waitFor();
  await page.getByRole('radio', { name: 'In two weeks to two months' }).check();
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { name: /Step 5 of 6/ }).waitFor();
  await page.getByRole('checkbox', { name: 'Pathology reports' }).check();
  await page.getByRole('checkbox', { name: 'EGFR', exact: true }).check();
  await expectAccessible(page);
  await shot(page, 'records');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('radiogroup', { name: /other choices/ }).getByRole('radio', { name: 'No', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Keeping function and independence' }).check();
  await page.getByRole('button', { name: 'See my results' }).click();

  await page.getByRole('heading', { name: 'Your results' }).waitFor();
  await page.getByTestId('situation-1').waitFor();
  expect(await page.getByTestId('situation-2').isVisible()).toBe(true);
  expect(await page.getByTestId('situation-5').isVisible()).toBe(true);
  expect(await page.getByTestId('urgency').textContent()).toMatch(/time for a careful review/);
  for (const s of ['thoracic_surgery', 'pulmonology', 'pathology', 'medical_oncology']) expect(await page.getByTestId(`reviewer-${s}`).isVisible()).toBe(true);
  expect(await page.getByTestId('checklist-pft').textContent()).toContain('Lung function tests');
  expect(await page.getByTestId('checklist-exercise_test').textContent()).toContain('Exercise test results (stair climb or shuttle walk)');
  expect(await page.getByTestId('checklist-pathology_report').textContent()).toContain('You have this');
  expect(await page.getByTestId('biomarkers').textContent()).toMatch(/EGFR: Done.*ALK: Not on file yet/);
  expect(await page.getByText('Do not stop or put off urgent treatment').isVisible()).toBe(true);
  await expectAccessible(page);
  await shot(page, 'result');
  await expectActionsInFirstViewport(page, 'assessment-phone');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
  const file = path.join(path.dirname(await download.path()), 'assessment.pdf');
  await download.saveAs(file);
  expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');

  // A source link opens the rules page at that source.
  // Sources show by their titles; review caveats are for staff.
  expect(await page.locator('body').textContent()).not.toMatch(/seed-|domain-|before clinical use|Why\? source/);
  await page.getByRole('link', { name: 'Patient guide: when to get a second opinion — lung surgery' }).first().click();
  await page.getByRole('heading', { name: 'Assessment rules and their sources' }).waitFor();
  await page.locator('#source-seed-s2-lung').waitFor();
  await expectAccessible(page);
  await shot(page, 'rules');
  await page.goBack();

  await page.getByRole('button', { name: 'Start a request with these answers' }).click();
  await page.getByLabel('Your full name').fill('Robin Phone');
  await page.getByLabel('Email').fill('robin.phone@example.test');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Check your email').waitFor();
  await page.goto(`${app.t.baseUrl}/verify-email?token=${await lastMailToken(app.t.db, 'robin.phone@example.test')}`);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill('robin.phone@example.test');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('pending-assessment').waitFor();
  await shot(page, 'continue');
  await page.getByRole('button', { name: 'Start a request from my answers' }).click();
  await page.getByLabel('First name').waitFor();
  const [row] = await app.t.db.query<{ intake: { condition: { icd10Code: string }; plan: { surgeryDescription: string } } }>(
    `SELECT c.intake FROM cases c JOIN case_members m ON m.case_id = c.id JOIN users u ON u.id = m.user_id WHERE u.email = 'robin.phone@example.test'`);
  expect(row!.intake.condition.icd10Code).toBe('C34.90');
  expect(row!.intake.plan.surgeryDescription).toMatch(/Lobectomy/);
  await shot(page, 'prefilled-intake');
  // The diagnosis step shows the carried code in words, and the person's own words beside it.
  await page.getByLabel('Date of birth').fill('1958-04-05');
  await page.getByLabel('State where the patient is now').selectOption('OH');
  await page.getByRole('button', { name: 'Save and continue' }).click();
  const closest = page.getByRole('textbox', { name: 'Closest diagnosis from the list (optional)' });
  await expect.poll(() => closest.inputValue()).toBe('Malignant neoplasm of unspecified part of unspecified bronchus or lung');
  expect(await page.getByLabel('The diagnosis, in your words').inputValue()).toBe('Adenocarcinoma, right upper lobe');
  await shot(page, 'prefilled-diagnosis');
});

it('with the keyboard alone: suspected IPF with breathing getting worse quickly', async () => {
  const shot = screenshotter('assessment-keyboard');
  const page = await app.browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(`${app.t.baseUrl}/assess`);
  await page.getByRole('heading', { name: /Step 1 of 6/ }).waitFor();
  await tabTo(page, 'Search for the diagnosis');
  await page.keyboard.type('qwzx');
  await page.getByTestId('no-matches').waitFor();
  await shot(page, 'no-matches');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('lung cancer');
  await page.getByRole('radio', { name: /^Lung cancer C34\.90$/ }).waitFor();
  await shot(page, 'lung-cancer');
  // Misspelt, as people do: the plain name is still found, its code small beside it.
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('idiopatic pulmonary fibrosis');
  await page.getByRole('radio', { name: /^Idiopathic pulmonary fibrosis J84\.112$/ }).waitFor();
  await shot(page, 'diagnosis');
  await tabTo(page, /Idiopathic pulmonary fibrosis/);
  await page.keyboard.press('Space');
  expect(await page.getByTestId('chosen-code').textContent()).toMatch(/Idiopathic pulmonary fibrosis\s*J84\.112/);
  // Whether a cancer has spread is not asked about lung fibrosis.
  expect(await page.getByRole('radiogroup', { name: /spread/ }).count()).toBe(0);
  await tabTo(page, 'Recently (it is new)');
  await page.keyboard.press('Space');
  await tabTo(page, /^Next/);
  await page.keyboard.press('Enter');
  for (const step of [2, 3]) {
    await page.getByRole('heading', { name: new RegExp(`Step ${step} of 6`) }).waitFor();
    await tabTo(page, /^Next/);
    await page.keyboard.press('Enter');
  }
  await page.getByRole('heading', { name: /Step 4 of 6/ }).waitFor();
  await tabTo(page, 'getting worse quickly');
  await page.keyboard.press('Space');
  await shot(page, 'course');
  await tabTo(page, /^Next/);
  await page.keyboard.press('Enter');
  for (const step of [5, 6]) {
    await page.getByRole('heading', { name: new RegExp(`Step ${step} of 6`) }).waitFor();
    await tabTo(page, step === 6 ? 'See my results' : /^Next/);
    await page.keyboard.press('Enter');
  }
  await page.getByRole('heading', { name: 'Your results' }).waitFor();
  await page.getByTestId('situation-4').waitFor();
  expect(await page.getByTestId('situation-1').isVisible()).toBe(true);
  expect(await page.getByTestId('urgency').textContent()).toMatch(/fast review/);
  expect(await page.getByTestId('checklist-hrct').isVisible()).toBe(true);
  expect(await page.getByTestId('reviewer-pulmonology_ild').isVisible()).toBe(true);
  await expectAccessible(page);
  await shot(page, 'result');
  await expectActionsInFirstViewport(page, 'assessment-keyboard');
});
