import { expect, it } from 'vitest';
import { FIRST_LOAD_BUDGET_BYTES, measureFirstLoad, type FirstLoad } from '../support/firstLoad.ts';
import { useBrowserApp } from './browser.ts';

/**
 * What a first visit downloads: the home page and the public assessment stay within the budget
 * of compressed JavaScript and CSS, every file comes compressed and cacheable for a year, and the
 * heavy parts (the image viewer, the upload widget) are not among them.
 */
const app = useBrowserApp();

function expectLean(load: FirstLoad) {
  const table = load.assets.map((a) => `${a.path} ${a.transferred} B (${a.encoding})`).join('\n');
  expect(load.transferred, table).toBeLessThan(FIRST_LOAD_BUDGET_BYTES);
  expect(load.assets.length).toBeGreaterThan(1);
  for (const a of load.assets) {
    // Files under a kilobyte are sent as they are: compressing them saves next to nothing.
    if (a.decoded >= 1024) expect(a.encoding, a.path).toBe('br');
    expect(a.cacheControl, a.path).toBe('public, max-age=31536000, immutable');
  }
  expect(load.assets.map((a) => a.path).join(' ')).not.toMatch(/cornerstone|uploads|CasePage|ViewerPage/);
}

it('the home page fetches under the budget, compressed, and nothing of the viewer or uploads', async () => {
  const home = await measureFirstLoad(app.browser, app.t.baseUrl, '/', (page) => page.getByRole('heading', { name: 'Get an expert second opinion' }).waitFor());
  expectLean(home);
  // Compressed to well under half of what the same files weigh.
  expect(home.transferred).toBeLessThan(home.decoded / 2);
});

it('the public assessment fetches its page on top of that, still under the budget', async () => {
  const assess = await measureFirstLoad(app.browser, app.t.baseUrl, '/assess', (page) => page.getByRole('heading', { name: /Step 1 of 6/ }).waitFor());
  expectLean(assess);
  expect(assess.assets.map((a) => a.path).join(' ')).toMatch(/AssessPage/);
});
