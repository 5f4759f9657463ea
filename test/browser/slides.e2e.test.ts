import { expect, it } from 'vitest';
import { aCaseInReview, aPatient, aStaff, PASSWORD } from '../support/builders.ts';
import { tusUpload } from '../support/records.ts';
import { aSlideFile } from '../support/slides.ts';
import { screenshotter, seriousA11yViolations, signIn, useBrowserApp } from './browser.ts';

/**
 * A pathologist reviews a biopsy slide remotely: the uploaded whole-slide image shows under the
 * request's images once its tiles are made, opens in the slide viewer, zooms to full resolution
 * with a scale bar in µm; the patient sees the same slide listed on a phone.
 */
const app = useBrowserApp({ JOBS_POLL_MS: '200' });
const shot = screenshotter('slides');

it('a pathologist opens an uploaded slide, zooms to full resolution and reads the scale; the patient sees it listed without its file name', async () => {
  const patient = await aPatient(app.t, 'Robin Testperson');
  const coordinator = await aStaff(app.t, 'coordinator', 'Cora Coordinator');
  const pathologist = await aStaff(app.t, 'expert', 'Pat Pathologist');
  const caseId = await aCaseInReview(app.t, patient, coordinator, pathologist, { role: 'pathologist' });
  const up = await tusUpload(patient.client, caseId, 'biopsy-A1.svs', aSlideFile({ width: 4096, height: 3072, micronsPerPixel: 0.25 }));
  expect(up.status).toBe(200);

  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => console.log('PAGEERROR', e.message.slice(0, 300)));
  await signIn(page, app.t.baseUrl, pathologist, PASSWORD);
  await page.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await page.getByRole('tab', { name: 'Imaging' }).click();
  await page.getByRole('heading', { name: 'Digital slides' }).waitFor({ timeout: 30_000 });
  // Listed at once; ready once the background job has made the tiles (the list looks again by itself).
  await page.getByText('Ready to view').waitFor({ timeout: 60_000 });
  await expect.poll(() => page.locator('img[alt^="Overview of slide"]').evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  // Staff read the slide's file name, to reconcile it with the records.
  expect(await page.getByTestId('slide-card').textContent()).toMatch(/biopsy-A1\.svs.*4,096 × 3,072 pixels · 0\.250 µm per pixel/);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'slides-listed');

  await page.getByRole('link', { name: 'View slide', exact: true }).click();
  await page.getByRole('heading', { name: 'biopsy-A1.svs' }).waitFor();
  const scale = page.getByTestId('scale-bar');
  await scale.waitFor({ timeout: 30_000 });
  const wholeMicrons = Number(await scale.getAttribute('data-microns'));
  expect(wholeMicrons).toBeGreaterThan(50);
  await shot(page, 'slide-whole');

  // Full resolution: one image pixel per screen pixel, so 150 px of bar are at most 37.5 µm.
  await page.getByRole('button', { name: 'Full resolution' }).click();
  await expect.poll(async () => Number(await scale.getAttribute('data-microns')), { timeout: 10_000 }).toBe(20);
  expect(await scale.textContent()).toBe('20 µm');
  // Panning at full resolution fetches tiles of the top level, which the server serves.
  const tiles: string[] = [];
  page.on('response', (r) => { if (/\/tiles\/12\//.test(r.url())) tiles.push(`${r.status()}`); });
  const viewer = page.getByTestId('slide-viewer');
  const box = (await viewer.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 300, box.y + box.height / 2 - 200, { steps: 8 });
  await page.mouse.up();
  await expect.poll(() => tiles.length, { timeout: 10_000 }).toBeGreaterThan(0);
  expect(tiles.every((s) => s === '200')).toBe(true);
  await shot(page, 'slide-full-resolution');

  // A length between two clicks, saved in µm from the slide's scale, drawn on the slide and listed
  // with a reference to cite in the opinion.
  await page.getByRole('button', { name: 'Measure a length' }).click();
  await page.getByLabel('Note').fill('Depth of invasion');
  await page.mouse.click(box.x + 200, box.y + 200);
  await page.getByText('Now tap or click the second point (Esc to start again).').waitFor();
  await page.mouse.click(box.x + 200 + 300, box.y + 200 + 400);
  const list = page.getByTestId('slide-measurements');
  await list.waitFor({ timeout: 10_000 });
  // 500 screen px at full resolution (1 image px each) × 0.25 µm = 125 µm.
  const [saved] = (await pathologist.client.get(`/api/cases/${caseId}/slides/${up.body.document.id}/annotations`)).body;
  expect(saved).toMatchObject({ number: 1, note: 'Depth of invasion', unit: 'µm' });
  expect(saved.value).toBeGreaterThan(120);
  expect(saved.value).toBeLessThan(130);
  await expect.poll(() => list.textContent()).toMatch(/^112\d µmDepth of invasionPat Pathologist/);
  await expect.poll(() => page.getByTestId('slide-measurements-overlay').textContent()).toMatch(/^1: 12\d µm$/);
  const cite = page.getByRole('button', { name: 'Copy reference' });
  expect(await cite.getAttribute('title')).toBe('see annotation 1 on slide biopsy-A1.svs');
  await cite.click();
  await page.getByRole('button', { name: 'Copied' }).waitFor();
  await page.getByRole('button', { name: 'Stop measuring' }).click();
  await page.getByRole('button', { name: 'Rotate right' }).click();
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'slide-measured');
  // Opening the slide is audited once, however many tiles were shown.
  const [opened] = await app.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'pathology.slide.open' AND case_id = $1`, [caseId]);
  expect(opened!.n).toBe(1);
  await page.close();

  const phone = await app.browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(phone, app.t.baseUrl, patient, PASSWORD);
  await phone.waitForURL((u) => !u.pathname.startsWith('/login'));
  await phone.goto(`${app.t.baseUrl}/cases/${caseId}`);
  await phone.getByRole('tab', { name: 'Imaging' }).click();
  await phone.getByText('Ready to view').waitFor({ timeout: 30_000 });
  expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  // The patient's side sees the slide by its place in the list, not its file name, pixel counts and scale.
  const card = await phone.getByTestId('slide-card').textContent();
  expect(card).toMatch(/^Slide 1Ready to view/);
  expect(card).not.toMatch(/biopsy-A1|\.svs|pixels|µm/);
  await phone.getByRole('link', { name: 'View slide 1', exact: true }).waitFor();
  await shot(phone, 'patient-phone-slides');
  await phone.getByRole('link', { name: 'View slide', exact: true }).click();
  await phone.getByTestId('scale-bar').waitFor({ timeout: 30_000 });
  // The viewer calls it as the list does.
  await phone.getByRole('heading', { name: 'Slide 1', exact: true }).waitFor();
  expect(await phone.locator('main').textContent()).not.toMatch(/biopsy-A1|\.svs/);
  // Before the opinion is delivered the patient sees no measurements (work in progress), and no way to make one.
  await phone.getByText('Any measurements the doctors make on this slide are shown here once your opinion is ready.').waitFor();
  expect(await phone.getByRole('button', { name: 'Measure a length' }).count()).toBe(0);
  expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await shot(phone, 'patient-phone-viewer');
  await phone.getByRole('link', { name: 'Back to the request' }).click();
  await phone.getByText('Ready to view').waitFor();
  await phone.close();
});

it('a pathologist names block and stain, sees the label photo, compares two slides side by side, and marks them reviewed in the opinion', async () => {
  const patient = await aPatient(app.t, 'Sam Testperson');
  const coordinator = await aStaff(app.t, 'coordinator', 'Cleo Coordinator');
  const pathologist = await aStaff(app.t, 'expert', 'Paz Pathologist');
  const caseId = await aCaseInReview(app.t, patient, coordinator, pathologist, { role: 'pathologist' });
  const he = await tusUpload(coordinator.client, caseId, 'scan-0042.svs', aSlideFile({ aperioLabel: 'A3 H&E' }));
  const ihc = await tusUpload(coordinator.client, caseId, 'scan-0043.svs', aSlideFile());
  expect([he.status, ihc.status]).toEqual([200, 200]);
  const glass = await coordinator.client.post(`/api/cases/${caseId}/specimens`, { kind: 'slides', label: 'Biopsy A', expectedCount: 3, sourceFacility: 'Riverside Pathology Lab' });
  expect(glass.status).toBe(201);

  const page = await app.browser.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(page, app.t.baseUrl, pathologist, PASSWORD);
  await page.goto(`${app.t.baseUrl}/cases/${caseId}?tab=imaging`);
  await expect.poll(() => page.getByText('Ready to view').count(), { timeout: 60_000 }).toBe(2);
  // The label photo of the Aperio file, beside its overview.
  await expect.poll(() => page.getByTestId('slide-label').evaluate((i) => (i as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBe(400);
  const describe = async (file: string, block: string, stain: string) => {
    const card = page.getByTestId('slide-card').filter({ hasText: file });
    await card.getByRole('button', { name: 'Block and stain…' }).click();
    await card.getByLabel('Part and block').fill(block);
    await card.getByLabel('Stain').fill(stain);
    await card.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`${block} · ${stain} (${file})`).waitFor();
  };
  await describe('scan-0042.svs', 'A3', 'H&E');
  await describe('scan-0043.svs', 'A3', 'PD-L1');
  await page.getByRole('heading', { name: 'Block A3' }).waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'slides-by-block');

  await page.getByRole('link', { name: 'View slide A3 · H&E (scan-0042.svs)' }).click();
  await page.getByRole('heading', { name: 'A3 · H&E (scan-0042.svs)' }).waitFor();
  await page.getByRole('button', { name: 'Show the label and overview photos' }).click();
  await expect.poll(() => page.getByTestId('slide-photos').locator('img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth)), { timeout: 10_000 }).toEqual([400, 400]);

  // Side by side, linked: full resolution on the first brings the second there too.
  const secondTiles: string[] = [];
  page.on('response', (r) => { if (r.url().includes(`/slides/${ihc.body.document.id}/tiles/11/`)) secondTiles.push(`${r.status()}`); });
  await page.getByRole('textbox', { name: 'Compare with' }).click();
  await page.getByRole('option', { name: 'A3 · PD-L1 (scan-0043.svs)' }).click();
  await page.getByTestId('slide-viewer-second').waitFor();
  await page.getByTestId('scale-bar').waitFor({ timeout: 30_000 });
  await page.waitForTimeout(500);
  await page.getByRole('button', { name: 'Full resolution' }).click();
  await expect.poll(() => secondTiles.length, { timeout: 15_000 }).toBeGreaterThan(0);
  expect(secondTiles.every((s) => s === '200')).toBe(true);
  expect(new URL(page.url()).searchParams.get('with')).toBe(ihc.body.document.id);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'slides-side-by-side');

  // An outlined area (µm² from the slide's scale) and an arrow with what it points at, drawn on the first slide.
  const box = (await page.getByTestId('slide-viewer').boundingBox())!;
  await page.getByRole('button', { name: 'Outline an area' }).click();
  await page.getByLabel('Note').fill('Tumour bed');
  for (const [dx, dy] of [[60, 60], [260, 60], [260, 210], [60, 210]] as const) await page.mouse.click(box.x + dx, box.y + dy);
  await page.getByRole('button', { name: 'Finish the outline' }).click();
  await page.getByRole('button', { name: 'Stop measuring' }).click();
  await page.getByRole('button', { name: 'Point an arrow' }).click();
  await page.getByText('First type what the arrow points at.').waitFor();
  await page.getByLabel('Note').fill('Mitotic figure');
  await page.mouse.click(box.x + 300, box.y + 300);
  await page.mouse.click(box.x + 360, box.y + 250);
  const annotationsUrl = `/api/cases/${caseId}/slides/${he.body.document.id}/annotations`;
  await expect.poll(async () => (await pathologist.client.get(annotationsUrl)).body.map((a: { kind: string; note: string }) => [a.kind, a.note]), { timeout: 10_000 })
    .toEqual([['area', 'Tumour bed'], ['arrow', 'Mitotic figure']]);
  // 200 × 150 screen px at about full resolution × 0.25² µm² per pixel ≈ 1,875 µm² (the viewer
  // settles a little short of one image pixel per screen pixel, as the length test above shows).
  const [outlined] = (await pathologist.client.get(annotationsUrl)).body;
  expect(outlined.value).toBeGreaterThan(1500);
  expect(outlined.value).toBeLessThan(2050);
  await expect.poll(() => page.getByTestId('slide-measurements').textContent()).toMatch(/µm²Tumour bed.*ArrowMitotic figure/);
  await page.getByRole('button', { name: 'Stop measuring' }).click();
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'slide-area-and-arrow');

  // On a phone the two slides sit one above the other.
  const phone = await app.browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(phone, app.t.baseUrl, pathologist, PASSWORD);
  await phone.waitForURL((u) => !u.pathname.startsWith('/login'));
  await phone.goto(page.url());
  await phone.getByTestId('slide-viewer-second').waitFor({ timeout: 30_000 });
  await phone.getByTestId('scale-bar').waitFor({ timeout: 30_000 });
  expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await shot(phone, 'slides-side-by-side-phone');
  await phone.close();

  // The opinion's "slides reviewed": the H&E, which the report names by block and stain (not its file), and the digital slides were enough.
  await page.goto(`${app.t.baseUrl}/cases/${caseId}?tab=opinion`);
  await page.getByRole('button', { name: /Slides reviewed \(digital and glass\)/ }).click();
  const section = page.getByTestId('slides-reviewed');
  await section.getByRole('checkbox', { name: 'A3 · H&E (scan-0042.svs)' }).check();
  await section.getByRole('checkbox', { name: /^Annotation 1: .* µm² — Tumour bed$/ }).check();
  await section.getByRole('radio', { name: /Yes: the glass slides are not needed \(signing calls off the request still open\)/ }).check();
  await expect.poll(async () => (await pathologist.client.get(`/api/cases/${caseId}/opinion`)).body.myPart?.content.slidesReviewed, { timeout: 10_000 })
    .toMatchObject({ digital: [{ slideId: he.body.document.id, name: 'A3 · H&E', annotations: [{ number: 1, text: expect.stringMatching(/^1,[5-9]\d\d(\.\d)? µm² — Tumour bed$/) }] }], glass: [], digitalSufficed: 'yes' });
  await expect.poll(() => page.getByTestId('signing-gaps').textContent()).not.toMatch(/Slides reviewed/);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'opinion-slides-reviewed');
  await page.close();
});
