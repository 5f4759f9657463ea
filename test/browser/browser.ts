/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { nextTotp, startTestApp, type TestApp } from '../support/testApp.ts';

export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results');

/** Debian's Chromium, headless, with the network chatter that this machine refuses switched off. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...extraArgs],
  });
}

/** Chromium's own test camera and microphone, allowed without asking (for video visits). */
export const FAKE_MEDIA = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--auto-select-desktop-capture-source=Entire screen'];

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

/** Runs axe-core on the page and returns the serious and critical violations (rule id and where). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses an inline script.
  await page.evaluate(fs.readFileSync(path.resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } };
    const r = await w.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}) at ${v.targets.join(' | ')}`);
}

/** True when the page fits its window's width: nothing to scroll sideways. */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/**
 * The elements that reach past the window's right edge (tag, class and text), for a readable
 * failure. What sits inside a sideways-scrolling box (a wide staff table) is that box's business.
 */
export async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const edge = document.documentElement.clientWidth;
    const scrolls = (el: Element) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    const inScrollBox = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (scrolls(p)) return true;
      return false;
    };
    const out: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > edge && !inScrollBox(el) && !Array.from(el.children).some((c) => c.getBoundingClientRect().right > edge)) {
        out.push(`${el.tagName.toLowerCase()}.${String(el.getAttribute('class') ?? '').split(' ')[0]} "${(el.textContent ?? '').trim().slice(0, 40)}" (${Math.round(r.right)}px)`);
      }
    }
    return out.slice(0, 10);
  });
}

/** Presses Tab until the focused element's accessible name contains `name`; fails after `max` presses. */
export async function tabTo(page: Page, name: string | RegExp, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const label = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const input = el as HTMLInputElement;
      return [el.getAttribute('aria-label'), input.labels?.[0]?.textContent, el.textContent].filter(Boolean).join(' ').trim();
    });
    if (typeof name === 'string' ? label.includes(name) : name.test(label)) return;
  }
  throw new Error(`Could not reach "${name}" with the Tab key`);
}

/**
 * The whole application with the built web app, and a Chromium, for one journey file. Every page
 * is watched for Content-Security-Policy violations: the journey fails if the app needed anything
 * the policy refuses (an inline style without the nonce, an eval, a foreign source).
 */
export function useBrowserApp(env: Record<string, string> = {}, opts: { browserArgs?: string[] } = {}) {
  const ctx = {} as { t: TestApp; browser: Browser };
  const violations: string[] = [];
  const watch = (page: Page) => {
    return page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(`${m.text().slice(0, 200)} (at ${page.url()} ${m.location().url}:${m.location().lineNumber})`);
  });
  };
  beforeAll(async () => {
    ctx.t = await startTestApp({ WEB_DIST: path.resolve(import.meta.dirname, '../../web/dist'), ...env });
    const browser = await launchBrowser(opts.browserArgs);
    const newPage = browser.newPage.bind(browser);
    const newContext = browser.newContext.bind(browser);
    browser.newPage = async (options) => {
      const page = await newPage(options);
      watch(page);
      return page;
    };
    browser.newContext = async (options) => {
      const context = await newContext(options);
      context.on('page', watch);
      return context;
    };
    ctx.browser = browser;
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.t?.close();
    if (violations.length) throw new Error(`Content-Security-Policy violations:\n${[...new Set(violations)].join('\n')}`);
  });
  return ctx;
}

/** Signs in through the login page; staff also enter their current authenticator code. */
export async function signIn(page: Page, baseUrl: string, who: { email: string; totpSecret?: string }, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (who.totpSecret) {
    await page.getByLabel('6-digit code').fill(nextTotp(baseUrl, who.totpSecret));
    await page.getByRole('button', { name: 'Continue' }).click();
  }
}
