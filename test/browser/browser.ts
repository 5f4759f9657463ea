import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results');

/** Debian's Chromium, headless, with the network chatter that this machine refuses switched off. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Saves a full-page screenshot under test-results/<journey>/<n>-<name>.png. */
export function screenshotter(journey: string) {
  const dir = path.join(SCREENSHOTS, journey);
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  return async (page: Page, name: string) => {
    n++;
    await page.screenshot({ path: path.join(dir, `${String(n).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
}
