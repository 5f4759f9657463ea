import { expect, it } from 'vitest';
import { aCase, aPatient, aStaff, PASSWORD } from '../support/builders.ts';
import { aCtSeries, aJpegBaselineInstance, aUid, stowBody } from '../support/dicom.ts';
import { screenshotter, seriousA11yViolations, signIn, useBrowserApp } from './browser.ts';

/**
 * A reviewer reads a CT: the case's studies with thumbnails, a series opened in the viewer
 * (time to first image measured), scrolling, the lung preset, a length measurement saved with
 * the case, and the prior study side by side with linked scrolling.
 */
const app = useBrowserApp({ JOBS_POLL_MS: '200' });
const shot = screenshotter('imaging');

it('coordinator opens a CT series, scrolls, changes the preset, measures, and compares with the prior; the patient sees the studies without accession numbers', async () => {
  const patient = await aPatient(app.t, 'Robin Testperson');
  const coordinator = await aStaff(app.t, 'coordinator', 'Iris Imaging');
  const caseId = await aCase(app.t, patient, { submit: true });
  const current = aCtSeries(40, { rows: 256, columns: 256, studyDate: '20260301', studyDescription: 'CT CHEST WITH CONTRAST', seriesDescription: 'Axial 1.25mm', accession: 'RAD20260301' });
  const prior = aCtSeries(30, { rows: 256, columns: 256, studyDate: '20250901', studyDescription: 'CT CHEST PRIOR', seriesDescription: 'Axial 1.25mm' });
  for (const s of [current, prior]) {
    const { body, contentType } = stowBody(s.files);
    const res = await fetch(`${app.t.baseUrl}/dicomweb/cases/${caseId}/studies`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType, cookie: patient.client.cookieHeader } });
    expect(res.status).toBe(200);
  }

  const page = await app.browser.newPage({ viewport: { width: 1400, height: 1100 } });
  page.on('pageerror', (e) => console.log('PAGEERROR', e.message.slice(0, 300)));
  await signIn(page, app.t.baseUrl, coordinator, PASSWORD);
  await page.getByRole('heading', { name: 'Case queue' }).waitFor();
  await page.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await page.getByRole('tab', { name: 'Imaging' }).click();
  await page.getByRole('heading', { name: 'CT CHEST WITH CONTRAST' }).waitFor();
  await expect.poll(() => page.locator('img[alt*="thumbnail"]').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0))).toBe(true);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'studies-with-thumbnails');
  // Staff read the hospital's accession number, to reconcile the study with the records.
  await page.getByText(/2026 · 1 series · accession RAD20260301$/).waitFor();

  // The patient's side knows a study by its date, description and series: no accession number.
  const mine = await app.browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(mine, app.t.baseUrl, patient, PASSWORD);
  await mine.waitForURL((u) => !u.pathname.startsWith('/login'));
  await mine.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await mine.getByRole('tab', { name: 'Imaging' }).click();
  await mine.getByRole('heading', { name: 'CT CHEST WITH CONTRAST' }).waitFor();
  await mine.getByText(/^Mar 1, 2026 · 1 series$/).waitFor();
  expect(await mine.getByRole('tabpanel').textContent()).not.toMatch(/accession|RAD20260301|ACC0001/i);
  await mine.close();

  // Open the current series; the viewer reports how long the first image took.
  const clickedAt = Date.now();
  await page.getByRole('link', { name: 'Open series Axial 1.25mm' }).first().click();
  const slice = page.getByTestId('slice-main');
  await expect.poll(() => slice.textContent(), { timeout: 60_000 }).toMatch(/Image 21 of 40/);
  await expect.poll(() => page.getByTestId('first-image-ms').getAttribute('data-ms'), { timeout: 60_000 }).toMatch(/^\d+$/);
  const firstImageMs = Number(await page.getByTestId('first-image-ms').getAttribute('data-ms'));
  console.log(`viewer: first image ${firstImageMs} ms after the viewer opened, ${Date.now() - clickedAt} ms after the click (including this test's polling)`);
  expect(firstImageMs).toBeGreaterThan(0);
  await shot(page, 'series-open');

  const viewport = page.getByTestId('viewport-main');
  const box = (await viewport.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 120);
  await expect.poll(() => slice.textContent()).not.toMatch(/Image 21 of 40/);
  await page.keyboard.press('ArrowDown');
  const before = await viewport.screenshot();
  await page.getByRole('button', { name: 'Lung' }).click();
  await expect.poll(async () => (await viewport.screenshot()).equals(before)).toBe(false);
  await shot(page, 'lung-preset');

  // A length measurement, drawn with the mouse, is saved with the case.
  await page.keyboard.press('l');
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 10 });
  await page.mouse.up();
  await page.getByTestId('measurements').waitFor({ timeout: 30_000 });
  await expect.poll(() => page.getByTestId('measurements').textContent()).toMatch(/length\d+\.\d mm/);
  const saved = await coordinator.client.get(`/api/cases/${caseId}/imaging/measurements`);
  expect(saved.body).toHaveLength(1);
  expect(saved.body[0]).toMatchObject({ kind: 'length', unit: 'mm', studyUid: current.studyUid });
  // The saved value is the one the viewer draws beside the line.
  const drawn = async () => Number(/([\d.]+) mm/.exec((await viewport.locator('svg text').allTextContents()).join(' '))?.[1] ?? NaN);
  await expect.poll(async () => Math.abs(saved.body[0].value - (await drawn())), { timeout: 10_000 }).toBeLessThan(0.2);
  expect(saved.body[0].value).toBeGreaterThan(10);
  await shot(page, 'length-measured');
  // A saved measurement takes the reader back to its image.
  const measuredOn = await slice.textContent();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  await expect.poll(() => slice.textContent()).not.toBe(measuredOn);
  await page.getByRole('button', { name: 'Go to image' }).click();
  await expect.poll(() => slice.textContent()).toBe(measuredOn);
  // Opened again, the viewer draws the saved measurement where it was made, once.
  await page.reload();
  await expect.poll(() => slice.textContent(), { timeout: 60_000 }).toMatch(/of 40/);
  await page.getByRole('button', { name: 'Go to image' }).click();
  await expect.poll(() => slice.textContent()).toBe(measuredOn);
  await expect.poll(async () => (await viewport.locator('svg text').allTextContents()).filter((t) => / mm$/.test(t)).length, { timeout: 15_000 }).toBe(1);
  expect(Math.abs(saved.body[0].value - (await drawn()))).toBeLessThan(0.2);

  // Prior and current side by side; scrolling one scrolls the other.
  await page.goto(`${app.t.baseUrl}/cases/${caseId}/viewer?series=${current.studyUid}:${current.seriesUid}&compare=${prior.studyUid}:${prior.seriesUid}`);
  const compared = page.getByTestId('slice-compare');
  await expect.poll(() => compared.textContent(), { timeout: 60_000 }).toMatch(/of 30/);
  await expect.poll(() => slice.textContent(), { timeout: 60_000 }).toMatch(/of 40/);
  const priorBefore = await compared.textContent();
  for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowDown');
  await expect.poll(() => compared.textContent()).not.toBe(priorBefore);
  await shot(page, 'prior-and-current-linked');

  // A compressed series (JPEG baseline) is decoded by the viewer's WebAssembly codecs.
  const jpegStudy = aUid();
  const jpegSeries = aUid();
  const { body, contentType } = stowBody([1, 2, 3].map((n) => aJpegBaselineInstance({ studyUid: jpegStudy, seriesUid: jpegSeries, instanceNumber: n, rows: 128, columns: 128, seriesDescription: 'JPEG series' })));
  expect((await fetch(`${app.t.baseUrl}/dicomweb/cases/${caseId}/studies`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType, cookie: patient.client.cookieHeader } })).status).toBe(200);
  await page.goto(`${app.t.baseUrl}/cases/${caseId}/viewer?series=${jpegStudy}:${jpegSeries}`);
  await expect.poll(() => page.getByTestId('first-image-ms').getAttribute('data-ms'), { timeout: 60_000 }).toMatch(/^\d+$/);
  const pixels = await page.getByTestId('viewport-main').screenshot();
  expect(pixels.length).toBeGreaterThan(5000); // not a blank canvas
  await shot(page, 'jpeg-series-decoded');
  await page.close();
});
