import { beforeAll, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/seed.ts';
import { growToScale } from '../../bench/scaleSeed.ts';
import { overflowing, screenshotter, seriousA11yViolations, signIn, useBrowserApp } from './browser.ts';

/**
 * A busy program: thousands of open requests and a long audit trail. The lists say "About …"
 * and page by "Next" and "Previous" (each page starting where the last ended), not by a numbered
 * last page that would mean counting and skipping every row before it.
 */
const app = useBrowserApp({ DEMO: 'true' });
beforeAll(async () => {
  await seedDemo(app.t.db, app.t.config);
  // A month of requests, most still open: the queue (open requests) is thousands long.
  await growToScale(app.t.db, { cases: 6000, auditEvents: 10_000, historyDays: 30 });
}, 300_000);

const pageRows = async (page: import('playwright-core').Page, testId: string) => (await page.getByTestId(testId).allTextContents()).join('|');

for (const [size, viewport] of [['laptop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
  it(`a coordinator pages through thousands of cases (${size})`, async () => {
    const shot = screenshotter(`long-queue-${size}`);
    const page = await app.browser.newPage({ viewport });
    await signIn(page, app.t.baseUrl, { email: 'coordinator@demo.consilium.test' }, DEMO_PASSWORD);
    await page.getByRole('heading', { name: 'Case queue' }).waitFor();
    await page.getByText(/^About [\d,]+ cases$/).waitFor();
    const rows = size === 'phone' ? 'queue-card' : 'queue-row';
    const first = await pageRows(page, rows);
    expect(await page.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
    await shot(page, 'first');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2').waitFor();
    await expect.poll(() => pageRows(page, rows)).not.toBe(first);
    expect(page.url()).toContain('cursor=');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 3').waitFor();
    await shot(page, 'third');
    await page.getByRole('button', { name: 'First' }).click();
    await page.getByText('Page 1').waitFor();
    await expect.poll(() => pageRows(page, rows)).toBe(first);
    expect(await overflowing(page)).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
}

it('an administrator pages back through a long audit trail', async () => {
  const shot = screenshotter('long-audit');
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signIn(page, app.t.baseUrl, { email: 'admin@demo.consilium.test' }, DEMO_PASSWORD);
  // Signed in once the landing page shows; going on before that would find no session yet.
  await page.getByRole('heading', { name: 'Users' }).waitFor();
  await page.getByRole('link', { name: /audit/i }).first().click();
  await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
  await page.getByText(/^About [\d,]+ events$/).waitFor();
  const firstSeq = async () => Number(await page.getByRole('table', { name: 'Audit events' }).locator('tbody tr td').first().textContent());
  const newest = await firstSeq();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('Page 2').waitFor();
  await expect.poll(firstSeq).toBeLessThan(newest - 49);
  await shot(page, 'second');
  await page.getByRole('button', { name: 'Previous' }).click();
  await page.getByText('Page 1').waitFor();
  await expect.poll(firstSeq).toBeGreaterThanOrEqual(newest);
  await page.close();
});
