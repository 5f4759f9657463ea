import { expect, it } from 'vitest';
import { currentTotp } from '../../src/core/auth/totp.ts';
import { aCase, anIntake, aPatient, aStaff, command, PASSWORD, waiveOutstanding, type Person } from '../support/builders.ts';
import { aCtSeries, stowBody } from '../support/dicom.ts';
import { aFhirBundle, aPdf, PATHOLOGY_LINES, tusUpload } from '../support/records.ts';
import { screenshotter, signIn, useBrowserApp } from './browser.ts';

/**
 * From records to a delivered opinion. The earlier steps (assessment, uploads, matching) have
 * their own journeys and run here through the API; everything the review adds runs in Chromium:
 * two experts open the images, write and sign their parts, the lead issues the report, the
 * coordinator delivers it, and the patient reads it, downloads the PDF and asks a question.
 */
const app = useBrowserApp({ JOBS_POLL_MS: '200' });
const shot = screenshotter('opinion');
const QUESTIONS = anIntake().questions.questions;

async function signModal(page: import('playwright-core').Page, who: Person, button: string) {
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Your password').fill(PASSWORD);
  await dialog.getByLabel('Code from your authenticator app').fill(currentTotp(who.totpSecret!, Date.now()));
  await dialog.getByRole('button', { name: button }).click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });
}

it('two experts review and sign, the lead issues the report, the coordinator delivers, the patient reads and asks', async () => {
  const patient = await aPatient(app.t, 'Robin Testperson');
  const coordinator = await aStaff(app.t, 'coordinator', 'Cora Ordinator');
  const pathologist = await aStaff(app.t, 'expert', 'Dr. Patho Logist');
  const oncologist = await aStaff(app.t, 'expert', 'Dr. Onco Logist');
  const caseId = await aCase(app.t, patient, { submit: true });
  await tusUpload(patient.client, caseId, 'pathology.pdf', await aPdf(PATHOLOGY_LINES));
  await tusUpload(patient.client, caseId, 'records.json', Buffer.from(JSON.stringify(aFhirBundle())));
  const ct = aCtSeries(20, { rows: 128, columns: 128 });
  const { body, contentType } = stowBody(ct.files);
  await fetch(`${app.t.baseUrl}/dicomweb/cases/${caseId}/studies`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType, cookie: patient.client.cookieHeader } });
  await command(coordinator, caseId, 'startRecordCollection');
  await waiveOutstanding(coordinator, caseId);
  await command(coordinator, caseId, 'markReadyForReview');
  for (const [expert, role] of [[pathologist, 'pathology'], [oncologist, 'medical_oncology']] as const) {
    const offer = await coordinator.client.post(`/api/cases/${caseId}/offers`, { expertId: expert.id, role });
    await expert.client.post(`/api/offers/${offer.body.id}/accept`);
  }
  await command(pathologist, caseId, 'startReview');

  // The pathologist: opens the images, then writes and signs the diagnosis review.
  const pp = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signIn(pp, app.t.baseUrl, pathologist, PASSWORD);
  await pp.goto(`${app.t.baseUrl}/cases/${caseId}`);
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
  await pp.getByLabel('Original diagnosis').fill('Squamous cell carcinoma of the lung');
  await pp.getByLabel('Reviewed diagnosis').fill('Adenocarcinoma of the lung');
  await pp.getByRole('textbox', { name: 'Concordance' }).click();
  await pp.getByRole('option', { name: /Major discordance/ }).click();
  await pp.getByLabel('Rationale').fill('TTF-1 positive and p40 negative on the reviewed slides.');
  await pp.getByLabel(QUESTIONS[0]!).fill('The slides show adenocarcinoma, a different type than first reported.');
  await pp.getByLabel('For the referring physician').fill('Please send block A3 for EGFR and ALK testing.');
  await shot(pp, 'pathologist-writes');
  await pp.getByRole('button', { name: 'Sign my part…' }).click();
  await signModal(pp, pathologist, 'Sign');
  await pp.getByText(/^Signed /).waitFor();
  await shot(pp, 'pathologist-signed');
  await pp.close();

  // The oncologist, the lead: uses the lung-function calculator, answers, signs and issues.
  const op = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signIn(op, app.t.baseUrl, oncologist, PASSWORD);
  await op.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await op.getByRole('tab', { name: 'Opinion' }).click();
  await op.getByLabel('Your role on this case').fill('Medical oncologist');
  await op.getByRole('button', { name: 'Lung function (ppoFEV1 / ppoDLCO)' }).click();
  await op.getByLabel('FEV1 % predicted').fill('80');
  await op.getByLabel('DLCO % predicted').fill('75');
  await op.getByLabel('Stair climb (m)').fill('25');
  await op.getByRole('textbox', { name: 'To be resected (functional segments)' }).click({ force: true });
  await op.getByRole('option', { name: 'Right lower (5)' }).click();
  await op.keyboard.press('Escape');
  await expect.poll(() => op.getByTestId('lung-result').textContent(), { timeout: 20_000 }).toMatch(/ppoFEV1 58.9 % · ppoDLCO 55.3 % · low risk/);
  await shot(op, 'lung-function-calculator');
  await op.getByLabel(QUESTIONS[1]!).fill('Yes: two tissue tests come first, then surgery.');
  await op.getByLabel('Summary for the patient, in plain language').fill('Your cancer is a different type than first thought. Two more tests on the tissue come first. Then surgery through small cuts is a good choice.');
  await op.getByRole('button', { name: 'Save draft' }).click();
  await op.getByText(/Reading grade \d/).waitFor({ timeout: 20_000 });
  await op.getByRole('button', { name: 'Sign my part…' }).click();
  await signModal(op, oncologist, 'Sign');
  await op.getByRole('button', { name: 'Issue the report…' }).click();
  await signModal(op, oncologist, 'Issue the report');
  await op.getByTestId('report').waitFor({ timeout: 30_000 });
  expect(await op.getByTestId('report').textContent()).toMatch(/Where the reviewers differ|Download version 1/);
  await shot(op, 'report-issued');
  await op.close();

  // The coordinator delivers.
  const cp = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signIn(cp, app.t.baseUrl, coordinator, PASSWORD);
  await cp.getByRole('heading', { name: 'Case queue' }).waitFor();
  await cp.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await cp.getByRole('tab', { name: 'Opinion' }).click();
  await cp.getByRole('button', { name: 'Deliver the opinion to the patient and referrer' }).click();
  await expect.poll(async () => (await coordinator.client.get(`/api/cases/${caseId}`)).body.status, { timeout: 20_000 }).toBe('delivered');
  await cp.goto(`${app.t.baseUrl}/outcomes`);
  await expect.poll(() => cp.getByTestId('concordance').textContent()).toMatch(/Major discordance: 1/);
  await shot(cp, 'outcomes');
  await cp.close();

  // The patient reads the opinion, downloads the PDF and asks a follow-up question.
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signIn(page, app.t.baseUrl, patient, PASSWORD);
  await page.getByTestId('case-card').first().click();
  await page.getByRole('tab', { name: 'Opinion' }).click();
  await page.getByText('Your cancer is a different type than first thought.').waitFor();
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
  await page.close();
});
