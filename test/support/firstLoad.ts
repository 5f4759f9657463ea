import type { Browser } from 'playwright-core';

/** One script or style sheet a page fetched on its first visit. */
export interface LoadedAsset {
  path: string;
  /** Bytes of the body as sent (compressed when the server compressed it). */
  transferred: number;
  /** Bytes of the body once decoded. */
  decoded: number;
  encoding: string;
  cacheControl: string;
}

export interface FirstLoad {
  assets: LoadedAsset[];
  transferred: number;
  decoded: number;
}

/**
 * Opens `path` in a fresh browser context (an empty cache, as on a first visit), waits until the
 * network is quiet and `ready` says the page is shown, and adds up the JavaScript and CSS it
 * fetched: what went over the wire and what that decodes to. A size, not a timing.
 */
export async function measureFirstLoad(browser: Browser, baseUrl: string, path: string, ready: (page: import('playwright-core').Page) => Promise<unknown>): Promise<FirstLoad> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  try {
    const page = await context.newPage();
    const seen: Promise<LoadedAsset | null>[] = [];
    page.on('requestfinished', (request) => {
      const url = new URL(request.url());
      if (!/\.(js|css)$/.test(url.pathname)) return;
      seen.push((async () => {
        const response = await request.response();
        if (!response) return null;
        const sizes = await request.sizes();
        const headers = await response.allHeaders();
        return {
          path: url.pathname, transferred: sizes.responseBodySize, decoded: (await response.body()).length,
          encoding: headers['content-encoding'] ?? 'identity', cacheControl: headers['cache-control'] ?? '',
        };
      })());
    });
    await page.goto(`${baseUrl}${path}`, { waitUntil: 'networkidle' });
    await ready(page);
    await page.waitForLoadState('networkidle');
    const assets = (await Promise.all(seen)).filter((a): a is LoadedAsset => a !== null);
    return { assets, transferred: sum(assets.map((a) => a.transferred)), decoded: sum(assets.map((a) => a.decoded)) };
  } finally {
    await context.close();
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** What a first visit to the home page and to the public assessment may fetch (compressed JS and CSS). */
export const FIRST_LOAD_BUDGET_BYTES = 300 * 1024;
