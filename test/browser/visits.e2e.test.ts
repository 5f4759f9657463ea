import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { aCaseInReview, aPatient, aStaff, PASSWORD } from '../support/builders.ts';
import { FAKE_MEDIA, overflowing, screenshotter, seriousA11yViolations, signIn, useBrowserApp } from './browser.ts';

/**
 * A video visit in Chromium with its test camera and microphone, two pages at once: the patient
 * books a time on a phone, both join, the expert lets the patient in from the waiting room, each
 * page plays the other's video, and the expert ends the visit.
 */
const app = useBrowserApp({ JOBS_POLL_MS: '500' }, { browserArgs: FAKE_MEDIA });
const shot = screenshotter('visits');

/** Whether a page plays a remote video with frames in it. */
const playsRemoteVideo = (page: Page) => page.evaluate(() => {
  const v = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]');
  return !!v && !v.paused && v.videoWidth > 0 && v.readyState >= 2;
});

it('the patient books a visit, waits, is let in, and patient and expert see each other', async () => {
  const { t } = app;
  const patient = await aPatient(t, 'Robin Camera');
  const coordinator = await aStaff(t, 'coordinator', 'Cora Camera');
  const expert = await aStaff(t, 'expert', 'Dr. Vida Video');
  await t.db.query('INSERT INTO expert_profiles (user_id, taxonomy_codes, licensure) VALUES ($1, $2, $3)', [expert.id, ['207RX0202X'], ['US-OH']]);
  const caseId = await aCaseInReview(t, patient, coordinator, expert);

  // The expert sets weekly hours on their profile page.
  const doc = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(doc, t.baseUrl, expert, PASSWORD);
  await doc.waitForURL((u) => !u.pathname.startsWith('/login'));
  await doc.goto(`${t.baseUrl}/profile`);
  const hours = doc.getByTestId('visit-hours');
  await hours.getByLabel('Your time zone').fill('America/New_York');
  await doc.getByRole('option', { name: 'America/New_York', exact: true }).click();
  // Each new row starts on the next day with the hours of the one before: all day, every day.
  await hours.getByRole('button', { name: 'Add hours' }).click();
  await hours.getByLabel('From').first().fill('00:00');
  await hours.getByLabel('To').first().fill('23:59');
  for (let day = 2; day <= 7; day++) await hours.getByRole('button', { name: 'Add hours' }).click();
  expect(await hours.getByLabel('From').count()).toBe(7);
  await hours.getByRole('button', { name: 'Save the hours' }).click();
  await hours.getByText('Saved.').waitFor();
  await shot(doc, 'expert-sets-hours');

  // The patient books the first free time on a phone.
  const pat = await app.browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(pat, t.baseUrl, patient, PASSWORD);
  await pat.waitForURL((u) => !u.pathname.startsWith('/login'));
  await pat.goto(`${t.baseUrl}/cases/${caseId}?tab=visits`);
  await pat.getByRole('radio', { name: /Meet the expert before the opinion/ }).check();
  // Two days ahead, so it can still be moved here.
  await pat.getByTestId('visit-slots').locator(':scope > div').nth(2).getByRole('button').first().click();
  await pat.getByRole('button', { name: /^Book / }).click();
  await pat.getByTestId('visit-booked').waitFor();
  await shot(pat, 'patient-booked');
  expect(await overflowing(pat)).toEqual([]);
  expect(await seriousA11yViolations(pat)).toEqual([]);

  // The patient moves it to another free time, in one step.
  const card = pat.getByTestId('visit-card');
  const bookedTime = await card.locator('p').nth(1).textContent();
  await card.getByRole('button', { name: 'Move to another time' }).click();
  await card.getByTestId('visit-slots').locator(':scope > div').nth(3).getByRole('button').first().click();
  await card.getByRole('button', { name: /^Move it to / }).click();
  await pat.getByTestId('visit-moved').waitFor();
  await expect.poll(() => card.locator('p').nth(1).textContent()).not.toBe(bookedTime);
  await shot(pat, 'patient-moved');

  // The patient asked for a Spanish interpreter; the coordinator books one, who then sees the visit in their list.
  const interpreter = await aStaff(t, 'interpreter', 'Inés Interprete');
  await t.db.query(`UPDATE users SET interprets = '{es}' WHERE id = $1`, [interpreter.id]);
  await t.db.query(`UPDATE visits SET interpreter_language = 'es' WHERE case_id = $1`, [caseId]);
  const coord = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(coord, t.baseUrl, coordinator, PASSWORD);
  await coord.waitForURL((u) => !u.pathname.startsWith('/login'));
  await coord.goto(`${t.baseUrl}/cases/${caseId}?tab=visits`);
  const choice = coord.getByTestId('interpreter-choice');
  await choice.getByRole('textbox', { name: 'Interpreter' }).click();
  await coord.getByRole('option', { name: 'Inés Interprete' }).click();
  await choice.getByRole('button', { name: 'Book the interpreter' }).click();
  await coord.getByText('Interpreter for Spanish: Inés Interprete.').waitFor();
  await shot(coord, 'coordinator-books-interpreter');
  await coord.close();
  const interp = await app.browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(interp, t.baseUrl, interpreter, PASSWORD);
  await interp.waitForURL((u) => u.pathname === '/visits');
  await interp.getByTestId('my-visit').getByText('Meet the expert before the opinion').waitFor();
  await interp.getByTestId('my-visit').getByText('Expert: Dr. Vida Video').waitFor();
  await shot(interp, 'interpreter-visits');
  expect(await seriousA11yViolations(interp)).toEqual([]);
  expect(await overflowing(interp)).toEqual([]);
  await interp.close();

  // Time passes: the visit is about to start, and its room is open.
  const [visit] = await t.db.query<{ id: string }>(`UPDATE visits SET starts_at = now() + interval '5 minutes', ends_at = now() + interval '35 minutes' WHERE case_id = $1 RETURNING id`, [caseId]);
  await pat.reload();
  await pat.getByRole('link', { name: 'Join the visit' }).click();
  await pat.getByTestId('local-video').waitFor();
  await pat.getByRole('button', { name: 'Join now' }).click();
  await pat.getByTestId('waiting-room').waitFor();

  await doc.goto(`${t.baseUrl}/visits/${visit!.id}`);
  await doc.getByRole('button', { name: 'Join now' }).click();
  await doc.getByTestId('in-visit').waitFor();
  await shot(doc, 'expert-sees-waiting-room');
  await doc.getByRole('button', { name: 'Let Robin Camera in' }).click();
  await pat.getByTestId('in-visit').waitFor();
  await expect.poll(() => playsRemoteVideo(pat), { timeout: 30_000 }).toBe(true);
  await expect.poll(() => playsRemoteVideo(doc), { timeout: 30_000 }).toBe(true);
  await shot(pat, 'patient-in-visit');
  await shot(doc, 'expert-in-visit');
  for (const page of [pat, doc]) {
    expect(await overflowing(page)).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
  }
  const words = await pat.locator('main').innerText();
  expect(words).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|undefined|null|pre_opinion_consult/);

  // The expert shares the screen (a wide picture) instead of the camera (4:3), then stops.
  const remoteShape = () => pat.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]');
    return v && v.videoHeight ? v.videoWidth / v.videoHeight : 0;
  });
  expect(await remoteShape()).toBeCloseTo(4 / 3, 1);
  await doc.getByRole('button', { name: 'Share my screen' }).click();
  await expect.poll(remoteShape, { timeout: 20_000 }).toBeGreaterThan(1.6);
  await shot(pat, 'patient-sees-shared-screen');
  await doc.getByRole('button', { name: 'Stop sharing my screen' }).click();
  await expect.poll(remoteShape, { timeout: 20_000 }).toBeLessThan(1.45);

  // The patient opens the visit again on a laptop: that window takes over, the phone's says so, and the expert sees the new one.
  const remoteStreamOf = (page: Page) => page.evaluate(() => (document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]')?.srcObject as MediaStream | null)?.id ?? null);
  const phoneStream = await remoteStreamOf(doc);
  const pat2 = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(pat2, t.baseUrl, patient, PASSWORD);
  await pat2.waitForURL((u) => !u.pathname.startsWith('/login'));
  await pat2.goto(`${t.baseUrl}/visits/${visit!.id}`);
  await pat2.getByTestId('local-video').waitFor();
  await pat2.getByRole('button', { name: 'Join now' }).click();
  await pat2.getByTestId('in-visit').waitFor();
  await pat.getByTestId('visit-replaced').waitFor();
  await expect.poll(() => playsRemoteVideo(pat2), { timeout: 30_000 }).toBe(true);
  await expect.poll(async () => (await remoteStreamOf(doc)) !== phoneStream && (await playsRemoteVideo(doc)), { timeout: 30_000 }).toBe(true);
  await shot(pat, 'patient-phone-replaced');
  await pat2.close();

  // The expert writes the visit note; before the opinion is issued it is a private review note.
  await doc.getByTestId('visit-note').getByLabel('What was discussed').fill('We talked through the tests still needed before surgery.');
  await doc.getByRole('button', { name: 'Save the note' }).click();
  await doc.getByText('The note was saved.').waitFor();
  const notes = await expert.client.get(`/api/cases/${caseId}/opinion`);
  expect(JSON.stringify(notes.body.notes)).toContain('We talked through the tests still needed before surgery.');
  await doc.getByRole('button', { name: 'End the visit for everyone' }).click();
  await doc.getByTestId('visit-ended').waitFor();
  const timeline = await patient.client.get(`/api/cases/${caseId}/timeline`);
  expect(JSON.stringify(timeline.body)).toContain('A video visit took place');
  for (const page of [pat, doc]) await page.close();
}, 180_000);
