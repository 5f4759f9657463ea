import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TILE_OVERLAP, TILE_SIZE, TILE_SUFFIX } from '../src/pathology/slideReader.ts';
import { aCase, aPatient, aStaff } from '../test/support/builders.ts';
import { writeSlideFile } from '../test/support/slides.ts';
import { startTestApp } from '../test/support/testApp.ts';
import type { BenchResult } from './harness.ts';

/**
 * Whole-slide images: a large synthetic slide (a tiled, pyramidal JPEG TIFF as scanners write)
 * uploaded through tus and prepared as in production (OpenSlide/libvips build the Deep Zoom
 * pyramid, stored as one encrypted zip); then a client process asks for the first view and for
 * tiles at full resolution, six at a time as a browser does. The reference is the physical best
 * case: the same pyramid written by `vips dzsave` as a plain folder and served as files.
 */
function runNode(script: string, arg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(import.meta.dirname, script), arg], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').pop()!) : reject(new Error(`${script} exited with ${code}`))));
  });
}

interface TileRun { firstViewMs: number; firstViewTiles: number; tilesPerSecond: number; mbPerSecond: number }

const ROUNDS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
/** Each figure's median over the rounds. */
const medianRun = (runs: TileRun[]): TileRun => ({
  firstViewMs: median(runs.map((r) => r.firstViewMs)),
  firstViewTiles: runs[0]!.firstViewTiles,
  tilesPerSecond: median(runs.map((r) => r.tilesPerSecond)),
  mbPerSecond: median(runs.map((r) => r.mbPerSecond)),
});

export async function slidesBenchmark(quick: boolean): Promise<BenchResult[]> {
  process.env.TEST_DB = 'pglite';
  const width = quick ? 8192 : 49152;
  const height = quick ? 6144 : 36864;
  const t = await startTestApp({ JOBS_POLL_MS: '60000', UPLOAD_MAX_BYTES: String(8 * 1024 ** 3) });
  const work = fs.mkdtempSync(path.join(t.config.dataDir, 'bench-slide-'));
  let staticServer: ReturnType<typeof spawn> | null = null;
  try {
    const file = path.join(work, 'slide.tif');
    writeSlideFile(file, { width, height, micronsPerPixel: 0.25 });
    const size = fs.statSync(file).size;
    const patient = await aPatient(t);
    const coordinator = await aStaff(t, 'coordinator');
    const caseId = await aCase(t, patient, { submit: true });
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    await runNode('uploadClient.ts', JSON.stringify({ base: t.baseUrl, cookie: patient.client.cookieHeader, file, metadata: `caseId ${b64(caseId)},filename ${b64('bench-slide.svs')}`, chunk: 64 * 1024 * 1024 }));
    let t0 = performance.now();
    await t.app.jobs.drain();
    const prepareSeconds = (performance.now() - t0) / 1000;
    const [slide] = (await coordinator.client.get(`/api/cases/${caseId}/slides`)).body as { id: string; status: string; tiles: { size: number } }[];
    if (slide?.status !== 'ready') throw new Error(`bench slide: ${JSON.stringify(slide)}`);

    t0 = performance.now();
    execFileSync('vips', ['dzsave', file, path.join(work, 'static'), '--tile-size', String(TILE_SIZE), '--overlap', String(TILE_OVERLAP), '--suffix', TILE_SUFFIX]);
    const dzsaveSeconds = (performance.now() - t0) / 1000;
    staticServer = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(import.meta.dirname, 'staticTiles.ts'), work], { stdio: ['ignore', 'pipe', 'inherit'] });
    const { port } = JSON.parse(await new Promise<string>((resolve) => staticServer!.stdout!.once('data', (d: Buffer) => resolve(d.toString())))) as { port: number };

    const common = { width, height, tileSize: TILE_SIZE, screen: { width: 1280, height: 800 }, fullResolutionTiles: quick ? 800 : 2000, concurrency: 6 };
    const base = `${t.baseUrl}/api/cases/${caseId}/slides/${slide.id}`;
    const oursSpec = { ...common, cookie: coordinator.client.cookieHeader, describe: base, tile: `${base}/tiles/{level}/{col}_{row}.jpeg` };
    const refSpec = { ...common, cookie: '', describe: `http://127.0.0.1:${port}/static.dzi`, tile: `http://127.0.0.1:${port}/static_files/{level}/{col}_{row}.jpeg` };
    // A first pass of each warms the operating system's file cache; then both are measured in
    // turns and the median of each taken, as a single short pass on a shared machine varied by half.
    await runNode('tileClient.ts', JSON.stringify(oursSpec));
    await runNode('tileClient.ts', JSON.stringify(refSpec));
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const oursRuns: TileRun[] = [];
    const refRuns: TileRun[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      oursRuns.push(JSON.parse(await runNode('tileClient.ts', JSON.stringify(oursSpec))) as TileRun);
      clearInterval(sampler);
      refRuns.push(JSON.parse(await runNode('tileClient.ts', JSON.stringify(refSpec))) as TileRun);
    }
    const ours = medianRun(oursRuns);
    const ref = medianRun(refRuns);
    const label = `${(width * height / 1e9).toFixed(1)} Gpx slide (${(size / 1024 ** 3).toFixed(1)} GB)`;
    const referenceName = 'the same pyramid as plain files (vips dzsave), served as they are';
    return [
      { name: `slide tiles: first view, ${label}`, backend: 'pglite', unit: 'ms', ours: ours.firstViewMs, reference: ref.firstViewMs, referenceName, ratio: ref.firstViewMs / ours.firstViewMs, detail: { tiles: ours.firstViewTiles } },
      {
        name: `slide tiles at full resolution, 6 at a time, ${label}`, backend: 'pglite', unit: 'tiles/s', ours: ours.tilesPerSecond, reference: ref.tilesPerSecond, referenceName, ratio: ours.tilesPerSecond / ref.tilesPerSecond,
        detail: { rounds: ROUNDS, oursTilesPerSecond: oursRuns.map((r) => Math.round(r.tilesPerSecond)), referenceTilesPerSecond: refRuns.map((r) => Math.round(r.tilesPerSecond)), prepareSeconds: Math.round(prepareSeconds), dzsaveSeconds: Math.round(dzsaveSeconds), rssGrowthMB: Math.round((peak - baseline) / 1024 ** 2), oursMBps: Math.round(ours.mbPerSecond), referenceMBps: Math.round(ref.mbPerSecond) },
      },
    ];
  } finally {
    staticServer?.kill();
    fs.rmSync(work, { recursive: true, force: true });
    await t.close();
  }
}
