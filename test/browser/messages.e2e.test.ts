import { expect, it } from 'vitest';
import { aCase, aPatient, aStaff, command, PASSWORD } from '../support/builders.ts';
import { aPdf } from '../support/records.ts';
import { overflowing, screenshotter, seriousA11yViolations, signIn, useBrowserApp } from './browser.ts';

/**
 * The message centre in Chromium: the patient writes to the care team on a phone; the
 * coordinator sees it unread on a laptop, reads it and answers; the patient reads the answer.
 */
const app = useBrowserApp({ JOBS_POLL_MS: '300' });
const shot = screenshotter('messages');

it('the patient writes, the coordinator answers, the patient reads the answer', async () => {
  const { t } = app;
  const patient = await aPatient(t, 'Robin Letter');
  const coordinator = await aStaff(t, 'coordinator', 'Cora Answer');
  const caseId = await aCase(t, patient, { submit: true });
  await command(coordinator, caseId, 'startRecordCollection');

  const pat = await app.browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(pat, t.baseUrl, patient, PASSWORD);
  await pat.waitForURL((u) => !u.pathname.startsWith('/login'));
  await pat.goto(`${t.baseUrl}/cases/${caseId}?tab=messages`);
  await pat.getByLabel('Subject').fill('My scan from March');
  await pat.getByLabel('Message', { exact: true }).fill('The hospital says they sent the CD. Did it arrive?');
  await pat.getByRole('button', { name: 'Send', exact: true }).click();
  await pat.getByTestId('thread-messages').getByText('Did it arrive?', { exact: false }).waitFor();
  await shot(pat, 'patient-writes');
  expect(await overflowing(pat)).toEqual([]);
  expect(await seriousA11yViolations(pat)).toEqual([]);

  const coord = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(coord, t.baseUrl, coordinator, PASSWORD);
  await coord.waitForURL((u) => !u.pathname.startsWith('/login'));
  // The queue shows the new message on the case's row; it leads to the conversation.
  await coord.goto(`${t.baseUrl}/queue`);
  await coord.getByTestId('queue-row').getByTestId('unread-messages').getByText('1 new message').click();
  await coord.waitForURL((u) => u.search.includes('tab=messages'));
  const thread = coord.getByTestId('threads');
  await thread.getByText('1 new').waitFor();
  await thread.getByRole('button', { name: 'My scan from March' }).click();
  await coord.getByLabel('Your answer').fill('Yes, it arrived on Monday. The images are in your request.');
  await coord.getByRole('button', { name: 'Send the answer' }).click();
  await coord.getByTestId('thread-messages').getByText('it arrived on Monday', { exact: false }).waitFor();
  await shot(coord, 'coordinator-answers');
  expect(await seriousA11yViolations(coord)).toEqual([]);

  await pat.reload();
  await pat.getByRole('button', { name: 'All messages' }).or(pat.getByTestId('threads')).first().waitFor();
  if (await pat.getByTestId('threads').isVisible()) await pat.getByTestId('threads').getByRole('button', { name: 'My scan from March' }).click();
  await pat.getByTestId('thread-messages').getByText('it arrived on Monday', { exact: false }).waitFor();
  await shot(pat, 'patient-reads-answer');

  // The patient answers with a letter from the phone: it becomes a record of the request, sent with the message.
  const chooser = pat.waitForEvent('filechooser');
  await pat.getByRole('button', { name: 'Send a file from this device' }).click();
  await (await chooser).setFiles({ name: 'hospital-letter.pdf', mimeType: 'application/pdf', buffer: await aPdf(['Synthetic letter from the hospital about the CD.']) });
  // Picked by what kind of record it is and the day it came, as the Records tab names it; the file's name shows beneath it in the list only.
  const picked = pat.getByRole('textbox', { name: 'Attach one of your records (optional)' });
  await expect.poll(() => picked.inputValue(), { timeout: 30_000 }).toMatch(/^\S.* \(.+\)$/);
  expect(await picked.inputValue()).not.toContain('hospital-letter');
  await pat.getByLabel('Your answer').fill('Here is the letter they sent me.');
  await pat.getByRole('button', { name: 'Send the answer' }).click();
  await pat.getByTestId('thread-messages').getByText('Record: hospital-letter.pdf').waitFor();
  await shot(pat, 'patient-sends-file');
  for (const page of [pat, coord]) await page.close();
}, 120_000);
