import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseInstance } from '../src/imaging/part10.ts';
import { Client } from '../test/support/client.ts';
import { aCtSeries, aUid, stowBody } from '../test/support/dicom.ts';
import { startOrthanc } from '../test/support/orthanc.ts';
import { currentRss, freePort, startServerProcess, stopServerProcess } from '../test/support/serverProcess.ts';
import { freshDb } from '../test/support/testApp.ts';
import type { BenchResult } from './harness.ts';

/**
 * DICOMweb against Orthanc (Debian's orthanc + orthanc-dicomweb) in the same run, each as its own
 * process on loopback: STOW-RS ingest of small instances at concurrency 1 and 4 and of a
 * 512×512 CT series, QIDO-RS latency with the store filled, WADO-RS retrieval of the whole CT
 * series, and each server's peak resident memory. Our server runs as operators run it by
 * default (embedded PGlite, encrypted blobs, fsync before acknowledging, an audit event per call).
 */

interface Target {
  name: string;
  /** DICOMweb root for storing into (ours: a case's base) and for reading. */
  stowRoot: string;
  root: string;
  headers: Record<string, string>;
  pid: number;
}

interface Workload {
  small: { studyUid: string; files: Buffer[] }[];
  ct: { studyUid: string; seriesUid: string; files: Buffer[]; sopUids: string[] };
}

function makeWorkload(quick: boolean): Workload {
  const studies = 20;
  const perStudy = quick ? 20 : 100;
  const small = Array.from({ length: studies }, (_, i) => {
    const s = aCtSeries(perStudy, { rows: 32, columns: 32, patientName: `Benchperson^P${i % 7}`, studyDate: `2025${String((i % 12) + 1).padStart(2, '0')}15`, accession: `BENCH-${i}`, modality: i % 2 ? 'CT' : 'MR' });
    return { studyUid: s.studyUid, files: s.files };
  });
  const series = aCtSeries(quick ? 60 : 300, { rows: 512, columns: 512, patientName: 'Benchperson^Ct', accession: 'BENCH-CT' });
  const ct = { ...series, sopUids: series.files.map((f) => parseInstance(f).sopInstanceUid) };
  return { small, ct };
}

const bytesOf = (files: Buffer[]) => files.reduce((n, f) => n + f.length, 0);

async function stow(target: Target, batches: Buffer[][], concurrency: number): Promise<number> {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < batches.length; i = next++) {
      const { body, contentType } = stowBody(batches[i]!);
      const res = await fetch(`${target.stowRoot}/studies`, { method: 'POST', body: new Uint8Array(body), headers: { ...target.headers, 'content-type': contentType, accept: 'application/dicom+json' } });
      if (res.status !== 200) throw new Error(`${target.name} STOW answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      await res.arrayBuffer();
    }
  }));
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const chunk = <T>(list: T[], size: number) => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

async function qidoLatencies(target: Target, w: Workload, n: number): Promise<number[]> {
  const queries = [
    () => '/studies?PatientName=Benchperson*',
    (i: number) => `/studies?AccessionNumber=BENCH-${i % 20}`,
    () => '/studies?StudyDate=20250301-20250630&ModalitiesInStudy=CT',
    (i: number) => `/studies/${w.small[i % 20]!.studyUid}/series`,
    (i: number) => `/studies/${w.small[i % 20]!.studyUid}/instances?limit=50`,
  ];
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${target.root}${queries[i % queries.length]!(i)}`, { headers: { ...target.headers, accept: 'application/dicom+json' } });
    if (res.status !== 200) throw new Error(`${target.name} QIDO answered ${res.status}`);
    await res.arrayBuffer();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

/** The whole CT series, `times` times, read by a client process of its own (see wadoClient.ts); the median. */
function wadoSeries(target: Target, w: Workload, times: number): Promise<{ seconds: number; bytes: number }> {
  const spec = { url: `${target.root}/studies/${w.ct.studyUid}/series/${w.ct.seriesUid}`, headers: { ...target.headers, accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' }, times };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(import.meta.dirname, 'wadoClient.ts'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${target.name}: the WADO client exited with ${code}`));
      const r = JSON.parse(out.trim().split('\n').pop()!) as { seconds: number[]; bytes: number; parts: number };
      if (r.parts !== w.ct.files.length) return reject(new Error(`${target.name} WADO returned ${r.parts} of ${w.ct.files.length} instances`));
      resolve({ seconds: r.seconds.sort((a, b) => a - b)[Math.floor(r.seconds.length / 2)]!, bytes: r.bytes });
    });
  });
}

/** One frame at a time, as a viewer asks while scrolling: each slice's first frame, in turn. */
async function frameLatencies(target: Target, w: Workload, n: number, sopUids: string[]): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${target.root}/studies/${w.ct.studyUid}/series/${w.ct.seriesUid}/instances/${sopUids[i % sopUids.length]}/frames/1`, { headers: { ...target.headers, accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' } });
    if (res.status !== 200) throw new Error(`${target.name} frame retrieval answered ${res.status}`);
    await res.arrayBuffer();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Samples a process's resident memory while `work` runs: the baseline before and the peak during. */
async function withMemory<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; baselineMB: number; peakMB: number }> {
  const baselineMB = currentRss(pid) / 1024 ** 2;
  let peakMB = baselineMB;
  const timer = setInterval(() => { peakMB = Math.max(peakMB, currentRss(pid) / 1024 ** 2); }, 25);
  try {
    const result = await work();
    return { result, baselineMB, peakMB: Math.max(peakMB, currentRss(pid) / 1024 ** 2) };
  } finally {
    clearInterval(timer);
  }
}

async function measure(target: Target, w: Workload, quick: boolean) {
  const half = w.small.length / 2;
  const c1Files = w.small.slice(0, half).flatMap((s) => s.files);
  const c4Files = w.small.slice(half).flatMap((s) => s.files);
  const c1 = await stow(target, w.small.slice(0, half).flatMap((s) => chunk(s.files, 25)), 1);
  const c4 = await stow(target, w.small.slice(half).flatMap((s) => chunk(s.files, 25)), 4);
  const ct = await stow(target, chunk(w.ct.files, 10), 4);
  const qido = await qidoLatencies(target, w, quick ? 100 : 500);
  await wadoSeries(target, w, 1); // warm-up
  const wado = await wadoSeries(target, w, 5);
  const frames = await frameLatencies(target, w, quick ? 60 : 300, w.ct.sopUids);
  const mb = 1024 ** 2;
  return {
    c1: { instancesPerSecond: c1Files.length / c1, mbPerSecond: bytesOf(c1Files) / mb / c1 },
    c4: { instancesPerSecond: c4Files.length / c4, mbPerSecond: bytesOf(c4Files) / mb / c4 },
    ct: { instancesPerSecond: w.ct.files.length / ct, mbPerSecond: bytesOf(w.ct.files) / mb / ct },
    qido: { p50: pct(qido, 50), p99: pct(qido, 99) },
    wado: { mbPerSecond: wado.bytes / mb / wado.seconds },
    frame: { p50: pct(frames, 50), p99: pct(frames, 99) },
  };
}

async function startOurs(backend: 'pglite' | 'postgres') {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-bench-imaging-'));
  const pg = backend === 'postgres' ? await freshDb('postgres') : null;
  if (pg) await pg.db.close();
  const port = await freePort();
  const server = await startServerProcess({ port, dataDir, env: { UPLOAD_MAX_BYTES: String(4 * 1024 ** 3), ...(pg?.url ? { DATABASE_URL: pg.url } : {}) } });
  const base = `http://127.0.0.1:${port}`;
  const client = new Client(base);
  const login = await client.post('/api/auth/login', { email: 'patient@demo.consilium.test', password: 'Consilium-demo-1' });
  if (login.status !== 200) throw new Error(`bench sign-in: ${login.status}`);
  const caseId = (await client.post('/api/cases')).body.id as string;
  const target: Target = { name: `Consilium (${backend})`, stowRoot: `${base}/dicomweb/cases/${caseId}`, root: `${base}/dicomweb`, headers: { cookie: client.cookieHeader }, pid: server.pid! };
  return {
    target,
    stop: async () => {
      await stopServerProcess(server);
      if (pg) await pg.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const REFERENCE = 'Orthanc 1.10 + DICOMweb plugin (Debian)';

/**
 * Our server's resident memory at rest as an operator starts it: no demo data, the data folder
 * (or database) made by a first start, then a second start measured three seconds after it is
 * ready. The workload's own baseline is taken after the demo is seeded, which overstates it.
 */
async function memoryAtRest(backend: 'pglite' | 'postgres'): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-bench-rest-'));
  const pg = backend === 'postgres' ? await freshDb('postgres') : null;
  if (pg) await pg.db.close();
  const env = { DEMO: 'false', ...(pg?.url ? { DATABASE_URL: pg.url } : {}) };
  try {
    await stopServerProcess(await startServerProcess({ port: await freePort(), dataDir, env }));
    const server = await startServerProcess({ port: await freePort(), dataDir, env });
    await new Promise((r) => setTimeout(r, 3000));
    const mb = currentRss(server.pid!) / 1024 ** 2;
    await stopServerProcess(server);
    return mb;
  } finally {
    if (pg) await pg.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function imagingBenchmark(quick: boolean): Promise<BenchResult[]> {
  const w = makeWorkload(quick);
  const orthanc = await startOrthanc({ concurrency: 4 });
  const reference: Target = { name: 'Orthanc', stowRoot: orthanc.dicomweb, root: orthanc.dicomweb, headers: {}, pid: orthanc.pid };
  const results: BenchResult[] = [];
  try {
    await stow(reference, [aCtSeries(1, { studyUid: aUid() }).files], 1);
    const b = await withMemory(reference.pid, () => measure(reference, w, quick));
    for (const backend of ['pglite', 'postgres'] as const) {
      const ours = await startOurs(backend);
      try {
        // One throw-away instance first, so start-up costs stay out of the numbers.
        await stow(ours.target, [aCtSeries(1, { studyUid: aUid() }).files], 1);
        const a = await withMemory(ours.target.pid, () => measure(ours.target, w, quick));
        results.push(...rows(backend, w, a, b));
      } finally {
        await ours.stop();
      }
      const rest = await memoryAtRest(backend);
      results.push({
        name: 'server memory at rest (no demo data, 3 s after ready)', backend, unit: 'MB', ours: rest, reference: b.baselineMB, referenceName: REFERENCE, ratio: b.baselineMB / rest,
        detail: { goal: 'within 3× of the reference (ratio ≥ 0.33)' },
      });
    }
  } finally {
    await orthanc.close();
  }
  return results;
}

type Measured = { result: Awaited<ReturnType<typeof measure>>; baselineMB: number; peakMB: number };

function rows(backend: string, w: Workload, ours: Measured, ref: Measured): BenchResult[] {
  const a = ours.result;
  const b = ref.result;
  const smallCount = (w.small.length / 2) * w.small[0]!.files.length;
  const row = (name: string, unit: string, o: number, r: number, higherIsBetter = true): BenchResult => ({
    name, backend, unit, ours: o, reference: r, referenceName: REFERENCE, ratio: higherIsBetter ? o / r : r / o,
  });
  return [
    row(`STOW-RS ${smallCount} small instances, concurrency 1`, 'inst/s', a.c1.instancesPerSecond, b.c1.instancesPerSecond),
    row(`STOW-RS ${smallCount} small instances, concurrency 1`, 'MB/s', a.c1.mbPerSecond, b.c1.mbPerSecond),
    row(`STOW-RS ${smallCount} small instances, concurrency 4`, 'inst/s', a.c4.instancesPerSecond, b.c4.instancesPerSecond),
    row(`STOW-RS ${smallCount} small instances, concurrency 4`, 'MB/s', a.c4.mbPerSecond, b.c4.mbPerSecond),
    row(`STOW-RS CT ${w.ct.files.length}×512×512, concurrency 4`, 'inst/s', a.ct.instancesPerSecond, b.ct.instancesPerSecond),
    row(`STOW-RS CT ${w.ct.files.length}×512×512, concurrency 4`, 'MB/s', a.ct.mbPerSecond, b.ct.mbPerSecond),
    row('QIDO-RS latency p50 (store filled)', 'ms', a.qido.p50, b.qido.p50, false),
    row('QIDO-RS latency p99 (store filled)', 'ms', a.qido.p99, b.qido.p99, false),
    row(`WADO-RS whole CT series (${w.ct.files.length} instances)`, 'MB/s', a.wado.mbPerSecond, b.wado.mbPerSecond),
    row('WADO-RS one frame (512×512), latency p50', 'ms', a.frame.p50, b.frame.p50, false),
    row('WADO-RS one frame (512×512), latency p99', 'ms', a.frame.p99, b.frame.p99, false),
    {
      ...row('server memory growth during the workload', 'MB', ours.peakMB - ours.baselineMB, ref.peakMB - ref.baselineMB, false),
      detail: { oursBaselineMB: Math.round(ours.baselineMB), oursPeakMB: Math.round(ours.peakMB), orthancBaselineMB: Math.round(ref.baselineMB), orthancPeakMB: Math.round(ref.peakMB) },
    },
  ];
}
