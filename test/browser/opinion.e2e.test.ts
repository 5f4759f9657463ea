import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { anIntake, aStaff, codeFor, lastMailToken, PASSWORD, type Person } from '../support/builders.ts';
import { aCtSeries } from '../support/dicom.ts';
import { aFhirBundle, aPdf, PATHOLOGY_LINES } from '../support/records.ts';
import { overflowing, screenshotter, seriousA11yViolations, signIn, useBrowserApp } from './browser.ts';

/**
 * The whole product in Chromium: a patient takes the assessment, opens a request, uploads a
 * pathology PDF, a FHIR export and a CT on a CD; the coordinator completes the checklist, matches
 * and offers a pathologist and an oncologist, who accept; each reviews (opens the images and the
 * report), writes and signs; the lead issues the report; the coordinator delivers; the patient
 * reads it, downloads the PDF, asks a follow-up question and answers the survey.
 */
const app = useBrowserApp({ JOBS_POLL_MS: '200' });
const shot = screenshotter('opinion');
const QUESTIONS = anIntake().questions.questions;

async function signModal(page: import('playwright-core').Page, who: Person, button: string) {
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Your password').fill(PASSWORD);
  await dialog.getByLabel('Code from your authenticator app').fill(codeFor(who));
  await dialog.getByRole('button', { name: button }).click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });
}

/** The patient's records as they arrive: a pathology report, a FHIR export and a CT on a CD. */
function aRecordsFolder(ct: Buffer[]): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journey-records-'));
  const put = (rel: string, data: Buffer | string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), data);
  };
  return Promise.all([aPdf(PATHOLOGY_LINES), aPdf(['PULMONARY FUNCTION TEST REPORT', 'Spirometry and diffusing capacity.', 'FEV1 2.61 L (80% predicted)', 'FEV1/FVC 72%', 'DLCO 19.2 mL/min/mmHg (75% predicted)'])]).then(([pdf, pft]) => {
    put('reports/pathology.pdf', pdf);
    put('reports/pulmonary-function.pdf', pft);
    put('export/records.json', JSON.stringify(aFhirBundle()));
    ct.forEach((f, i) => put(`CD/DICOM/IM${String(i + 1).padStart(5, '0')}`, f));
    return dir;
  });
}

// The whole product in one journey takes about two minutes on two busy cores: it gets four.
it('the whole product: assessment, request, records, matching, two reviews, the report, delivery, and the patient’s question', async () => {
  const email = 'robin.journey@example.test';
  // The patient takes the assessment and carries it into a request.
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${app.t.baseUrl}/assess`);
  await page.getByLabel('Search for the diagnosis by name or code').fill('upper lobe, right');
  await page.getByRole('radio', { name: /C34\.11/ }).check();
  await page.getByRole('radio', { name: 'Recently (it is new)' }).check();
  await page.getByRole('radiogroup', { name: /spread/ }).getByRole('radio', { name: 'No', exact: true }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('radiogroup', { name: /operation/ }).getByRole('radio', { name: 'Yes', exact: true }).check();
  await page.getByRole('textbox', { name: 'Which operation?' }).click();
  await page.getByRole('option', { name: /Lobectomy/ }).click();
  await page.getByRole('radio', { name: /Open surgery/ }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: /Step 3 of 6/ }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('radio', { name: 'In two weeks to two months' }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: /Step 5 of 6/ }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('radiogroup', { name: /other choices/ }).getByRole('radio', { name: 'No', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Living as long as possible' }).check();
  await page.getByRole('button', { name: 'See my results' }).click();
  await page.getByRole('heading', { name: 'Your results' }).waitFor();
  await shot(page, 'assessment-result');
  await page.getByRole('button', { name: 'Start a request with these answers' }).click();
  await page.getByLabel('Your full name').fill('Robin Journey');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Check your email').waitFor();
  await page.goto(`${app.t.baseUrl}/verify-email?token=${await lastMailToken(app.t.db, email)}`);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Start a request from my answers' }).click();
  const next = () => page.getByRole('button', { name: 'Save and continue' }).click();
  await page.getByLabel('Date of birth').fill('1962-05-04');
  await page.getByLabel('State where the patient is now').selectOption('OH');
  await next();
  await page.getByLabel('The diagnosis, in your words').fill('Adenocarcinoma of the right upper lobe');
  await next();
  await page.getByLabel('A serious or life-threatening diagnosis').check();
  await next();
  await page.getByLabel('What have your doctors proposed?').fill('Right upper lobectomy');
  await next();
  await next();
  await page.getByLabel('Question for the expert 1').fill(QUESTIONS[0]!);
  await page.getByRole('button', { name: 'Add another question' }).click();
  await page.getByLabel('Question for the expert 2').fill(QUESTIONS[1]!);
  await next();
  await page.getByLabel('Living as long as possible').check();
  await next();
  await page.getByLabel(/Type your full name/).nth(1).waitFor();
  for (const field of await page.getByLabel(/Type your full name/).all()) await field.fill('Robin Journey');
  await page.getByRole('button', { name: 'Sign', exact: true }).first().click();
  await page.getByText(/Signed by Robin Journey/).first().waitFor();
  await page.getByRole('button', { name: 'Sign', exact: true }).first().click();
  await expect.poll(() => page.getByText(/Signed by Robin Journey/).count()).toBe(2);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Submit my request' }).click();
  await page.getByText('Submitted', { exact: true }).first().waitFor();
  await shot(page, 'request-submitted');
  const [{ id: caseId }] = await app.t.db.query<{ id: string }>(`SELECT c.id FROM cases c JOIN case_members m ON m.case_id = c.id JOIN users u ON u.id = m.user_id WHERE u.email = $1`, [email]) as [{ id: string }];

  // The coordinator takes the case; the patient uploads the records folder, CD included.
  const coordinator = await aStaff(app.t, 'coordinator', 'Cora Ordinator');
  const cp = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signIn(cp, app.t.baseUrl, coordinator, PASSWORD);
  await cp.getByRole('heading', { name: 'Case queue' }).waitFor();
  await cp.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await cp.getByRole('button', { name: 'Start collecting records' }).click();
  await cp.getByText('Collecting records', { exact: true }).first().waitFor();
  const ct = aCtSeries(20, { rows: 128, columns: 128, patientName: 'Journey^Robin', birthDate: '19620504' });
  await page.reload();
  await page.getByRole('tab', { name: 'Records' }).click();
  await page.locator('input[webkitdirectory]').first().setInputFiles(await aRecordsFolder(ct.files));
  await page.getByTestId('doc-records.json').waitFor({ timeout: 60_000 });
  // The folder's files go up one after another; the report comes after the CD's images.
  await page.getByTestId('doc-pathology.pdf').waitFor({ timeout: 60_000 });
  await page.getByTestId('doc-pulmonary-function.pdf').waitFor({ timeout: 60_000 });
  // Twenty CT slices are one study among the images, not twenty rows among the documents.
  await expect.poll(() => page.getByTestId('image-studies').textContent(), { timeout: 60_000 }).toMatch(/1 series · 20 images/);
  expect(await page.getByTestId('documents').locator('[data-testid^="doc-"]').count()).toBe(3);
  await shot(page, 'records-uploaded');

  // The coordinator completes the checklist (waiving what this case does not need) and sends it to review.
  await cp.reload();
  await cp.getByRole('tab', { name: 'Records' }).click();
  await expect.poll(() => cp.getByTestId('item-pathology_report').textContent(), { timeout: 30_000 }).toMatch(/On file/);
  for (;;) {
    const waive = cp.getByRole('button', { name: 'Waive…' }).first();
    if (!(await waive.count())) break;
    await waive.click();
    await cp.getByRole('dialog').getByRole('textbox').fill('Not needed for this synthetic case.');
    await cp.getByRole('button', { name: 'Waive with this reason' }).click();
    await cp.getByRole('dialog').waitFor({ state: 'detached' });
  }
  await cp.getByTestId('checklist-state').getByText('Complete').waitFor();
  await cp.getByRole('button', { name: 'Mark ready for review' }).click();
  await cp.getByText('Ready for review', { exact: true }).first().waitFor();
  await shot(cp, 'checklist-complete');

  // Matching proposes a pathologist and an oncologist, with reasons; the coordinator offers the team.
  const pathologist = await aStaff(app.t, 'expert', 'Dr. Patho Logist');
  const oncologist = await aStaff(app.t, 'expert', 'Dr. Onco Logist');
  const institution = { name: 'Synthetic University', academic: true, tumorBoards: true, trialsOpen: true };
  for (const [expert, code] of [[pathologist, '207ZP0101X'], [oncologist, '207RX0202X']] as const) {
    await expert.client.put('/api/experts/me/profile', { taxonomyCodes: [code], focusCodes: ['C34'], institution, licensure: ['US-OH'], languages: ['en'], consultModes: ['records_review'], capacityMax: 5 });
  }
  await cp.getByRole('tab', { name: 'Experts' }).click();
  await cp.getByTestId('role-pathology').getByText('Proposed: Dr. Patho Logist').waitFor();
  await cp.getByTestId('role-medical_oncology').getByText('Proposed: Dr. Onco Logist').waitFor();
  await shot(cp, 'team-proposed');
  await cp.getByRole('button', { name: 'Offer the proposed team' }).click();
  await expect.poll(() => cp.getByTestId('offer').count()).toBe(2);
  // Each expert signs in once (a code is good for one sign-in) and keeps the page open.
  const expertPages = new Map<Person, import('playwright-core').Page>();
  for (const expert of [pathologist, oncologist]) {
    const ep = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await signIn(ep, app.t.baseUrl, expert, PASSWORD);
    await ep.getByTestId('inbox-offer').waitFor();
    await ep.getByRole('button', { name: 'Accept' }).click();
    await ep.getByTestId('inbox-case').waitFor();
    expertPages.set(expert, ep);
  }
  // The pathologist accepted first and so leads by default; the coordinator makes the oncologist the lead.
  await cp.reload();
  const lead = cp.getByRole('textbox', { name: 'Lead reviewer' });
  await expect.poll(() => lead.inputValue(), { timeout: 20_000 }).toBe('Dr. Patho Logist');
  await lead.click();
  await cp.getByRole('option', { name: 'Dr. Onco Logist' }).click();
  // The change is confirmed first, naming who leads instead of whom.
  await cp.getByRole('dialog', { name: 'Change the lead reviewer?' }).getByText('instead of Dr. Patho Logist').waitFor();
  await cp.getByRole('button', { name: 'Make Dr. Onco Logist the lead' }).click();
  await expect.poll(async () => (await coordinator.client.get(`/api/cases/${caseId}`)).body.leadExpert?.name, { timeout: 20_000 }).toBe('Dr. Onco Logist');
  await shot(cp, 'lead-reviewer-named');

  // The pathologist: opens the images, then writes and signs the diagnosis review.
  const pp = expertPages.get(pathologist)!;
  await pp.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await pp.getByRole('button', { name: 'Start the review' }).click();
  await pp.getByText('In review', { exact: true }).first().waitFor();
  await pp.getByRole('tab', { name: 'Imaging' }).click();
  await pp.getByRole('link', { name: /Open series/ }).first().click();
  await expect.poll(() => pp.getByTestId('first-image-ms').getAttribute('data-ms'), { timeout: 60_000 }).toMatch(/^\d+$/);
  await shot(pp, 'pathologist-opens-images');
  await pp.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await pp.getByRole('tab', { name: 'Records' }).click();
  await pp.getByRole('button', { name: 'Read pathology.pdf' }).click();
  await expect.poll(() => pp.getByTestId('document-text').textContent(), { timeout: 20_000 }).toMatch(/FINAL DIAGNOSIS/);
  await shot(pp, 'pathologist-reads-the-report');
  await pp.keyboard.press('Escape');
  await pp.getByRole('tab', { name: 'Opinion' }).click();
  await pp.getByLabel('Your role on this case').fill('Pathologist');
  // Half a section is saved as typed; leaving the tab at once does not lose it, nor does a reload.
  await pp.getByLabel('Reviewed diagnosis').fill('Adenocarcinoma of the lung');
  await pp.getByRole('tab', { name: 'Records' }).click();
  await pp.getByRole('tab', { name: 'Opinion' }).click();
  await expect.poll(() => pp.getByLabel('Reviewed diagnosis').inputValue(), { timeout: 20_000 }).toBe('Adenocarcinoma of the lung');
  await pp.reload();
  await expect.poll(() => pp.getByLabel('Reviewed diagnosis').inputValue(), { timeout: 20_000 }).toBe('Adenocarcinoma of the lung');
  expect(await pp.getByLabel('Your role on this case').inputValue()).toBe('Pathologist');
  // What signing still needs is listed in words, and the sign button waits for it.
  await expect.poll(() => pp.getByTestId('signing-gaps').textContent(), { timeout: 20_000 }).toMatch(/Diagnosis review: the concordance is missing/);
  expect(await pp.getByRole('button', { name: 'Sign my part…' }).isDisabled()).toBe(true);
  await shot(pp, 'pathologist-half-written-draft-kept');
  await pp.getByLabel('Original diagnosis').fill('Squamous cell carcinoma of the lung');
  await pp.getByRole('textbox', { name: 'Concordance' }).click();
  await pp.getByRole('option', { name: /Major discordance/ }).click();
  await pp.getByLabel('Rationale').fill('TTF-1 positive and p40 negative on the reviewed slides.');
  await pp.getByLabel(QUESTIONS[0]!).fill('The slides show adenocarcinoma, a different type than first reported.');
  await pp.getByLabel('For the referring physician').fill('Please send block A3 for EGFR and ALK testing.');
  await expect.poll(() => pp.getByTestId('draft-state').textContent(), { timeout: 20_000 }).toBe('Saved');
  await pp.getByTestId('signing-gaps').waitFor({ state: 'detached' });
  await shot(pp, 'pathologist-writes');
  await pp.getByRole('button', { name: 'Sign my part…' }).click();
  await signModal(pp, pathologist, 'Sign');
  await pp.getByText(/^Signed /).waitFor();
  await shot(pp, 'pathologist-signed');
  await pp.close();

  // The oncologist, the lead: uses the lung-function calculator, answers, signs and issues.
  const op = expertPages.get(oncologist)!;
  await op.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await op.getByRole('tab', { name: 'Opinion' }).click();
  await op.getByText('What matters most: Living as long as possible').waitFor();
  // "Complete" does not hide what was waived.
  expect(await op.getByTestId('review-checklist').textContent()).toMatch(/complete, \d+ waived as not needed \(/);
  await op.getByLabel('Your role on this case').fill('Medical oncologist');
  await op.getByRole('button', { name: 'Lung function (ppoFEV1 / ppoDLCO)' }).click();
  // The values the lung function report on file states, quoted, and taken into the calculator in one click.
  await op.getByTestId('lung-function-on-file').getByText('FEV1 80 % of predicted: “FEV1 2.61 L (80% predicted)”').waitFor();
  await op.getByRole('button', { name: 'Use these values in the calculator' }).click();
  expect([await op.getByLabel('FEV1 % predicted').inputValue(), await op.getByLabel('DLCO % predicted').inputValue()]).toEqual(['80', '75']);
  await op.getByLabel('Stair climb (m)').fill('25');
  // Open the list (the pills input sits over the field, so focus it and use the keyboard), then pick.
  const lobes = op.getByRole('textbox', { name: 'To be resected (functional segments)' });
  const lower = op.getByRole('option', { name: 'Right lower (5)' });
  await expect.poll(async () => {
    if (!(await lower.isVisible())) {
      await lobes.focus();
      await op.keyboard.press('ArrowDown');
    }
    return lower.isVisible();
  }, { timeout: 20_000 }).toBe(true);
  await lower.click();
  await op.keyboard.press('Escape');
  await expect.poll(() => op.getByTestId('lung-result').textContent(), { timeout: 20_000 }).toMatch(/ppoFEV1 58.9 % · ppoDLCO 55.3 % · low risk/);
  await shot(op, 'lung-function-calculator');
  await op.getByLabel(QUESTIONS[1]!).fill('Yes: two tissue tests come first, then surgery.');
  await op.getByLabel('Summary for the patient, in plain language').fill('Your cancer is a different type than first thought. Two more tests on the tissue come first. Then surgery through small cuts is a good choice.');
  await op.getByText(/Reading grade \d/).waitFor({ timeout: 20_000 });
  await expect.poll(() => op.getByTestId('draft-state').textContent(), { timeout: 20_000 }).toBe('Saved');
  await op.getByRole('button', { name: 'Sign my part…' }).click();
  await signModal(op, oncologist, 'Sign');
  await op.getByRole('button', { name: 'Issue the report…' }).click();
  await signModal(op, oncologist, 'Issue the report');
  await op.getByTestId('report').waitFor({ timeout: 30_000 });
  expect(await op.getByTestId('report').textContent()).toMatch(/Where the reviewers differ|Download version 1/);
  await shot(op, 'report-issued');
  await op.close();

  // The coordinator delivers.
  const dp = cp;
  await dp.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await dp.getByRole('tab', { name: 'Opinion' }).click();
  await dp.getByRole('button', { name: 'Deliver the opinion to the patient and referrer' }).click();
  await dp.getByRole('dialog', { name: 'Deliver the opinion?' }).getByRole('button', { name: 'Deliver now' }).click();
  await expect.poll(async () => (await coordinator.client.get(`/api/cases/${caseId}`)).body.status, { timeout: 20_000 }).toBe('delivered');
  await dp.goto(`${app.t.baseUrl}/outcomes`);
  await expect.poll(() => dp.getByTestId('concordance').textContent()).toMatch(/Major discordance: 1/);
  await shot(dp, 'outcomes');
  await dp.close();

  // The lead expert has the inbox open on a phone, everything read, while the patient reads and asks.
  const phone = await app.browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(phone, app.t.baseUrl, oncologist, PASSWORD);
  await oncologist.client.post('/api/notifications/read', { all: true });
  await phone.goto(`${app.t.baseUrl}/inbox`);
  await phone.getByRole('button', { name: 'Notifications', exact: true }).waitFor();

  // The patient hears of it by the bell; the notice opens the opinion.
  await openNotice(page, `${app.t.baseUrl}/cases`, /Your second opinion is ready/);
  await page.getByText('Your cancer is a different type than first thought.').waitFor();
  expect(page.url()).toContain('tab=opinion');
  expect(await page.getByTestId('report').textContent()).toContain(QUESTIONS[0]);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download version 1/ }).click()]);
  expect(download.suggestedFilename()).toMatch(/opinion-v1\.pdf$/);
  await page.getByLabel('Ask the expert').fill('Which test comes first?');
  await page.getByTestId('followups').getByRole('button', { name: 'Send' }).click();
  await expect.poll(() => page.getByTestId('followups').textContent()).toMatch(/Which test comes first\?/);
  await shot(page, 'patient-reads-and-asks');
  await page.getByRole('radio', { name: '5' }).check();
  await page.getByRole('radio', { name: 'Diagnosis' }).check();
  await page.getByRole('radio', { name: 'Yes' }).check();
  await page.getByRole('button', { name: 'Send my answers' }).click();
  await page.getByText('Thank you for your answers.').waitFor();
  // Coming back later on a phone, the case opens on the opinion, the tracker at its end, and no cancel is offered.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await page.getByTestId('report').waitFor();
  expect(await page.getByTestId('progress').textContent()).toMatch(/Your opinion is ready/);
  expect(await page.getByRole('button', { name: 'Cancel the request' }).count()).toBe(0);
  await page.getByRole('tab', { name: 'Who opened it' }).click();
  await expect.poll(() => page.getByRole('table', { name: 'Access log' }).textContent()).toMatch(/Opened the request/);
  expect(await page.getByRole('table', { name: 'Access log' }).textContent()).not.toMatch(/\b[a-z]+\.[a-z]+\b/);
  expect(await overflowing(page)).toEqual([]);
  await page.getByRole('tab', { name: 'Timeline' }).click();
  await expect.poll(() => page.getByTestId('timeline').textContent()).toMatch(/Opinion signed → Delivered/);
  expect(await page.getByTestId('timeline').textContent()).not.toMatch(/\b[a-z]+\.[a-z]+\b/);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'patient-returns-on-phone');
  await page.close();

  // The expert's open page hears of the question at once (live, no reload; the fallback poll is
  // a minute), and the notice leads to the thread.
  const unreadBell = phone.getByRole('button', { name: /^Notifications, \d+ unread$/ });
  await unreadBell.waitFor({ timeout: 20_000 });
  await unreadBell.click();
  const notice = phone.getByRole('button', { name: /^Unread: New follow-up message on/ });
  await notice.waitFor();
  await phone.waitForTimeout(300); // let the popover finish opening for the picture
  await shot(phone, 'expert-notified-on-phone');
  await notice.click();
  await expect.poll(() => phone.getByTestId('followups').textContent(), { timeout: 20_000 }).toMatch(/Which test comes first\?/);
  await shot(phone, 'expert-reads-the-question');
  // The inbox puts the case with the waiting question first, and says so.
  await phone.goto(`${app.t.baseUrl}/inbox`);
  await phone.getByTestId('question-waiting').first().waitFor();
  expect(await seriousA11yViolations(phone)).toEqual([]);
  await shot(phone, 'expert-inbox-question-waiting');
  await phone.close();
}, 240_000);

/** Opens the page until the bell shows an unread notice (dispatch runs in the background), then opens that notice. */
async function openNotice(page: import('playwright-core').Page, url: string, title: RegExp, whileOpen?: () => Promise<void>) {
  const unreadBell = page.getByRole('button', { name: /^Notifications, \d+ unread$/ });
  await expect.poll(async () => {
    await page.goto(url);
    return unreadBell.waitFor({ timeout: 3000 }).then(() => true, () => false);
  }, { timeout: 30_000 }).toBe(true);
  await unreadBell.click();
  const notice = page.getByRole('button', { name: new RegExp(`^Unread: ${title.source}`) }).first();
  await notice.waitFor();
  await whileOpen?.();
  await notice.click();
}
