import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../test/browser/browser.ts';
import { FIRST_LOAD_BUDGET_BYTES, measureFirstLoad } from '../test/support/firstLoad.ts';
import { startTestApp } from '../test/support/testApp.ts';
import type { BenchResult } from './harness.ts';

const WEB_DIST = path.resolve(import.meta.dirname, '../web/dist');

/**
 * A first visit (empty cache) in Chromium: the JavaScript and CSS a page fetches, in kB as sent
 * (brotli) beside the same files uncompressed. Sizes, not timings: they do not vary between runs.
 * Needs the built web app (`npm run build:web`).
 */
export async function firstLoadBenchmark(): Promise<BenchResult[]> {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('Build the web app first: npm run build:web');
  const t = await startTestApp({ WEB_DIST });
  const browser = await launchBrowser();
  try {
    const pages = [
      { name: 'first load: home page', path: '/', heading: 'Get an expert second opinion' },
      { name: 'first load: assessment', path: '/assess', heading: /Step 1 of 6/ },
      { name: 'first load: sign-in', path: '/login', heading: 'Sign in' },
    ];
    const results: BenchResult[] = [];
    for (const p of pages) {
      const load = await measureFirstLoad(browser, t.baseUrl, p.path, (page) => page.getByRole('heading', { name: p.heading }).waitFor());
      results.push({
        name: p.name, backend: 'chromium', unit: 'kB', ours: load.transferred / 1024, reference: load.decoded / 1024,
        referenceName: 'same files uncompressed', ratio: load.decoded / load.transferred,
        detail: { files: load.assets.length, budgetKb: FIRST_LOAD_BUDGET_BYTES / 1024, withinBudget: load.transferred < FIRST_LOAD_BUDGET_BYTES },
      });
    }
    return results;
  } finally {
    await browser.close();
    await t.close();
  }
}
