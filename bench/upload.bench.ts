import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { aCase, aPatient } from '../test/support/builders.ts';
import { startTestApp } from '../test/support/testApp.ts';
import type { BenchResult } from './harness.ts';

/**
 * Upload throughput: a large file through tus over loopback from a client process (chunked PATCH
 * requests; the server hashes, encrypts and fsyncs each part as it arrives, then checks the type
 * and makes the sealed file its blob) beside a plain fsync'd copy of the
 * same bytes to the same disk. Peak resident memory is sampled during the upload to show that
 * the file is streamed, never held whole.
 */
async function makeFile(file: string, bytes: number) {
  const out = fs.createWriteStream(file);
  // A TIFF header: a scanned record kept for a person to read, so nothing parses the payload.
  out.write(Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]));
  const block = crypto.randomBytes(8 * 1024 * 1024);
  for (let written = 0; written < bytes; written += block.length) {
    if (!out.write(block.subarray(0, Math.min(block.length, bytes - written)))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(r));
}

async function fsyncCopy(from: string, to: string) {
  await new Promise<void>((resolve, reject) => fs.createReadStream(from).pipe(fs.createWriteStream(to)).on('finish', resolve).on('error', reject));
  const fh = await fsp.open(to, 'r');
  await fh.sync();
  await fh.close();
}

/** The client runs as its own process, as a browser would: it does not take the server's event loop. */
function runClient(spec: object): Promise<{ seconds: number; answer: { document?: { size: number } } }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(import.meta.dirname, 'uploadClient.ts'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`upload client exited with ${code}`))));
  });
}

export async function uploadBenchmark(bytes: number): Promise<BenchResult> {
  process.env.TEST_DB = 'pglite';
  const t = await startTestApp({ JOBS_POLL_MS: '60000', UPLOAD_MAX_BYTES: String(bytes * 2) });
  const file = path.join(t.config.dataDir, 'bench-source.tif');
  try {
    await makeFile(file, bytes);
    const size = (await fsp.stat(file)).size;
    const patient = await aPatient(t);
    const caseId = await aCase(t, patient, { intake: {} });

    let t0 = process.hrtime.bigint();
    await fsyncCopy(file, path.join(t.config.dataDir, 'bench-copy.tif'));
    const referenceSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await fsp.rm(path.join(t.config.dataDir, 'bench-copy.tif'));

    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    const spec = { base: t.baseUrl, cookie: patient.client.cookieHeader, file, metadata: `caseId ${b64(caseId)},filename ${b64('bench.tif')}`, chunk: 64 * 1024 * 1024 };
    const sent = await runClient(spec);
    clearInterval(sampler);
    const ours = sent.seconds;
    if (sent.answer.document?.size !== size) throw new Error('stored size differs');
    const mb = size / 1024 ** 2;
    return {
      name: `upload ${Math.round(mb)} MB via tus (encrypted, fsync'd)`, backend: 'pglite', unit: 'MB/s',
      ours: mb / ours, reference: mb / referenceSeconds, referenceName: "plain fsync'd copy, same disk", ratio: (mb / ours) / (mb / referenceSeconds),
      detail: { bytes: size, seconds: ours, referenceSeconds, peakRssGrowthMB: Math.round((peak - baseline) / 1024 ** 2) },
    };
  } finally {
    await fsp.rm(file, { force: true });
    await t.close();
  }
}
