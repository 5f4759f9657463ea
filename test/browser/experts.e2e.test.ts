import { expect, it } from 'vitest';
import { aStaff, PASSWORD } from '../support/builders.ts';
import { screenshotter, signIn, useBrowserApp } from './browser.ts';

/** An expert fills in the directory profile; an admin finds them in the directory. */
const app = useBrowserApp();
const shot = screenshotter('experts');

it('an expert keeps a directory profile and an admin finds it', async () => {
  const expert = await aStaff(app.t, 'expert', 'Dr. Interstitial');
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signIn(page, app.t.baseUrl, expert, PASSWORD);
  await page.getByRole('link', { name: 'My directory profile' }).click();
  await page.getByLabel('NPI').fill('1234567890');
  await page.getByRole('textbox', { name: 'Specialties (NUCC taxonomy)' }).click();
  await page.getByRole('option', { name: /Pulmonary Disease/ }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('textbox', { name: /Focus conditions/ }).fill('J84');
  await page.keyboard.press('Enter');
  await page.getByRole('textbox', { name: 'Institution', exact: true }).fill('Synthetic Lung Institute');
  await page.getByRole('textbox', { name: /Licensed in/ }).fill('US-OH');
  await page.keyboard.press('Enter');
  // Languages are picked by name; the profile stores their codes.
  await page.getByRole('textbox', { name: 'Languages you consult in' }).fill('Span');
  await page.getByRole('option', { name: 'Spanish' }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Save my profile' }).click();
  await page.getByText('not a valid NPI').first().waitFor();
  await page.getByLabel('NPI').fill('1234567893');
  await page.getByRole('button', { name: 'Save my profile' }).click();
  await page.getByRole('status').getByText('Saved.').waitFor();
  await shot(page, 'profile');

  const admin = await aStaff(app.t, 'admin');
  const ap = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(ap, app.t.baseUrl, admin, PASSWORD);
  await ap.getByRole('link', { name: 'Expert directory' }).click();
  await ap.getByLabel('Search by name, institution or NPI').fill('Interstitial');
  await ap.getByText('Synthetic Lung Institute').waitFor();
  expect(await ap.getByText('Internal Medicine, Pulmonary Disease').count()).toBe(1);
  expect(await ap.getByRole('cell', { name: 'English, Spanish' }).count()).toBe(1);
  await shot(ap, 'directory');
});

it('a coordinator matches a lung-cancer case, reads the reasons, offers the team, and an expert accepts', async () => {
  const { aPatient, anIntake, command, waiveOutstanding } = await import('../support/builders.ts');
  const profile = (code: string, extra: Record<string, unknown> = {}) => ({
    taxonomyCodes: [code], focusCodes: ['C34'], institution: { name: 'Synthetic Thoracic Center', academic: true, tumorBoards: true, trialsOpen: true },
    licensure: ['US-OH'], languages: ['en'], consultModes: ['records_review', 'video'], capacityMax: 6, ...extra,
  });
  const team: Record<string, Awaited<ReturnType<typeof aStaff>>> = {};
  for (const [role, code, extra] of [
    ['thoracic', '208G00000X', { procedures: [{ operation: 'lobectomy', annualVolume: 60, source: 'hospital registry 2025' }] }],
    ['pulmonology', '207RP1001X', {}], ['oncology', '207RX0202X', {}], ['pathology', '207ZP0101X', {}], ['radiology', '2085R0202X', {}],
  ] as const) {
    team[role] = await aStaff(app.t, 'expert', `Dr. ${role[0]!.toUpperCase()}${role.slice(1)} Lead`);
    await team[role]!.client.put('/api/experts/me/profile', profile(code, extra));
  }
  const patient = await aPatient(app.t);
  const id = (await patient.client.post('/api/cases', { assessment: { diagnosis: { code: 'C34.11' }, diagnosisStatus: 'new', surgery: { recommended: 'yes', operation: 'lobectomy', approach: 'open' } } })).body.id;
  for (const [section, data] of Object.entries(anIntake())) await patient.client.put(`/api/cases/${id}/intake/${section}`, data);
  for (const document of ['service_consent', 'hipaa_authorization']) await patient.client.post(`/api/cases/${id}/consents`, { document, version: '2026-11', typedName: patient.name });
  await command(patient, id, 'submit');
  const coordinator = await aStaff(app.t, 'coordinator', 'Cam Matcher');
  await command(coordinator, id, 'startRecordCollection');
  await waiveOutstanding(coordinator, id);
  await command(coordinator, id, 'markReadyForReview');

  const cp = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signIn(cp, app.t.baseUrl, coordinator, PASSWORD);
  await cp.getByRole('heading', { name: 'Case queue' }).waitFor();
  await cp.goto(`${app.t.baseUrl}/cases/${id}`);
  await cp.getByRole('tab', { name: 'Experts' }).click();
  await cp.getByTestId('role-thoracic_surgery').getByText('Proposed: Dr. Thoracic Lead').waitFor();
  expect(await cp.getByTestId('role-thoracic_surgery').textContent()).toContain('60 a year (hospital registry 2025); high-volume threshold 15.');
  for (const role of ['pathology', 'medical_oncology', 'radiology', 'pulmonology']) await cp.getByTestId(`role-${role}`).getByText(/Proposed: Dr\./).waitFor();
  await shot(cp, 'team-proposal');
  await cp.getByRole('button', { name: 'Offer the proposed team' }).click();
  await expect.poll(() => cp.getByTestId('offer').count()).toBe(5);
  await shot(cp, 'team-offered');

  const ep = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(ep, app.t.baseUrl, team.thoracic!, PASSWORD);
  await ep.getByTestId('inbox-offer').waitFor();
  await ep.getByRole('button', { name: 'Accept' }).click();
  await ep.getByTestId('inbox-case').waitFor();
  await shot(ep, 'accepted');
  await cp.reload();
  await cp.getByRole('tab', { name: 'Experts' }).click();
  await cp.getByTestId('offer').filter({ hasText: 'Dr. Thoracic Lead' }).getByText('accepted').waitFor();
});
