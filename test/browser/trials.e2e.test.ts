import { expect, it } from 'vitest';
import { demoTrials } from '../../src/demo/seed.ts';
import { storeTrialCopy } from '../../src/trials/service.ts';
import { aCaseInReview, aPatient, aStaff, codeFor, PASSWORD } from '../support/builders.ts';
import { aPdf, MOLECULAR_LINES, tusUpload } from '../support/records.ts';
import { screenshotter, seriousA11yViolations, signIn } from './browser.ts';
import { useBrowserApp } from './browser.ts';

/**
 * Trials for an EGFR-mutant lung cancer: the reviewer sees the recruiting studies suggested for
 * the case (from the copy of ClinicalTrials.gov, here its synthetic answers), with why and the
 * eligibility lines to check, adds one to the opinion in one click and says why; once the opinion
 * is delivered, the patient reads it on a phone as a study to ask their doctor about.
 */
// The registry is out of reach here: refreshing the copy fails, and says so.
const app = useBrowserApp({ JOBS_POLL_MS: '200', TRIALS_REGISTRY_URL: 'http://127.0.0.1:9/api/v2' });
const shot = screenshotter('trials');

it('a reviewer adds a suggested trial to the opinion; the patient sees it as a study to ask about', async () => {
  await storeTrialCopy(app.t.db, demoTrials());
  const patient = await aPatient(app.t, 'Robin Testperson');
  const coordinator = await aStaff(app.t, 'coordinator', 'Cora Coordinator');
  const oncologist = await aStaff(app.t, 'expert', 'Omar Oncologist');
  const caseId = await aCaseInReview(app.t, patient, coordinator, oncologist, { role: 'medical_oncology' });
  // The molecular report on file: EGFR exon 19 deletion.
  expect((await tusUpload(patient.client, caseId, 'ngs-report.pdf', await aPdf(MOLECULAR_LINES))).status).toBe(200);
  await expect.poll(async () => (await coordinator.client.get(`/api/cases/${caseId}/assessment`)).body.biomarkers?.tests.find((x: { name: string }) => x.name.startsWith('EGFR'))?.status, { timeout: 30_000 }).toBe('done');

  const op = await app.browser.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(op, app.t.baseUrl, oncologist, PASSWORD);
  await op.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await op.getByRole('tab', { name: 'Opinion' }).click();
  await op.getByRole('button', { name: 'Clinical trials to ask about' }).click();
  const egfr = op.getByTestId('trial-candidate').filter({ hasText: 'NCT09900001' });
  await egfr.waitFor({ timeout: 20_000 });
  // The report's own words are quoted beside what the study asks for.
  expect(await egfr.textContent()).toContain('The study asks for a positive EGFR result, and a report on file reads “EGFR exon 19 deletion: pathogenic variant detected, allele frequency 22%” (found): check the details against the study.');
  expect(await egfr.textContent()).not.toContain('May not fit');
  await egfr.getByRole('button', { name: /Check \d+ eligibility lines against the case/ }).click();
  await egfr.getByText('Asks for measurable disease: check the latest imaging report.').waitFor();
  expect(await seriousA11yViolations(op)).toEqual([]);
  await shot(op, 'suggested-trials');

  await egfr.getByRole('button', { name: 'Add to opinion: NCT09900001' }).click();
  await egfr.getByText('Added').waitFor();
  const cited = op.getByTestId('cited-trial');
  await cited.getByText(/^Suggested because: Studies non-small cell lung cancer/).waitFor();
  await cited.getByLabel('Why the patient should ask about NCT09900001 (in plain words)').fill('Your tumor has an EGFR change, which this study treats. Ask whether it fits you.');
  await expect.poll(() => op.getByTestId('draft-state').textContent(), { timeout: 20_000 }).toBe('Saved');
  await shot(op, 'trial-added');
  // Any study on file can be found by its words, and is read against the case like a suggestion.
  await op.getByLabel('Search all recruiting studies on file').fill('antibody-drug conjugate');
  await op.getByRole('button', { name: 'Search', exact: true }).click();
  const results = op.getByTestId('trial-search-results');
  await results.getByText('Studies holding “antibody-drug conjugate”').waitFor({ timeout: 20_000 });
  const adc = results.getByTestId('trial-candidate').filter({ hasText: 'NCT09900003' });
  expect(await adc.textContent()).toContain('Found by the search: its conditions do not name the condition of this request.');
  expect(await seriousA11yViolations(op)).toEqual([]);
  await shot(op, 'trial-search');
  await adc.getByRole('button', { name: 'Add to opinion: NCT09900003' }).click();
  await cited.filter({ hasText: 'NCT09900003' }).getByText(/^Suggested because: Found by the search/).waitFor();
  await cited.filter({ hasText: 'NCT09900003' }).getByText(/HER2-low breast cancer/).waitFor();
  // A study the patient is outside of is listed with why, and cannot be added.
  await op.getByLabel('Search all recruiting studies on file').fill('"NCT09900004"');
  await op.getByRole('button', { name: 'Search', exact: true }).click();
  await results.getByText('Studies holding “NCT09900004”').waitFor({ timeout: 20_000 });
  await results.getByText('This study is outside its own limits of age or sex for this patient:').waitFor();
  expect(await results.getByRole('button', { name: /Add to opinion/ }).count()).toBe(0);
  await op.getByRole('button', { name: 'Remove NCT09900003 from the opinion' }).click();
  await expect.poll(() => cited.count()).toBe(1);
  await expect.poll(() => op.getByTestId('draft-state').textContent(), { timeout: 20_000 }).toBe('Saved');
  const part = (await oncologist.client.get(`/api/cases/${caseId}/opinion`)).body.myPart.content;
  expect(part.trials).toEqual([expect.objectContaining({ identifier: 'NCT09900001', title: 'Synthetic study of an EGFR inhibitor in EGFR-mutant non-small cell lung cancer', phases: ['PHASE3'] })]);

  // The rest of the part, then signing, issuing and delivery, through the API.
  const questions: string[] = (await oncologist.client.get(`/api/cases/${caseId}/opinion`)).body.intake.questions.questions;
  expect((await oncologist.client.patch(`/api/cases/${caseId}/opinion/draft`, {
    patientSummary: 'Your tumor has a change in a gene called EGFR. Pills that target it may help. A study near you tests a new one.',
    answers: questions.map((q) => ({ question: q, answer: 'Yes, for the reasons above.' })),
  })).status).toBe(200);
  expect((await oncologist.client.post(`/api/cases/${caseId}/opinion/sign`, { password: PASSWORD, code: codeFor(oncologist) })).status).toBe(200);
  expect((await oncologist.client.post(`/api/cases/${caseId}/opinion/report`, { password: PASSWORD, code: codeFor(oncologist) })).status).toBe(201);
  expect((await coordinator.client.post(`/api/cases/${caseId}/opinion/deliver`)).status).toBe(200);
  await op.close();

  const pp = await app.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await signIn(pp, app.t.baseUrl, patient, PASSWORD);
  await pp.waitForURL((u) => !u.pathname.startsWith('/login'));
  await pp.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await pp.getByRole('tab', { name: 'Opinion' }).click();
  const toAsk = pp.getByTestId('trials-to-ask');
  await toAsk.waitFor({ timeout: 20_000 });
  const text = (await toAsk.textContent())!;
  expect(text).toMatch(/^Research studies to ask your doctor about/);
  expect(text).toContain('Synthetic study of an EGFR inhibitor in EGFR-mutant non-small cell lung cancer');
  expect(text).toContain('Why: Your tumor has an EGFR change, which this study treats.');
  expect(text).toContain('The study team decides who can join.');
  expect(text).not.toMatch(/PHASE|null|undefined/);
  await toAsk.scrollIntoViewIfNeeded();
  expect(await seriousA11yViolations(pp)).toEqual([]);
  await shot(pp, 'patient-trials-phone');
  await pp.close();

  // The administrator sees how fresh the copy is; a refresh that cannot reach the registry keeps it and says why.
  const admin = await aStaff(app.t, 'admin', 'Ada Admin');
  const ap = await app.browser.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(ap, app.t.baseUrl, admin, PASSWORD);
  await ap.getByRole('link', { name: 'Clinical trial registry' }).click();
  await expect.poll(() => ap.getByTestId('trial-copy').textContent()).toMatch(/^4 studies in the copy\.Not refreshed by itself on this server/);
  await ap.getByRole('button', { name: 'Refresh now' }).click();
  // It runs in the background; the page follows it and says why it failed.
  await expect.poll(() => ap.getByTestId('trial-copy').textContent(), { timeout: 30_000 }).toMatch(/^4 studies in the copy\..*failed\.The last refresh failedThe trial registry could not be reached/);
  expect(await seriousA11yViolations(ap)).toEqual([]);
  await shot(ap, 'admin-registry-copy');
  // When the knowledge behind the suggestions (and everything else) was last reviewed.
  await ap.getByRole('link', { name: 'Knowledge review' }).click();
  // Files that record no review at all are due.
  await expect.poll(() => ap.getByTestId('knowledge-due').textContent()).toMatch(/^\d+ of \d+ entries are due for review \(as of \d{4}-\d\d-\d\d\)\.$/);
  await ap.getByRole('cell', { name: 'biomarkers.json' }).waitFor();
  await ap.getByLabel('Search').fill('ctgov');
  await ap.getByRole('cell', { name: 'ctgov-api' }).waitFor();
  expect(await seriousA11yViolations(ap)).toEqual([]);
  await shot(ap, 'admin-knowledge-review');
  await ap.close();
});
