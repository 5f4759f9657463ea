import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { aPatient, PASSWORD } from '../support/builders.ts';
import { screenshotter, seriousA11yViolations, useBrowserApp } from './browser.ts';

/**
 * "Forgot password?" as a person walks it, on a phone and on a laptop: from the sign-in page to
 * the mailed link (read from the outbox, which is the mailbox without SMTP), a new password,
 * signing in with it; then the same link refused, and an expired one with the way to a new one.
 */
const app = useBrowserApp();

async function expectAccessible(page: Page) {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

/** The link in the newest "forgot password" mail to `email`. */
async function mailedLink(email: string): Promise<string> {
  const [mail] = await app.t.db.query<{ body_text: string }>(`SELECT body_text FROM mail_outbox WHERE to_address = $1 AND kind = 'password_reset' ORDER BY created_at DESC LIMIT 1`, [email]);
  const link = mail?.body_text.match(/https?:\/\/\S+\/set-password\?token=\S+/)?.[0];
  if (!link) throw new Error(`no reset mail to ${email}`);
  return link;
}

for (const [device, viewport] of [['phone', { width: 390, height: 844 }], ['laptop', { width: 1366, height: 768 }]] as const) {
  it(`on a ${device}: forgot password, link by mail, new password, signed in; the link works once and expires`, async () => {
    const shot = screenshotter(`password-reset-${device}`);
    const person = await aPatient(app.t, `Reset ${device === 'phone' ? 'Phone' : 'Laptop'} Person`);
    const newPassword = `${device} saffron kettle harbour`;
    const page = await app.browser.newPage({ viewport });

    await page.goto(`${app.t.baseUrl}/login`);
    await page.getByLabel('Email').fill(person.email);
    await expectAccessible(page);
    await shot(page, 'sign-in');
    await page.getByRole('link', { name: 'Forgot password?' }).click();

    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    // The address typed on the sign-in page comes along.
    expect(await page.getByLabel('Email').inputValue()).toBe(person.email);
    await expectAccessible(page);
    await shot(page, 'forgot');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    expect(await page.getByText('for 60 minutes').isVisible()).toBe(true);
    await expectAccessible(page);
    await shot(page, 'check-email');

    const link = await mailedLink(person.email);
    await page.goto(link);
    await page.getByLabel('New password').fill('password12');
    await page.getByText(/Password strength|Weak|weak/).first().waitFor();
    await page.getByLabel('New password').fill(newPassword);
    await page.getByText('good to use').waitFor();
    await expectAccessible(page);
    await shot(page, 'choose-password');
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.getByText('Your new password is saved').waitFor();
    await shot(page, 'saved');
    // The session the person had elsewhere has ended.
    expect((await person.client.get('/api/auth/me')).status).toBe(401);

    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My second-opinion requests' }).waitFor();
    await shot(page, 'signed-in');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // The same link a second time: refused in plain words, with the way to a new one.
    await page.goto(link);
    await page.getByTestId('link-refused').waitFor();
    expect(await page.getByTestId('link-refused').textContent()).toMatch(/used already.*has been used/);
    expect(await page.getByLabel('New password').count()).toBe(0);
    await expectAccessible(page);
    await shot(page, 'used-link');

    // A link left too long: expired, and "Ask for a new link" leads back to the form.
    await page.getByRole('link', { name: 'Ask for a new link' }).click();
    await page.getByLabel('Email').fill(person.email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    const second = await mailedLink(person.email);
    app.t.advance(61 * 60_000);
    await page.goto(second);
    await page.getByTestId('link-refused').waitFor();
    expect(await page.getByTestId('link-refused').textContent()).toMatch(/has expired.*short time/);
    await expectAccessible(page);
    await shot(page, 'expired-link');
    await page.getByRole('link', { name: 'Ask for a new link' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();

    // The old password never came back.
    expect((await person.client.post('/api/auth/login', { email: person.email, password: PASSWORD })).status).toBe(401);
    await page.close();
  });
}

it('sign-in, registration and the forgot-password page each lead back home', async () => {
  const shot = screenshotter('auth-way-home');
  const page = await app.browser.newPage({ viewport: { width: 390, height: 844 } });
  for (const path of ['/login', '/register', '/forgot-password']) {
    await page.goto(`${app.t.baseUrl}${path}`);
    await page.getByRole('link', { name: 'Back to home' }).click();
    await page.getByRole('heading', { name: 'Get an expert second opinion' }).waitFor();
  }
  await page.goto(`${app.t.baseUrl}/register`);
  await expectAccessible(page);
  await shot(page, 'register');
  await page.close();
});
