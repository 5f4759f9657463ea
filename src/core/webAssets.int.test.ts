import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

/**
 * How the built web app is sent: hashed files compressed (the copies the build wrote) and kept by
 * browsers for a year, the page itself never cached and carrying this response's nonce. A small
 * web app is laid out here the way `npm run build:web` lays it out.
 */
let t: TestApp;
let dist: string;
const script = `export const greeting = ${JSON.stringify('a synthetic module '.repeat(400))};\n`;

beforeAll(async () => {
  dist = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-web-'));
  fs.mkdirSync(path.join(dist, 'assets'));
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><html lang="en"><head><meta name="description" content="Consilium: expert second opinions" /><title>Consilium</title><meta property="csp-nonce" nonce="__CSP_NONCE__"><script type="module" src="/assets/index-AbC123.js" nonce="__CSP_NONCE__"></script></head><body><div id="root"></div></body></html>');
  fs.writeFileSync(path.join(dist, 'assets/index-AbC123.js'), script);
  fs.writeFileSync(path.join(dist, 'assets/index-AbC123.js.br'), zlib.brotliCompressSync(script));
  fs.writeFileSync(path.join(dist, 'assets/index-AbC123.js.gz'), zlib.gzipSync(script));
  // Too small to be worth a compressed copy: sent as it is.
  fs.writeFileSync(path.join(dist, 'assets/print-XyZ789.css'), '@media print { nav { display: none } }\n');
  t = await startTestApp({ WEB_DIST: dist });
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dist, { recursive: true, force: true });
});

/** A raw GET (fetch would undo the compression being tested). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('the built web app', () => {
  it('sends a hashed script as brotli when asked, gzip to an older client, plain otherwise, always varying on Accept-Encoding', async () => {
    const br = await rawGet(`${t.baseUrl}/assets/index-AbC123.js`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.body.length).toBeLessThan(script.length / 10);
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(script);

    const gz = await rawGet(`${t.baseUrl}/assets/index-AbC123.js`, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).toString()).toBe(script);

    const plain = await rawGet(`${t.baseUrl}/assets/index-AbC123.js`, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    expect(plain.body.toString()).toBe(script);
  });

  it('lets browsers keep hashed files for a year, and falls back to the file itself without a compressed copy', async () => {
    for (const encoding of ['br', 'gzip', 'identity']) {
      const r = await rawGet(`${t.baseUrl}/assets/index-AbC123.js`, { 'accept-encoding': encoding });
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    const css = await rawGet(`${t.baseUrl}/assets/print-XyZ789.css`, { 'accept-encoding': 'br, gzip' });
    expect(css.status).toBe(200);
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('never caches the page, which carries the nonce of its own Content-Security-Policy', async () => {
    for (const url of ['/', '/cases/some-case', '/forgot-password']) {
      const page = await rawGet(`${t.baseUrl}${url}`, { 'accept-encoding': 'br, gzip' });
      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const html = page.body.toString();
      const nonce = html.match(/nonce="([^"]+)"/)?.[1];
      expect(nonce).toBeTruthy();
      expect(html).not.toContain('__CSP_NONCE__');
      expect(page.headers['content-security-policy']).toContain(`'nonce-${nonce}'`);
    }
  });

  it('sends the page in the language the browser asks for, its title and description from the catalogue', async () => {
    const spanish = await rawGet(`${t.baseUrl}/cases/some-case`, { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' });
    expect(spanish.headers.vary).toMatch(/Accept-Language/);
    const html = spanish.body.toString();
    expect(html).toContain('<html lang="es"');
    expect(html).toContain('<title>Consilium — segundas opiniones</title>');
    expect(html).toMatch(/<meta name="description" content="Consilium: segundas opiniones de especialistas/);
    const english = (await rawGet(`${t.baseUrl}/`, { 'accept-language': 'fr-FR' })).body.toString();
    expect(english).toContain('<html lang="en"');
    expect(english).toContain('<title>Consilium — second opinions</title>');
  });

  it('answers a missing file under /assets/ with 404 problem details, not with the page', async () => {
    const gone = await rawGet(`${t.baseUrl}/assets/CasePage-Old111.js`, { 'accept-encoding': 'br' });
    expect(gone.status).toBe(404);
    expect(gone.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
