import { expect, it } from 'vitest';
import { aCase, aPatient, aStaff, command, issueOpinion, PASSWORD, waiveOutstanding } from '../support/builders.ts';
import { aCtSeries, stowBody } from '../support/dicom.ts';
import { aPdf, PATHOLOGY_LINES, tusUpload } from '../support/records.ts';
import { overflowing, screenshotter, seriousA11yViolations, signIn, useBrowserApp } from './browser.ts';

/**
 * The tumor board in Chromium, with two pages at once: the coordinator confirms the board the
 * rules propose; the chair presents the case on a laptop while a radiologist follows on a phone
 * (the case, the record's page, the CT slice); the chair confirms the minutes; the patient reads
 * the board's recommendation on their case.
 */
const app = useBrowserApp({ JOBS_POLL_MS: '200' });
const shot = screenshotter('boards');

const until = async (what: () => Promise<boolean>, label: string, ms = 20_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${label}`);
};

it('the chair presents, a member follows live on a phone, the minutes are confirmed, the patient reads the recommendation', async () => {
  const { t } = app;
  const patient = await aPatient(t, 'Robin Boardwalk');
  const coordinator = await aStaff(t, 'coordinator', 'Cora Boardwalk');
  const chair = await aStaff(t, 'board_chair', 'Dr. Bea Presenter');
  const oncologist = await aStaff(t, 'expert', 'Dr. Onco Walk');
  const radiologist = await aStaff(t, 'expert', 'Dr. Rae Follower');
  await t.db.query('INSERT INTO expert_profiles (user_id, taxonomy_codes) VALUES ($1, $2), ($3, $4)', [oncologist.id, ['207RX0202X'], radiologist.id, ['2085R0202X']]);
  const caseId = await aCase(t, patient, { submit: true, intake: { plan: { proposedPlan: 'Chemotherapy and radiotherapy, then right upper lobectomy', surgeryProposed: true, surgeryDescription: 'Right upper lobectomy', treatmentStartsSoon: false, rapidWorsening: false } } });
  await command(coordinator, caseId, 'startRecordCollection');
  // A two-page pathology report and a CT: what the board will look at.
  expect((await tusUpload(coordinator.client, caseId, 'pathology.pdf', await aPdf(PATHOLOGY_LINES, { blankPages: 1 }))).status).toBe(200);
  const ct = aCtSeries(12);
  const stow = stowBody(ct.files);
  const stored = await fetch(`${t.baseUrl}/dicomweb/cases/${caseId}/studies`, { method: 'POST', headers: { cookie: coordinator.client.cookieHeader, 'content-type': stow.contentType }, body: new Uint8Array(stow.body) });
  expect(stored.status).toBe(200);
  await until(async () => (await coordinator.client.get(`/api/cases/${caseId}/documents`)).body.items?.every((d: { status: string }) => d.status !== 'processing') ?? false, 'records to be read');
  await waiveOutstanding(coordinator, caseId);
  await command(coordinator, caseId, 'markReadyForReview');
  const offer = await coordinator.client.post(`/api/cases/${caseId}/offers`, { expertId: oncologist.id, role: 'medical_oncology' });
  expect((await oncologist.client.post(`/api/offers/${offer.body.id}/accept`)).status).toBe(200);
  await command(oncologist, caseId, 'startReview');
  const reference: string = (await coordinator.client.get(`/api/cases/${caseId}`)).body.reference;
  // The oncologist measured on the tenth image of the CT.
  const instances = await (await fetch(`${t.baseUrl}/dicomweb/studies/${ct.studyUid}/series/${ct.seriesUid}/instances`, { headers: { cookie: oncologist.client.cookieHeader, accept: 'application/dicom+json' } })).json() as Record<string, { Value?: unknown[] }>[];
  const tenth = String(instances.find((i) => Number(i['00200013']?.Value?.[0]) === 10)!['00080018']!.Value![0]);
  expect((await oncologist.client.post(`/api/cases/${caseId}/imaging/measurements`, { studyUid: ct.studyUid, seriesUid: ct.seriesUid, sopInstanceUid: tenth, kind: 'length', points: [[0, 0, 0], [21, 0, 0]], value: 21, unit: 'mm' })).status).toBe(201);

  // The coordinator sees why a board is proposed, with the sources, and confirms it.
  const coord = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(coord, t.baseUrl, coordinator, PASSWORD);
  await coord.goto(`${t.baseUrl}/cases/${caseId}?tab=board`);
  await coord.getByTestId('board-reasons').getByText(/combines surgery, radiation and drug therapy/).waitFor();
  await coord.getByText(/Source: Commission on Cancer/).first().waitFor();
  await shot(coord, 'coordinator-proposal');
  await coord.getByRole('button', { name: 'Confirm for this board' }).click();
  await coord.getByTestId('board-status').getByText('Confirmed for the thoracic tumor board.').waitFor();
  await coord.close();

  // The chair schedules a session starting soon (so joining counts as attending), builds the agenda and invites.
  const soon = new Date(Date.now() + 10 * 60_000);
  const local = soon.toISOString().slice(0, 16);
  const session = await chair.client.post('/api/boards/sessions', { boardType: 'thoracic', startsAtLocal: local, timeZone: 'UTC', durationMinutes: 60 });
  const sessionId: string = session.body[0].id;
  const chairPage = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(chairPage, t.baseUrl, chair, PASSWORD);
  await chairPage.getByRole('heading', { name: 'Tumor boards' }).waitFor();
  const waiting = chairPage.getByTestId('waiting-cases');
  await waiting.getByText(reference).waitFor();
  await waiting.getByLabel(`Session for ${reference}`).click();
  await chairPage.getByRole('listbox').getByRole('option').first().click();
  await waiting.getByRole('button', { name: 'Add' }).click();
  await chairPage.getByTestId('sessions').getByText('1 case').waitFor();
  await shot(chairPage, 'chair-sessions');
  await chairPage.getByTestId('sessions').getByRole('link').first().click();
  await chairPage.getByRole('button', { name: 'Invite the case reviewers' }).click();
  await chairPage.getByTestId('members').getByText('Dr. Onco Walk').waitFor();
  await chairPage.getByLabel('Find in the directory').fill('Rae');
  await chairPage.getByRole('textbox', { name: 'Expert' }).click();
  await chairPage.getByRole('option', { name: /Dr\. Rae Follower/ }).click();
  await chairPage.getByRole('button', { name: /^Invite \(mail/ }).click();
  await chairPage.getByTestId('members').getByText('Dr. Rae Follower').waitFor();
  await chairPage.getByTestId('room-status').getByText('Connected').waitFor();
  // The chair gives the session more time under a clearer title; members get the calendar update.
  await chairPage.getByRole('button', { name: 'Change date or time…' }).click();
  await chairPage.getByRole('dialog').getByRole('textbox', { name: 'Title' }).fill('Thoracic board, long session');
  await chairPage.getByRole('dialog').getByRole('textbox', { name: 'Length in minutes' }).fill('90');
  await shot(chairPage, 'chair-changes-session');
  await chairPage.getByRole('button', { name: 'Save the change' }).click();
  await chairPage.getByRole('heading', { name: 'Thoracic board, long session' }).waitFor();
  const [update] = await t.db.query<{ subject: string }>(`SELECT subject FROM mail_outbox WHERE to_address = $1 AND kind = 'board.update'`, [radiologist.email]);
  expect(update!.subject).toMatch(/^Moved: Thoracic tumor board, now /);

  // The radiologist joins on a phone and follows.
  const member = await app.browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(member, t.baseUrl, radiologist, PASSWORD);
  await member.waitForURL((u) => !u.pathname.startsWith('/login'));
  await member.goto(`${t.baseUrl}/boards/${sessionId}`);
  await member.getByTestId('room-status').getByText('Connected').waitFor();
  await member.getByText('The presenter has not opened a case yet.').waitFor();

  // The chair opens the case: the member's page follows to its one-page summary.
  await chairPage.getByTestId('agenda').getByRole('button', { name: `1. ${reference}` }).click();
  await chairPage.getByTestId('case-summary').waitFor();
  await member.locator(`[data-testid="stage"][data-case="${reference}"]`).waitFor();
  await member.getByTestId('case-summary').getByText(/Patient’s question: Is surgery the best option for me\?/).waitFor();
  await shot(chairPage, 'chair-presents-summary');
  await shot(member, 'member-follows-summary');

  // A record, turned to its second page.
  await chairPage.getByText('Records', { exact: true }).click();
  await chairPage.getByRole('textbox', { name: 'Record' }).click();
  await chairPage.getByRole('option', { name: 'pathology.pdf' }).click();
  await chairPage.getByRole('button', { name: 'Next page' }).click();
  await chairPage.getByTestId('doc-page').getByText('Page 2').waitFor();
  const frame = member.getByTestId('shared-document');
  await until(async () => ((await frame.getAttribute('src')) ?? '').endsWith('#page=2'), 'the member’s record to turn to page 2');
  await shot(member, 'member-follows-record');

  // The CT: the chair scrolls, the member's viewer shows the same slice.
  await chairPage.getByText('Images', { exact: true }).click();
  await chairPage.getByRole('textbox', { name: 'Study' }).click();
  await chairPage.getByRole('listbox').getByRole('option').first().click();
  const chairSlice = chairPage.getByTestId('shared-slice');
  await chairSlice.getByText(/Image \d+ of 12/).waitFor({ timeout: 30_000 });
  const box = (await chairPage.getByTestId('shared-viewport').boundingBox())!;
  await chairPage.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 3; i++) {
    await chairPage.mouse.wheel(0, 120);
    await chairPage.waitForTimeout(150);
  }
  const memberSlice = member.getByTestId('shared-slice');
  await until(async () => {
    const [a, b] = [await chairSlice.getAttribute('data-index'), await memberSlice.getAttribute('data-index')];
    return a !== null && a !== String(Math.floor(12 / 2)) && a === b;
  }, 'the member’s viewer to show the chair’s slice').catch(async (e) => {
    await shot(chairPage, 'FAILED-chair-ct');
    await shot(member, 'FAILED-member-ct');
    throw new Error(`${(e as Error).message}: chair ${await chairSlice.getAttribute('data-index')}, member ${await memberSlice.getAttribute('data-index')}`);
  });
  await shot(chairPage, 'chair-scrolls-ct');
  await shot(member, 'member-follows-ct');
  // The chair shows the image the oncologist measured on: the member's viewer goes there too.
  await chairPage.getByRole('button', { name: 'Show this image' }).click();
  await until(async () => (await chairSlice.getAttribute('data-index')) === '9' && (await memberSlice.getAttribute('data-index')) === '9', 'both viewers on the measured image');
  await member.getByText(/Length 21\.0 mm \(Dr\. Onco Walk\)/).waitFor();
  // The measurement is drawn on the image on every screen, with its length beside it.
  for (const p of [chairPage, member]) {
    await expect.poll(async () => (await p.getByTestId('shared-viewport').locator('svg text').allTextContents()).join(' '), { timeout: 15_000 }).toMatch(/\b21(\.0+)? mm/);
  }
  await shot(member, 'member-sees-measurement');

  // A private look, then back to the shared view.
  await member.getByText('Summary', { exact: true }).click();
  await member.getByText('You are looking on your own.').waitFor();
  await member.getByLabel('Follow the presenter').check({ force: true });
  await member.getByText('Following the presenter.').waitFor();
  await member.getByTestId('shared-viewport').waitFor();

  // The minutes, written and confirmed by the chair; the member sees them confirmed.
  await chairPage.getByText('Minutes', { exact: true }).click();
  await chairPage.getByText('Modify the plan').click();
  await chairPage.getByLabel('Consensus recommendation').fill('Molecular testing first, then a minimally invasive lobectomy.');
  await chairPage.getByLabel('Rationale').fill('EGFR and ALK results change the plan; the lung function allows a lobectomy.');
  await chairPage.getByLabel('Follows the guidelines').check();
  await chairPage.getByRole('button', { name: 'Add an action' }).click();
  await chairPage.getByLabel('What').fill('EGFR and ALK on block A3');
  await chairPage.getByRole('button', { name: 'Confirm the minutes' }).click();
  await chairPage.getByTestId('minutes-confirmed').waitFor();
  await member.getByTestId('minutes-confirmed').waitFor();
  expect(await member.getByLabel('Consensus recommendation').inputValue()).toBe('Molecular testing first, then a minimally invasive lobectomy.');
  // Joining the room during the session window recorded the member as present.
  await chairPage.getByTestId('members').getByRole('checkbox', { name: 'Present' }).first().waitFor();
  expect(await chairPage.getByTestId('members').getByRole('checkbox', { name: 'Present' }).nth(1).isChecked()).toBe(true);
  await shot(chairPage, 'chair-confirms-minutes');
  await shot(member, 'member-sees-minutes');
  for (const page of [chairPage, member]) {
    expect(await overflowing(page)).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
  }

  // The lead reviewer issues the opinion, which carries the board's section; the coordinator delivers it.
  await issueOpinion(oncologist, caseId);
  expect((await coordinator.client.post(`/api/cases/${caseId}/opinion/deliver`)).status).toBe(200);

  // The patient reads the recommendation on their phone, in plain words.
  const pat = await app.browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(pat, t.baseUrl, patient, PASSWORD);
  await pat.waitForURL((u) => !u.pathname.startsWith('/login'));
  await pat.goto(`${t.baseUrl}/cases/${caseId}?tab=board`);
  const card = pat.getByTestId('board-recommendation');
  await card.getByText('The board suggests changing the proposed plan.').waitFor().catch(async (e) => {
    await shot(pat, 'FAILED-patient');
    throw e;
  });
  await card.getByText('Molecular testing first, then a minimally invasive lobectomy.').waitFor();
  expect(await overflowing(pat)).toEqual([]);
  expect(await seriousA11yViolations(pat)).toEqual([]);
  const words = await pat.locator('main').innerText();
  expect(words).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|undefined|null|board_type|treatmentStance/);
  await shot(pat, 'patient-reads-recommendation');
  for (const page of [chairPage, member, pat]) await page.close();
}, 240_000);

