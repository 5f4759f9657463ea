import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { aCase, anIntake, aPatient, aStaff, command, PASSWORD } from '../support/builders.ts';
import { aDicomFile, aFhirBundle, aPdf, MOLECULAR_LINES, PATHOLOGY_LINES } from '../support/records.ts';
import { fitsWidth, overflowing, screenshotter, seriousA11yViolations, signIn, useBrowserApp } from './browser.ts';
import { aSlideFile } from '../support/slides.ts';

/**
 * Gathering records: a patient uploads a whole folder (reports, a FHIR export, a digital slide
 * and the contents of an imaging CD with its viewer program) and watches the checklist turn
 * complete; the coordinator checks what arrived and sends the case to review.
 */
const app = useBrowserApp({ JOBS_POLL_MS: '200' });
const shot = screenshotter('records');

async function aRecordsFolder(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'records-folder-'));
  const put = (rel: string, data: Buffer | string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), data);
  };
  put('reports/pathology.pdf', await aPdf(PATHOLOGY_LINES));
  put('reports/ct-report.pdf', await aPdf(['RADIOLOGY REPORT', 'CT of the chest with contrast.', 'TECHNIQUE: Axial images.', 'FINDINGS: Thyroid nodule 2 cm.', 'IMPRESSION: Stable. Radiologist: Dr. Synthetic.']));
  put('reports/molecular.pdf', await aPdf(MOLECULAR_LINES));
  put('export/labs.json', JSON.stringify(aFhirBundle()));
  // A real (small, synthetic) slide scan: one that cannot be read does not count as the slides asked for.
  put('slides/slide-1.svs', aSlideFile({ width: 1024, height: 768 }));
  put('CD/DICOMDIR', aDicomFile());
  for (let i = 1; i <= 3; i++) put(`CD/DICOM/IM00000${i}`, aDicomFile());
  put('CD/VIEWER.EXE', Buffer.from('MZ not a record'));
  return dir;
}

it('patient uploads a folder and the checklist turns complete; the coordinator sends the case to review and offers it to a matched expert, who accepts', async () => {
  const patient = await aPatient(app.t, 'Folder Person');
  const coordinator = await aStaff(app.t, 'coordinator', 'Rae Records');
  const caseId = await aCase(app.t, patient, { submit: true, intake: { condition: { description: 'Thyroid cancer', icd10Code: 'C73', newDiagnosis: true } } });
  await command(coordinator, caseId, 'startRecordCollection');

  const page = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signIn(page, app.t.baseUrl, patient, PASSWORD);
  await page.getByTestId('case-card').first().click();
  await page.getByRole('tab', { name: 'Records' }).click();
  await expect.poll(async () => page.getByTestId('checklist-state').textContent()).toMatch(/6 still to gather/);
  // What the patient can add and what the service requests are told apart.
  expect(await page.getByTestId('checklist-service').textContent()).toMatch(/We will request these from your doctors and hospitals/);
  await shot(page, 'before-upload');

  await page.locator('input[webkitdirectory]').first().setInputFiles(await aRecordsFolder());
  await page.getByTestId('doc-labs.json').waitFor({ timeout: 60_000 });
  await expect.poll(async () => page.getByTestId('checklist-state').textContent(), { timeout: 60_000 }).toBe('Complete');
  // Image files show as the study they form; the other files as documents.
  expect(await page.getByTestId('documents').locator('[data-testid^="doc-"]').count()).toBe(5);
  await expect.poll(() => page.getByTestId('images-on-file').textContent(), { timeout: 30_000 }).toMatch(/4 image files/);
  expect(await page.getByText('VIEWER.EXE').count()).toBe(0);
  await expect.poll(async () => page.getByTestId('doc-pathology.pdf').textContent(), { timeout: 30_000 }).toMatch(/Pathology report/);
  await page.getByTestId('labs').waitFor();
  await shot(page, 'checklist-complete');
  // On a phone the checklist and the documents stack: nothing is cut off or scrolls sideways.
  await page.setViewportSize({ width: 360, height: 800 });
  await page.getByTestId('item-pathology_report').getByText('On file').waitFor();
  await shot(page, 'records-on-a-phone');
  expect(await overflowing(page)).toEqual([]);
  expect(await fitsWidth(page)).toBe(true);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.close();

  const cp = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signIn(cp, app.t.baseUrl, coordinator, PASSWORD);
  await cp.getByRole('heading', { name: 'Case queue' }).waitFor();
  await cp.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await cp.getByRole('tab', { name: 'Records' }).click();
  await cp.getByTestId('doc-ct-report.pdf').waitFor();
  expect(await cp.getByRole('textbox', { name: 'Document type of ct-report.pdf' }).inputValue()).toBe('Radiology report');
  await shot(cp, 'coordinator-records');

  // Physical slides are tracked too, and a records request goes to the hospital.
  await cp.getByRole('button', { name: 'Track slides or blocks…' }).click();
  await cp.getByLabel('Label (accession and parts)').fill('S26-0001 A1-A4');
  await cp.getByLabel('How many').fill('4');
  await cp.getByLabel('From which facility').fill('Synthetic General Hospital');
  await cp.getByRole('button', { name: 'Start tracking' }).click();
  await cp.getByTestId('specimens').getByText('Requested').waitFor();
  await cp.getByRole('button', { name: 'Received…' }).click();
  await cp.getByLabel('How many arrived').fill('4');
  await cp.getByRole('textbox', { name: 'Condition' }).click();
  await cp.getByRole('option', { name: 'Intact' }).click();
  await cp.getByRole('button', { name: 'Save' }).click();
  await cp.getByTestId('specimens').getByText('Received', { exact: true }).waitFor();
  await cp.getByRole('button', { name: 'Write a records request…' }).click();
  await cp.getByLabel('Facility and department').fill('Synthetic General Hospital, Pathology');
  await cp.getByLabel('Address').fill('1 Example Way, Springfield');
  await cp.getByRole('button', { name: 'Prepare the letter' }).click();
  await cp.getByTestId('roi-requests').getByRole('link', { name: 'Letter (PDF)' }).waitFor();
  await shot(cp, 'slides-and-requests');
  await cp.getByRole('button', { name: 'Mark ready for review' }).click();
  await cp.getByText('Ready for review', { exact: true }).first().waitFor();
  await shot(cp, 'ready-for-review');

  // Matching: the pathologist with a thyroid focus is proposed for pathology, with the reasons.
  const pathologist = await aStaff(app.t, 'expert', 'Dr. Thyroid Slides');
  await pathologist.client.put('/api/experts/me/profile', {
    taxonomyCodes: ['207ZP0101X'], focusCodes: ['C73'], institution: { name: 'Synthetic University', academic: true, tumorBoards: true, trialsOpen: false },
    licensure: ['US-OH'], languages: ['en'], consultModes: ['records_review'], capacityMax: 5,
  });
  await cp.getByRole('tab', { name: 'Experts' }).click();
  await cp.getByTestId('role-pathology').getByText('Proposed: Dr. Thyroid Slides').waitFor();
  expect(await cp.getByTestId('role-pathology').textContent()).toContain('Focuses on C73, which covers C73.');
  expect(await cp.getByTestId('role-medical_oncology').textContent()).toContain('No eligible expert');
  await shot(cp, 'expert-matches');
  await cp.getByRole('button', { name: 'Offer to Dr. Thyroid Slides' }).click();
  await cp.getByTestId('offer').getByText('offered').waitFor();

  // The pathologist finds the offer in the inbox, accepts, and can open the case.
  const ep = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(ep, app.t.baseUrl, pathologist, PASSWORD);
  await ep.getByTestId('inbox-offer').waitFor();
  await shot(ep, 'expert-inbox');
  await ep.getByRole('button', { name: 'Accept' }).click();
  await ep.getByTestId('inbox-case').getByRole('link').click();
  await ep.getByText('Assigned to expert', { exact: true }).first().waitFor();
  await shot(ep, 'expert-case');
});
