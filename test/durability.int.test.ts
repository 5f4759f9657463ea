import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './support/client.ts';
import { aPdf, PATHOLOGY_LINES, tusContinue, tusUpload } from './support/records.ts';
import { freshDb, type TestDb } from './support/testApp.ts';
import { exited, freePort, startServerProcess, stopServerProcess } from './support/serverProcess.ts';

/**
 * Nothing the server acknowledged is lost: the real server process is killed with SIGKILL right
 * after it acknowledged an upload, and restarted on the same data.
 */
let dataDir: string;
let pgDb: TestDb | undefined;
let server: ChildProcess | undefined;
let port = 0;

async function start(env: Record<string, string> = {}) {
  server = await startServerProcess({ port, dataDir, env: { ...(pgDb?.url ? { DATABASE_URL: pgDb.url } : {}), ...env } });
}

const killHard = () => stopServerProcess(server!, 'SIGKILL');

async function signIn(email = 'patient@demo.consilium.test') {
  const c = new Client(`http://127.0.0.1:${port}`);
  const r = await c.post('/api/auth/login', { email, password: 'Consilium-demo-1' });
  if (r.status !== 200) throw new Error(`login ${r.status}`);
  return c;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-durable-'));
  if (process.env.TEST_DB === 'postgres') {
    pgDb = await freshDb('postgres');
    await pgDb.db.close();
  }
  port = await freePort();
  await start();
}, 60_000);
afterAll(async () => {
  if (server) await killHard();
  if (pgDb) await pgDb.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('durability', () => {
  it('keeps an acknowledged upload across kill -9, and resumes a cut upload after a restart', async () => {
    let client = await signIn();
    const caseId = (await client.get('/api/cases?sort=newest')).body.items.find((c: { status: string }) => c.status === 'draft')?.id
      ?? (await client.post('/api/cases')).body.id;
    const pdf = await aPdf(PATHOLOGY_LINES);
    const done = await tusUpload(client, caseId, 'durable.pdf', pdf, { chunk: 2000 });
    expect(done.status).toBe(200);
    await killHard();

    const big = await aPdf(Array.from({ length: 40 }, (_, i) => `${PATHOLOGY_LINES[i % PATHOLOGY_LINES.length]} (${i})`), { blankPages: 20 });
    expect(big.length).toBeGreaterThan(6000);
    await start();
    client = await signIn();
    const doc = (await client.get(`/api/cases/${caseId}/documents/${done.body.document.id}`)).body;
    expect(doc.sha256).toBe(crypto.createHash('sha256').update(pdf).digest('hex'));
    const content = await fetch(`http://127.0.0.1:${port}/api/cases/${caseId}/documents/${doc.id}/content`, { headers: { cookie: client.cookieHeader } });
    expect(crypto.createHash('sha256').update(Buffer.from(await content.arrayBuffer())).digest('hex')).toBe(doc.sha256);

    const cut = await tusUpload(client, caseId, 'cut.pdf', big, { chunk: 1500, stopAfter: 3000 });
    await killHard();
    await start();
    client = await signIn();
    const head = await fetch(cut.location!, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0', cookie: client.cookieHeader } });
    expect(head.status).toBe(200);
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBe(3000);
    const resumed = await tusContinue(client, cut.location!, big, offset, { chunk: 1500 });
    expect(resumed.status).toBe(200);
    expect(resumed.body.document.sha256).toBe(crypto.createHash('sha256').update(big).digest('hex'));
  }, 90_000);

  it('signing is atomic: kill -9 while the report is issued leaves an unsigned case, and issuing again works', async () => {
    await killHard();
    await start({ CONSILIUM_FAULT: 'report.beforeCommit' });
    let expert = await signIn('pathologist@demo.consilium.test');
    const inReview = (await expert.get('/api/cases?status=in_review')).body.items[0];
    expect(inReview).toBeTruthy();
    const ws = (await expert.get(`/api/cases/${inReview.id}/opinion`)).body;
    const questions: string[] = ws.intake.questions?.questions ?? [];
    const part = { patientSummary: 'The plan is sound. Ask about a trial.', answers: questions.map((q) => ({ question: q, answer: 'Yes.' })) };
    expect((await expert.put(`/api/cases/${inReview.id}/opinion/draft`, part)).status).toBe(200);
    expect((await expert.post(`/api/cases/${inReview.id}/opinion/sign`, { password: 'Consilium-demo-1', code: '000000' })).status).toBe(200);
    const died = await expert.post(`/api/cases/${inReview.id}/opinion/report`, { password: 'Consilium-demo-1', code: '000000' }).catch((e: Error) => e);
    expect(died).toBeInstanceOf(Error); // the connection died with the process
    await exited(server!);

    await start();
    expert = await signIn('pathologist@demo.consilium.test');
    const after = (await expert.get(`/api/cases/${inReview.id}/opinion`)).body;
    expect(after.status).toBe('in_review');
    expect(after.reports).toEqual([]);
    expect(after.myPart.status).toBe('signed');
    const issued = await expert.post(`/api/cases/${inReview.id}/opinion/report`, { password: 'Consilium-demo-1', code: '000000' });
    expect(issued.status).toBe(201);
    const pdf = await fetch(`http://127.0.0.1:${port}/api/cases/${inReview.id}/opinion/report/1/pdf`, { headers: { cookie: expert.cookieHeader } });
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 4).toString()).toBe('%PDF');
    expect((await expert.get(`/api/cases/${inReview.id}`)).body.status).toBe('opinion_signed');
  }, 90_000);
});
