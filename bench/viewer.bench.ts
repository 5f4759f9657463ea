import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { launchBrowser } from '../test/browser/browser.ts';
import { Client } from '../test/support/client.ts';
import { aCtSeries, stowBody } from '../test/support/dicom.ts';
import { startOrthanc } from '../test/support/orthanc.ts';
import { freePort, startServerProcess, stopServerProcess } from '../test/support/serverProcess.ts';
import type { BenchResult } from './harness.ts';

/**
 * The reviewer's view of a 300-slice CT in Chromium: the product's viewer code (bench/viewer/)
 * opens the series from our server and from Orthanc, each as its own process with the same
 * study stored. One small local server in front of both serves the page and passes requests
 * through unchanged (adding our session cookie), so the page is the same origin for both and
 * both pay the same extra hop. Measured: time to the first slice on screen, time until every
 * slice is in memory, and slices drawn per second while scrolling straight away.
 */

interface ViewerRun { firstImageMs: number; seriesLoadedMs: number; scrollMs: number; slices: number }

async function buildPage(): Promise<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-bench-viewer-'));
  await build({
    root: path.join(import.meta.dirname, 'viewer'), base: './', logLevel: 'error', configFile: false,
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 100_000 },
  });
  return outDir;
}

/** Static files from `dir`; `/ours/…` and `/orthanc/…` passed through to the two servers. */
function startFrontServer(dir: string, routes: Record<string, { url: string; headers: Record<string, string> }>): Promise<{ url: string; close: () => Promise<void> }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
  const server = http.createServer((req, res) => {
    const prefix = Object.keys(routes).find((p) => req.url!.startsWith(`/${p}/`));
    if (prefix) {
      const target = routes[prefix]!;
      const upstream = http.request(`${target.url}${req.url!.slice(prefix.length + 1)}`, { method: req.method, headers: { ...req.headers, host: new URL(target.url).host, ...target.headers } }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
      return;
    }
    const file = path.join(dir, path.normalize(decodeURIComponent(req.url!.split('?')[0]!)).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) });
  }));
}

async function stowAll(root: string, headers: Record<string, string>, files: Buffer[]) {
  for (let i = 0; i < files.length; i += 10) {
    const { body, contentType } = stowBody(files.slice(i, i + 10));
    const res = await fetch(`${root}/studies`, { method: 'POST', body: new Uint8Array(body), headers: { ...headers, 'content-type': contentType, accept: 'application/dicom+json' } });
    if (res.status !== 200) throw new Error(`viewer bench: STOW to ${root} answered ${res.status}`);
    await res.arrayBuffer();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function viewerBenchmark(quick: boolean): Promise<BenchResult[]> {
  const ct = aCtSeries(quick ? 100 : 300, { rows: 512, columns: 512, patientName: 'Benchperson^Viewer', accession: 'BENCH-VIEWER' });
  const pageDir = await buildPage();
  const orthanc = await startOrthanc({ concurrency: 4 });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-bench-viewer-data-'));
  const port = await freePort();
  const server = await startServerProcess({ port, dataDir, env: { UPLOAD_MAX_BYTES: String(4 * 1024 ** 3) } });
  const browser = await launchBrowser();
  let front: Awaited<ReturnType<typeof startFrontServer>> | null = null;
  try {
    const base = `http://127.0.0.1:${port}`;
    const client = new Client(base);
    const login = await client.post('/api/auth/login', { email: 'patient@demo.consilium.test', password: 'Consilium-demo-1' });
    if (login.status !== 200) throw new Error(`viewer bench sign-in: ${login.status}`);
    const caseId = (await client.post('/api/cases')).body.id as string;
    await stowAll(`${base}/dicomweb/cases/${caseId}`, { cookie: client.cookieHeader }, ct.files);
    await stowAll(orthanc.dicomweb, {}, ct.files);
    front = await startFrontServer(pageDir, { ours: { url: base, headers: { cookie: client.cookieHeader } }, orthanc: { url: orthanc.url, headers: {} } });
    const targets = { ours: '/ours/dicomweb', orthanc: '/orthanc/dicom-web' };
    const runs: Record<keyof typeof targets, ViewerRun[]> = { ours: [], orthanc: [] };
    const rounds = quick ? 2 : 4;
    // The first round of each warms the servers' own caches and is left out; then they alternate.
    for (let round = 0; round <= rounds; round++) {
      for (const name of (round % 2 ? ['orthanc', 'ours'] : ['ours', 'orthanc']) as (keyof typeof targets)[]) {
        const context = await browser.newContext({ viewport: { width: 800, height: 800 } });
        try {
          const page = await context.newPage();
          await page.goto(`${front.url}/index.html?base=${encodeURIComponent(targets[name])}&study=${ct.studyUid}&series=${ct.seriesUid}`);
          const r = await page.evaluate(() => (window as unknown as { benchResult: Promise<ViewerRun> }).benchResult);
          if (round > 0) runs[name].push(r);
        } finally {
          await context.close();
        }
      }
    }
    const n = ct.files.length;
    const row = (name: string, unit: string, of: (r: ViewerRun) => number, higherIsBetter: boolean): BenchResult => {
      const o = median(runs.ours.map(of));
      const r = median(runs.orthanc.map(of));
      return {
        name, backend: 'pglite · chromium', unit, ours: o, reference: r, referenceName: 'Orthanc 1.10 + DICOMweb plugin (Debian), same viewer code', ratio: higherIsBetter ? o / r : r / o,
        detail: { rounds, ours: runs.ours.map((x) => Math.round(of(x) * 10) / 10), reference: runs.orthanc.map((x) => Math.round(of(x) * 10) / 10) },
      };
    };
    return [
      row(`viewer: first slice of a ${n}-slice CT on screen`, 'ms', (r) => r.firstImageMs, false),
      row(`viewer: all ${n} slices in memory`, 'ms', (r) => r.seriesLoadedMs, false),
      row('viewer: scrolling at once, slices drawn per second', 'fps', (r) => r.slices / (r.scrollMs / 1000), true),
    ];
  } finally {
    await browser.close();
    await front?.close();
    await stopServerProcess(server);
    await orthanc.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(pageDir, { recursive: true, force: true });
  }
}
