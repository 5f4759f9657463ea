import { beforeAll, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/seed.ts';
import { overflowing, screenshotter, seriousA11yViolations, useBrowserApp } from './browser.ts';

/**
 * The demo as a visitor tries it: the pathologist signs in without an authenticator and signs
 * their part with any six digits (the form says so); the patient reads the delivered opinion on
 * a phone.
 */
const app = useBrowserApp({ DEMO: 'true' });
beforeAll(async () => {
  await seedDemo(app.t.db, app.t.config);
}, 120_000);

async function signInAs(email: string, viewport: { width: number; height: number }) {
  const page = await app.browser.newPage({ viewport });
  await page.goto(`${app.t.baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

it('the pathologist signs their part with any six digits in demo mode (laptop)', async () => {
  const shot = screenshotter('demo-pathologist');
  const page = await signInAs('pathologist@demo.consilium.test', { width: 1366, height: 768 });
  await page.getByRole('heading', { name: 'My inbox' }).waitFor();
  await shot(page, 'inbox');
  await page.getByRole('link', { name: /Lung cancer, treatment not working/ }).click();
  await page.getByRole('tab', { name: 'Opinion' }).click();
  await page.getByRole('button', { name: 'Sign my part…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign your part' });
  await dialog.getByText('any six digits work').waitFor();
  await dialog.getByLabel('Your password').fill(DEMO_PASSWORD);
  await dialog.getByLabel('Code from your authenticator app').fill('271828');
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'sign');
  await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
  await page.getByRole('button', { name: 'Issue the report…' }).waitFor();
  await shot(page, 'signed');
  await page.close();
});

it('the patient reads the delivered opinion on a phone (390 × 844)', async () => {
  const shot = screenshotter('demo-patient');
  const page = await signInAs('patient@demo.consilium.test', { width: 390, height: 844 });
  await page.getByText('Lung adenocarcinoma, right upper lobe').click();
  await page.getByRole('tab', { name: 'Opinion' }).click();
  await page.getByRole('link', { name: 'Download version 1 (PDF)' }).waitFor();
  await page.getByText('We agree with your diagnosis and your plan.').waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(page, 'opinion');
  await page.close();
});

/**
 * Every page each role has, on a phone and a laptop: no serious or critical accessibility finding
 * (axe) and nothing reaching past the window's edge. Problems are gathered, so one run lists all.
 */
const SIZES = { phone: { width: 360, height: 800 }, laptop: { width: 1280, height: 800 } } as const;
const PUBLIC_PAGES = ['/', '/assess', '/assess/rules', '/login', '/register', '/forgot-password'];
const ROLE_PAGES: { who: string; pages: string[]; caseFrom?: { page: string; link: string }; linked?: { page: string; link: string } }[] = [
  { who: 'patient', pages: ['/cases', '/notifications', '/account', '/queue'], caseFrom: { page: '/cases', link: '[data-testid="case-card"]:has-text("Your opinion is ready")' } },
  { who: 'referrer', pages: ['/cases'], caseFrom: { page: '/cases', link: '[data-testid="case-card"]' } },
  { who: 'coordinator', pages: ['/queue', '/directory', '/outcomes', '/notifications'], caseFrom: { page: '/queue?status=in_review', link: '[data-testid="queue-row"] a, [data-testid="queue-card"]' } },
  { who: 'pathologist', pages: ['/inbox', '/profile', '/boards', '/visits'], linked: { page: '/boards', link: '[data-testid="sessions"] a' }, caseFrom: { page: '/inbox', link: '[data-testid="inbox-case"] a' } },
  { who: 'chair', pages: ['/cases', '/boards'], linked: { page: '/boards', link: '[data-testid="sessions"] a' }, caseFrom: { page: '/cases', link: '[data-testid="case-card"]' } },
  { who: 'admin', pages: ['/admin/users', '/admin/audit', '/admin/outbox'] },
  { who: 'interpreter', pages: ['/visits', '/account'] },
];

async function settle(page: import('playwright-core').Page) {
  await page.waitForLoadState('load');
  await expect.poll(() => page.locator('[aria-label^="Loading"]').count(), { timeout: 20_000 }).toBe(0);
  await page.waitForTimeout(250);
}

it('every page of every role: no serious accessibility finding and nothing past the edge, on a phone and a laptop', async () => {
  const problems: string[] = [];
  const check = async (page: import('playwright-core').Page, where: string) => {
    await settle(page);
    for (const v of await seriousA11yViolations(page)) problems.push(`${where}: ${v}`);
    for (const o of await overflowing(page)) problems.push(`${where}: past the edge: ${o}`);
  };
  // The two sizes are walked side by side: most of a page's time is waiting, not working.
  await Promise.all(Object.entries(SIZES).map(async ([size, viewport]) => {
    const visitor = await app.browser.newPage({ viewport });
    for (const path of PUBLIC_PAGES) {
      await visitor.goto(`${app.t.baseUrl}${path}`);
      await check(visitor, `visitor ${path} (${size})`);
    }
    await visitor.close();
    for (const role of ROLE_PAGES) {
      const page = await signInAs(`${role.who}@demo.consilium.test`, viewport);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      for (const path of role.pages) {
        await page.goto(`${app.t.baseUrl}${path}`);
        await check(page, `${role.who} ${path} (${size})`);
      }
      if (role.linked) {
        await page.goto(`${app.t.baseUrl}${role.linked.page}`);
        await settle(page);
        await page.locator(role.linked.link).filter({ visible: true }).first().click();
        await settle(page);
        await check(page, `${role.who} ${page.url().replace(app.t.baseUrl, '')} (${size})`);
      }
      if (role.caseFrom) {
        await page.goto(`${app.t.baseUrl}${role.caseFrom.page}`);
        await settle(page);
        const link = page.locator(role.caseFrom.link).filter({ visible: true }).first();
        await link.click();
        await page.getByRole('tab').first().waitFor();
        const tabs = await page.getByRole('tab').allTextContents();
        for (const tab of tabs) {
          await page.getByRole('tab', { name: tab, exact: true }).click();
          await check(page, `${role.who} case, ${tab} tab (${size})`);
        }
      }
      await page.close();
    }
  }));
  expect(problems.sort()).toEqual([]);
}, 600_000);
